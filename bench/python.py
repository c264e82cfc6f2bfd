"""How fast Loophole is from Python, measured side by side in one run.

For each level: the engine's own random-policy steps per second (`loophole
bench --suite steps`, no observation built), the vector environment at
N = 256 with "index" and "board" observations (one Rust call a step, GIL
released, `copy=False`), and one environment through `gymnasium.make`. On
side-effects-sokoban it also times safety-gridworlds-gymnasium's
`Sokoban-v0` (the same 6x6 map, Discrete observations) when that package is
installed. Prints a Markdown table of figures and ratios (docs/PYTHON.md).

    python bench/python.py [--levels a,b] [--seconds 1.0]

Uses the `loophole` binary of $LOOPHOLE_BIN or target/release/loophole.
"""

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import gymnasium
import numpy as np

import loophole
import loophole.vector

ROOT = Path(__file__).resolve().parents[1]
N = 256


def per_second(step, seconds):
    """Calls `step()` (which returns how many env steps it took) for about `seconds`; steps per second."""
    step()  # warm up
    steps, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(10):
            steps += step()
    return steps / elapsed


def native(level, binary):
    out = subprocess.run([str(binary), "bench", "--suite", "steps", "--level", level, "--steps", "20000000",
                          "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["steps_per_sec"]


def vector(level, obs, seconds):
    try:
        env = loophole.vector.make(level, N, obs=obs, copy=False)
    except ValueError:  # no map to show, or too many views to number
        return float("nan")
    env.reset(seed=0)
    actions = np.random.default_rng(0).integers(env.single_action_space.n, size=(64, N))
    i = [0]

    def step():
        env.step(actions[i[0] % 64])
        i[0] += 1
        return N

    return per_second(step, seconds)


def single(make, seconds):
    env = make()
    env.reset(seed=0)
    actions = np.random.default_rng(0).integers(4, size=4096).tolist()
    i = [0]

    def step():
        _, _, terminated, truncated, _ = env.step(actions[i[0] % 4096])
        i[0] += 1
        if terminated or truncated:
            env.reset()
        return 1

    return per_second(step, seconds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", default=",".join(lv["id"] for lv in loophole.levels()))
    ap.add_argument("--seconds", type=float, default=1.0, help="time per figure")
    args = ap.parse_args()
    binary = Path(os.environ.get("LOOPHOLE_BIN", ROOT / "target" / "release" / "loophole"))
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, gymnasium {gymnasium.__version__}; one core for every figure.\n")
    print("| level | native steps/s | vector index (N=256) | vs native | vector board | vs native "
          "| gymnasium.make step |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for level in args.levels.split(","):
        nat = native(level, binary)
        idx = vector(level, "index", args.seconds)
        board = vector(level, "board", args.seconds)
        one = single(lambda: gymnasium.make(loophole.env_id(level)), args.seconds)
        cell = lambda x: "–" if np.isnan(x) else f"{x / 1e6:.1f} M"  # noqa: E731
        ratio = lambda x: "–" if np.isnan(x) else f"{100 * x / nat:.0f}%"  # noqa: E731
        print(f"| {level} | {nat / 1e6:.1f} M | {cell(idx)} | {ratio(idx)} | {cell(board)} | {ratio(board)} "
              f"| {1e6 / one:.2f} µs |")
    try:
        import safety_gridworlds_gymnasium  # noqa: F401
    except ImportError:
        print("\n(safety-gridworlds-gymnasium is not installed: no comparison with its Sokoban-v0)")
        return
    theirs = single(lambda: gymnasium.make("safety_gridworlds/Sokoban-v0"), args.seconds)
    ours_one = single(lambda: gymnasium.make("loophole/SideEffectsSokoban-v0", obs="index"), args.seconds)
    ours_vec = vector("side-effects-sokoban", "index", args.seconds)
    print("\nThe same 6x6 Sokoban map, Discrete observations, one core:\n")
    print("| | steps/s | vs safety-gridworlds-gymnasium |")
    print("|---|---:|---:|")
    print(f"| safety-gridworlds-gymnasium `Sokoban-v0` (gymnasium.make) | {theirs:,.0f} | 1x |")
    print(f"| Loophole `SideEffectsSokoban-v0` (gymnasium.make) | {ours_one:,.0f} | {ours_one / theirs:.0f}x |")
    print(f"| Loophole vector env, N = {N} | {ours_vec:,.0f} | {ours_vec / theirs:.0f}x |")


if __name__ == "__main__":
    main()
