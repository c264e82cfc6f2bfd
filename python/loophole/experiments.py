"""Sweeps and studies, on this machine or on a Ray cluster, with one result.

A sweep over optimization power is a grid of independent jobs (power, seed),
each a training run and an episode in the Rust engine. ``executor=None`` runs
them on this machine's cores; ``executor="ray"`` (or a connected ``ray``
module, or a cluster address) sends them in batches as Ray tasks and gathers
the results in job order, so the result is the same bytes whatever the
number of nodes, workers or the order tasks finish in (docs/EXPERIMENTS.md).

    from loophole import experiments
    s = experiments.sweep("cleaning-robot", powers="1..40:20", seeds=10, executor="ray")
    s.json          # what `loophole sweep --json` prints, byte for byte
    s.points        # the same as records; s.frame() as a pandas DataFrame

A study is several levels and rewards in one call, written as JSON Lines (or
Parquet) rows with every input needed to rerun each, and resumable from its
output file.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _level_args, _loophole

Job = Tuple[int, int]


@dataclass
class Sweep:
    """A sweep's result: ``json`` as the command line prints it, ``points`` as records."""

    json: str

    @property
    def body(self) -> Dict[str, Any]:
        return json.loads(self.json)

    @property
    def points(self) -> List[Dict[str, Any]]:
        return self.body["points"]

    def frame(self):
        """The points as a pandas DataFrame (pandas must be installed)."""
        import pandas

        return pandas.DataFrame(self.points)


