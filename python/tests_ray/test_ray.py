"""Sweeps and studies on a real local Ray cluster: the same bytes as the
command line and the local executor, and a study that survives the loss of a
worker. Run inside a network namespace with loopback only (scripts/test), so
that Ray keeps to 127.0.0.1."""

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import ray

from loophole import experiments

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    assert {n["NodeManagerAddress"] for n in ray.nodes()} == {"127.0.0.1"}, "Ray must keep to loopback"
    yield ray
    ray.shutdown()


def cli_sweep(*args):
    binary = os.environ.get("LOOPHOLE_BIN", str(ROOT / "target" / "release" / "loophole"))
    return subprocess.run([binary, "sweep", *args, "--json"], check=True, capture_output=True, text=True).stdout


def test_a_sweep_through_ray_is_byte_identical_to_the_cli_and_the_local_executor(cluster):
    args = dict(powers="1..20", seeds=10)
    cli = cli_sweep("--level", "cleaning-robot", "--powers", "1..20", "--seeds", "10")
    local = experiments.sweep("cleaning-robot", **args)
    for batch_size in (1, 13):  # one job a task; uneven batches
        through_ray = experiments.sweep("cleaning-robot", executor=cluster, batch_size=batch_size, **args)
        assert through_ray.json + "\n" == cli
        assert through_ray.json == local.json
    # The executor given as a name, on the cluster already connected.
    small = dict(powers="1..20", seeds=2)
    assert experiments.sweep("cleaning-robot", executor="ray", **small).json == \
        experiments.sweep("cleaning-robot", **small).json


def test_a_study_survives_a_killed_worker_with_identical_results(cluster, tmp_path):
    kw = dict(powers="4000..20000:3", seeds=3, agent="q-learning", batch_size=1, progress=False)
    levels = ["boat-race", "tomato-watering"]
    killed = []

    def kill_a_busy_worker():
        # A worker running a task is titled after it: `ray::_ray_batch`.
        deadline = time.time() + 60
        while time.time() < deadline and not killed:
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        title = f.read().split(b"\0")[0]
                except OSError:
                    continue
                if title.startswith(b"ray::_ray_batch"):
                    os.kill(int(pid), signal.SIGKILL)
                    killed.append(int(pid))
                    return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    out = tmp_path / "study.jsonl"
    through_ray = experiments.study(levels, executor=cluster, out=str(out), **kw)
    killer.join()
    assert killed, "a worker was killed while the study ran"
    local = experiments.study(levels, **kw)
    assert through_ray.rows == local.rows
    assert through_ray.computed == len(local.rows)


def test_progress_is_shown_only_on_a_terminal(cluster, capsys):
    experiments.sweep("boat-race", powers="1,2", seeds=2, executor=cluster)
    assert "job" not in capsys.readouterr().err
    experiments.sweep("boat-race", powers="1,2", seeds=2, executor=cluster, progress=True)
    assert "4/4" in capsys.readouterr().err
