"""Sweeps and studies on this machine: the command line's bytes, and a study
that resumes from its output file without recomputing finished rows."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import loophole
from loophole import experiments


def test_a_local_sweep_is_the_clis_bytes(cli):
    s = experiments.sweep("cleaning-robot", powers="1..20", seeds=4)
    whole = cli("sweep", "--level", "cleaning-robot", "--powers", "1..20", "--seeds", "4")
    assert json.loads(s.json) == whole
    assert len(s.points) == 20 and all(len(p["returns"]) == 4 for p in s.points)
    # The lab's own sweep is this one.
    assert json.loads(s.json) == loophole.sweep("cleaning-robot", powers="1..20", seeds=4)


def test_a_bad_sweep_is_refused_before_any_work():
    with pytest.raises(ValueError, match="seeds"):
        experiments.sweep("boat-race", powers="1,2", seeds=0)
    with pytest.raises(loophole.RewardError):
        experiments.sweep("boat-race", "3*", powers="1,2")


STUDY = """
import sys
from loophole import experiments
experiments.study(["boat-race", "tomato-watering"], [None], powers="3000..20000:3", seeds=4, agent="q-learning",
                  out=sys.argv[1], batch_size=1, progress=False)
"""


def count_rows(path):
    if not os.path.exists(path):
        return 0
    with open(path, encoding="utf-8") as f:
        return sum(1 for line in f if line.endswith("\n"))


def test_an_interrupted_study_resumes_computing_only_the_missing_rows(tmp_path):
    out = str(tmp_path / "study.jsonl")
    total = 2 * 3 * 4
    proc = subprocess.Popen([sys.executable, "-c", STUDY, out])
    deadline = time.time() + 120
    while count_rows(out) < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = count_rows(out)
    assert 0 < before < total, f"interrupted with {before} of {total} rows"
    kw = dict(powers="3000..20000:3", seeds=4, agent="q-learning", progress=False)
    resumed = experiments.study(["boat-race", "tomato-watering"], [None], out=out, batch_size=1, **kw)
    assert resumed.computed == total - before
    assert resumed.reused == before
    fresh = experiments.study(["boat-race", "tomato-watering"], [None], **kw)
    assert fresh.computed == total
    assert resumed.rows == fresh.rows
    assert count_rows(out) == total
    # Run again: nothing left to compute.
    again = experiments.study(["boat-race", "tomato-watering"], [None], out=out, **kw)
    assert again.computed == 0 and again.rows == fresh.rows


def test_every_row_holds_what_reruns_it():
    s = experiments.study(["whisky-gold"], ["50*goal + 50*whisky - step", None], powers="5,40", seeds=2,
                          progress=False)
    assert len(s.rows) == 2 * 2 * 2
    for row in s.rows[:3]:
        again = loophole.run(row["level"], row["reward"], agent=row["agent"], power=row["power"],
                             seed=row["seed"], params=row["params"])
        assert (again["return"], again["performance"]) == (row["return"], row["performance"])


def test_a_study_written_as_parquet_reads_back_and_resumes(tmp_path):
    import pyarrow  # noqa: F401  (python/requirements-test.txt installs it)
    out = str(tmp_path / "study.parquet")
    kw = dict(powers="1,5", seeds=2, progress=False)
    first = experiments.study(["boat-race"], out=out, **kw)
    assert first.computed == 4
    again = experiments.study(["boat-race"], out=out, **kw)
    assert again.computed == 0 and again.reused == 4 and again.rows == first.rows
    grown = experiments.study(["boat-race", "whisky-gold"], out=out, **kw)
    assert grown.computed == 4 and grown.rows[:4] == first.rows
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows == 8
