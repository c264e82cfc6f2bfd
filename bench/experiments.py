"""Jobs per second of a sweep locally and through Ray, and Ray's overhead.

Runs one sweep (every job a training run and an episode) with the local
executor (Rust threads on every core) and through a local Ray cluster of as
many CPUs at several batch sizes, side by side in one run, and prints a
Markdown table (docs/EXPERIMENTS.md). Run it where Ray keeps to loopback:

    ip netns add bench; ip netns exec bench ip link set lo up
    ip netns exec bench python bench/experiments.py
"""

import argparse
import os
import platform
import time

import ray

from loophole import experiments


def timed(f):
    start = time.perf_counter()
    out = f()
    return time.perf_counter() - start, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--level", default="cleaning-robot")
    ap.add_argument("--powers", default="1..40")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--batches", default="1,2,4,8,16,32,100")
    args = ap.parse_args()
    cpus = os.cpu_count() or 1
    sweep = dict(powers=args.powers, seeds=args.seeds, progress=False)
    jobs = len(experiments.sweep(args.level, **sweep).points) * args.seeds  # also warms the caches
    local_s, local = timed(lambda: experiments.sweep(args.level, **sweep))
    ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
    experiments.sweep(args.level, executor=ray, batch_size=8, **sweep)  # workers started
    print(f"{args.level}, powers {args.powers}, {args.seeds} seeds: {jobs} jobs; {platform.machine()}, "
          f"{cpus} cores, Ray {ray.__version__}, {cpus} Ray CPUs.\n")
    print("| executor | batch | seconds | jobs/s | Ray's cost per job | of the work |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| local (Rust threads) | – | {local_s:.2f} | {jobs / local_s:,.0f} | – | – |")
    work = local_s * cpus / jobs  # CPU seconds a job takes
    for b in [int(x) for x in args.batches.split(",")]:
        t, out = timed(lambda: experiments.sweep(args.level, executor=ray, batch_size=b, **sweep))
        assert out.json == local.json, "Ray's result differs from the local one"
        cost = max(0.0, t - local_s) * cpus / jobs
        print(f"| Ray | {b} | {t:.2f} | {jobs / t:,.0f} | {cost * 1e3:.2f} ms | {100 * cost / work:.0f}% |")
    ray.shutdown()


if __name__ == "__main__":
    main()
