"""Loophole: a reward-hacking laboratory.

Every level is a Gymnasium environment whose ``info`` carries the hidden
intent score beside the reward (``gymnasium.make("loophole/TomatoWatering-v0")``,
or :func:`make` for any level and reward); :mod:`loophole.vector` steps many
at once in Rust; :func:`run`, :func:`replay` and :func:`sweep` give the same
numbers as the ``loophole`` command line's ``--json``, plus each episode's
per-step arrays.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Mapping, Optional, Union

from . import _loophole
from ._loophole import LevelError, RewardError

__version__ = _loophole.__version__

__all__ = [
    "LevelError",
    "RewardError",
    "check",
    "env_id",
    "levels",
    "make",
    "register_envs",
    "replay",
    "run",
    "sweep",
]

PathLike = Union[str, "os.PathLike[str]"]


def _level_args(level: Optional[str], level_file: Optional[PathLike], level_text: Optional[str]) -> Dict[str, Any]:
    """The level as the extension takes it: a built-in id, or a level file's text."""
    if level_file is not None:
        if level_text is not None:
            raise ValueError("give level_file or level_text, not both")
        with open(level_file, encoding="utf-8") as f:
            level_text = f.read()
    if level is None and level_text is None:
        raise ValueError("give a level: a built-in id (level=...), level_file=PATH or level_text=TEXT")
    return {"level": level, "level_text": level_text}


def levels() -> list:
    """Every built-in level, as ``loophole levels --json`` lists them."""
    return json.loads(_loophole.levels_json())


def env_id(level: str) -> str:
    """The Gymnasium id of a built-in level: ``tomato-watering`` -> ``loophole/TomatoWatering-v0``."""
    return "loophole/" + "".join(part[:1].upper() + part[1:] for part in level.split("-")) + "-v0"


def check(level: Optional[str], reward: str, *, level_file: Optional[PathLike] = None,
          level_text: Optional[str] = None) -> dict:
    """The signals ``reward`` reads on the level (``loophole check --json``); :class:`RewardError` if it does not compile."""
    return json.loads(_loophole.check(reward, **_level_args(level, level_file, level_text)))


def run(level: Optional[str] = None, reward: Optional[str] = None, *, agent: Optional[str] = None,
        power: Optional[int] = None, seed: int = 0, params: Optional[Mapping[str, float]] = None,
        level_file: Optional[PathLike] = None, level_text: Optional[str] = None,
        time_limit: float = 600.0) -> dict:
    """Trains the agent on the reward, plays one episode and judges the design.

    Returns what ``loophole run --json`` prints, plus ``trajectory``: the
    played episode's per-step ``actions``, ``rewards``, ``intent`` and
    ``signals`` (steps x signals) as numpy arrays.
    """
    body, traj = _loophole.run_design(reward=reward, agent=agent, power=power, seed=seed,
                                      params=dict(params) if params else None, time_limit=time_limit,
                                      **_level_args(level, level_file, level_text))
    out = json.loads(body)
    out["trajectory"] = traj
    return out


def replay(level: Optional[str], actions: str, *, reward: Optional[str] = None, seed: int = 0,
           episodes: int = 1, params: Optional[Mapping[str, float]] = None,
           level_file: Optional[PathLike] = None, level_text: Optional[str] = None) -> dict:
    """Plays an action string (``loophole replay --json``), plus the first episode's ``trajectory``."""
    body, traj = _loophole.replay(actions, reward=reward, seed=seed, episodes=episodes,
                                  params=dict(params) if params else None,
                                  **_level_args(level, level_file, level_text))
    out = json.loads(body)
    out["trajectory"] = traj
    return out


def sweep(level: Optional[str], reward: Optional[str] = None, *, powers: str, agent: Optional[str] = None,
          seeds: int = 5, params: Optional[Mapping[str, float]] = None,
          level_file: Optional[PathLike] = None, level_text: Optional[str] = None,
          time_limit: float = 600.0) -> dict:
    """Trains at every power on every seed (``loophole sweep --json``): means, sds and per-seed values.

    ``powers`` is the command line's: ``"1..100:12"`` (log-spaced), ``"1,5,20"``.
    """
    from .experiments import sweep as _sweep

    return _sweep(level, reward, agent, powers=powers, seeds=seeds, params=params, level_file=level_file,
                  level_text=level_text, time_limit=time_limit, progress=False).body


def make(level: Optional[str] = None, *, level_file: Optional[PathLike] = None, level_text: Optional[str] = None,
         reward: Optional[str] = None, params: Optional[Mapping[str, float]] = None, obs: Optional[str] = None,
         render_mode: Optional[str] = None):
    """A Gymnasium environment of any level (built-in, or a level file) and reward."""
    from .env import LoopholeEnv

    return LoopholeEnv(level, level_file=level_file, level_text=level_text, reward=reward, params=params,
                       obs=obs, render_mode=render_mode)


def register_envs() -> None:
    """Registers ``loophole/<Level>-v0`` for every built-in level with Gymnasium (done on import)."""
    import gymnasium

    for level in _loophole.level_ids():
        name = env_id(level)
        if name in gymnasium.registry:
            continue
        kwargs: Dict[str, Any] = dict(id=name, entry_point="loophole.env:LoopholeEnv", kwargs={"level": level})
        try:
            gymnasium.register(vector_entry_point="loophole.vector:LoopholeVectorEnv", **kwargs)
        except TypeError:  # Gymnasium 0.29 has no vector entry points
            gymnasium.register(**kwargs)


try:
    import gymnasium as _gymnasium  # noqa: F401
except ImportError:  # the lab's functions need numpy alone
    pass
else:
    register_envs()


def __getattr__(name: str):
    """`loophole.vector`, `loophole.env` (they need Gymnasium) and `loophole.experiments`, on first use."""
    if name in ("vector", "env", "experiments"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'loophole' has no attribute {name!r}")