def _progress(total: int, enabled: Optional[bool], desc: str):
    """A tqdm bar on a terminal (or when asked), else none."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=desc, unit="job")


def _batches(jobs: Sequence[Job], size: int) -> List[List[Job]]:
    return [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]


class _Local:
    """The jobs on this machine's cores, in Rust threads."""

    def run(self, spec: Dict[str, Any], jobs: Sequence[Job], batch_size: int, bar) -> List[Tuple[float, float]]:
        out: List[Tuple[float, float]] = []
        # Batches only to move the bar (about 50 moves); each batch uses every core.
        size = max((os.cpu_count() or 1) * 4, -(-len(jobs) // 50)) if bar else max(1, len(jobs))
        for batch in _batches(jobs, size):
            out.extend(_loophole.run_jobs(batch, **spec))
            if bar:
                bar.update(len(batch))
        return out


def _ray_batch(spec: Dict[str, Any], jobs: List[Job]) -> List[Tuple[float, float]]:
    """One Ray task: a batch of jobs, on the one CPU Ray gave the task."""
    from loophole import _loophole as engine

    return engine.run_jobs(jobs, threads=1, **spec)


class _Ray:
    """The jobs as Ray tasks, gathered in job order."""

    def __init__(self, executor: Any, max_retries: int):
        if isinstance(executor, str) and executor != "ray":
            address = executor
        else:
            address = None
        if executor == "ray" or isinstance(executor, str):
            import ray
        else:
            ray = executor  # a connected ray module
        if not ray.is_initialized():
            ray.init(address=address, include_dashboard=False, log_to_driver=False)
        self.ray = ray
        self.task = ray.remote(num_cpus=1, max_retries=max_retries, retry_exceptions=False)(_ray_batch)

    def run(self, spec: Dict[str, Any], jobs: Sequence[Job], batch_size: int, bar) -> List[Tuple[float, float]]:
        ray = self.ray
        spec_ref = ray.put(spec)
        refs = [self.task.remote(spec_ref, batch) for batch in _batches(jobs, batch_size)]
        if bar:
            pending = {r: len(b) for r, b in zip(refs, _batches(jobs, batch_size))}
            left = list(refs)
            while left:
                done, left = ray.wait(left, num_returns=1)
                for r in done:
                    bar.update(pending[r])
        out: List[Tuple[float, float]] = []
        for part in ray.get(refs):  # in submission order: the jobs' order
            out.extend(tuple(x) for x in part)
        return out


def _executor(executor: Any, max_retries: int):
    if executor is None or executor == "local":
        return _Local()
    return _Ray(executor, max_retries)


def _default_batch(jobs: int, executor) -> int:
    if isinstance(executor, _Local):
        return max(1, jobs)
    # Enough tasks for every CPU a few times over, none too small to carry Ray's cost.
    cpus = int(executor.ray.cluster_resources().get("CPU", 1))
    return max(1, min(64, -(-jobs // (4 * cpus))))


def sweep(level: Optional[str] = None, reward: Optional[str] = None, agent: Optional[str] = None, *,
          powers: str, seeds: int = 10, params: Optional[Mapping[str, float]] = None,
          executor: Any = None, batch_size: Optional[int] = None, max_retries: int = 3,
          progress: Optional[bool] = None, level_file=None, level_text: Optional[str] = None,
          time_limit: float = 600.0) -> Sweep:
    """Trains at every power on every seed: the same result as ``loophole sweep --json``.

    ``powers`` is the command line's (``"1..100:12"``, ``"1,5,20"``).
    ``executor``: None (this machine), ``"ray"``, a cluster address, or a
    connected ``ray`` module. ``batch_size`` jobs go in one Ray task.
    """
    lv = _level_args(level, level_file, level_text)
    params = dict(params) if params else None
    level_id, agent_name, src, power_list, seeds, jobs = _loophole.sweep_plan(
        powers, reward=reward, agent=agent, seeds=seeds, params=params, **lv)
    spec = dict(lv, reward=src, agent=agent_name, params=params, time_limit=time_limit)
    ex = _executor(executor, max_retries)
    size = batch_size or _default_batch(len(jobs), ex)
    bar = _progress(len(jobs), progress, f"sweep {level_id}")
    try:
        results = ex.run(spec, jobs, size, bar)
    finally:
        if bar:
            bar.close()
    return Sweep(_loophole.sweep_json(level_id, agent_name, src, power_list, seeds, results))


# ---------------------------------------------------------------- studies

ROW_KEYS = ("level", "reward", "agent", "power", "seed", "params")


def _key(row: Mapping[str, Any]) -> str:
    return json.dumps([row[k] for k in ROW_KEYS], sort_keys=True)


def _read_rows(path: str) -> List[Dict[str, Any]]:
    if not os.path.exists(path):
        return []
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        rows = pq.read_table(path).to_pylist()
        for r in rows:
            r["params"] = json.loads(r["params"])
        return rows
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                # A line cut short by an interruption: everything before it stands.
                if f.readline() == "":
                    break
                raise ValueError(f"{path}, line {n}: not a row of a study") from None
    return rows


def _cut_partial_line(path: str) -> None:
    """Drops a last line an interruption cut short, so that new rows start on a line of their own."""
    if not os.path.exists(path):
        return
    with open(path, "rb+") as f:
        data = f.read()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            f.truncate(end)


def _write_parquet(path: str, rows: List[Dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    flat = [dict(r, params=json.dumps(r["params"], sort_keys=True)) for r in rows]
    pq.write_table(pa.Table.from_pylist(flat), path)


@dataclass
class Study:
    """A study's rows (one per level, reward, power and seed) and what this call computed."""

    rows: List[Dict[str, Any]]
    computed: int
    reused: int

    def frame(self):
        import pandas

        return pandas.DataFrame(self.rows)


def study(levels: Sequence[str], rewards: Optional[Sequence[Optional[str]]] = None, *, powers: str,
          seeds: int = 10, agent: Optional[str] = None, params: Optional[Mapping[str, float]] = None,
          out: Optional[str] = None, executor: Any = None, batch_size: Optional[int] = None,
          max_retries: int = 3, progress: Optional[bool] = None, time_limit: float = 600.0) -> Study:
    """Every level with every reward (None: the level's own), at every power and seed.

    Rows are ``{level, reward, agent, power, seed, params, return, performance}``:
    each holds what reruns it (``loophole.run(level, reward, agent=, power=,
    seed=, params=)`` plays the same episode). With ``out`` (``.jsonl``, or
    ``.parquet`` when pyarrow is installed), rows already there are not
    computed again, so an interrupted study resumes where it stopped.
    """
    rewards = list(rewards) if rewards is not None else [None]
    params = dict(params) if params else {}
    plans = []
    for level in levels:
        for reward in rewards:
            level_id, agent_name, src, power_list, n_seeds, jobs = _loophole.sweep_plan(
                powers, level=level, reward=reward, agent=agent, seeds=seeds, params=params or None)
            plans.append((level, level_id, agent_name, src, jobs))
    existing = _read_rows(out) if out else []
    done = {_key(r): r for r in existing}
    ex = _executor(executor, max_retries)
    todo = []
    for level, level_id, agent_name, src, jobs in plans:
        for power, seed in jobs:
            row = {"level": level_id, "reward": src, "agent": agent_name, "power": power, "seed": seed,
                   "params": params}
            if _key(row) not in done:
                todo.append((level, row))
    bar = _progress(len(todo), progress, "study")
    computed = 0
    parquet = bool(out) and out.endswith(".parquet")
    if out and not parquet:
        _cut_partial_line(out)
    sink = open(out, "a", encoding="utf-8") if out and not parquet else None
    try:
        # One sweep's jobs at a time, in batches, each batch's rows written as it completes.
        groups: Dict[Tuple[str, str, str], List[Dict[str, Any]]] = {}
        for level, row in todo:
            groups.setdefault((level, row["reward"], row["agent"]), []).append(row)
        for (level, src, agent_name), rows in groups.items():
            spec = dict(level=level, level_text=None, reward=src, agent=agent_name, params=params or None,
                        time_limit=time_limit)
            size = batch_size or _default_batch(len(rows), ex)
            for chunk in _batches(rows, size * max(1, _parallel(ex))):
                results = ex.run(spec, [(r["power"], r["seed"]) for r in chunk], size, bar)
                for r, (ret, perf) in zip(chunk, results):
                    r["return"], r["performance"] = ret, perf
                    done[_key(r)] = r
                    if sink:
                        sink.write(json.dumps(r, sort_keys=True) + "\n")
                computed += len(chunk)
                if sink:
                    sink.flush()
                    os.fsync(sink.fileno())
    finally:
        if sink:
            sink.close()
        if bar:
            bar.close()
    # Rows in the study's order: level, reward, then the sweep's job order.
    rows = []
    for level, level_id, agent_name, src, jobs in plans:
        for power, seed in jobs:
            rows.append(done[_key({"level": level_id, "reward": src, "agent": agent_name, "power": power,
                                   "seed": seed, "params": params})])
    if parquet:
        _write_parquet(out, rows)
    return Study(rows=rows, computed=computed, reused=len(rows) - computed)


def _parallel(ex) -> int:
    """How many batches run at once (so a study writes its rows as they come)."""
    if isinstance(ex, _Local):
        return 1
    return max(1, int(ex.ray.cluster_resources().get("CPU", 1)))


__all__ = ["Study", "Sweep", "study", "sweep"]
