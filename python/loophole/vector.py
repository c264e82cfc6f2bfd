"""Many copies of one level, stepped in one call into Rust (Gymnasium >= 1.1).

``loophole.vector.make("tomato-watering", num_envs=256)`` is a
:class:`gymnasium.vector.VectorEnv` whose ``step`` is one call that steps
every copy without the GIL, writing into numpy buffers allocated once. Its
results equal those of ``gymnasium.vector.SyncVectorEnv`` over
``num_envs`` single environments, bit for bit, in each autoreset mode
(``"next-step"``, ``"same-step"``, ``"disabled"`` with
``options={"reset_mask": mask}``), and ``info`` takes Gymnasium's
array-and-mask form (``info["performance"]``, ``info["_performance"]``).

With ``copy=False`` the arrays returned are the buffers themselves, written
over by the next step (Gymnasium's ``copy=False``): the fastest way, for
code that reads each step's arrays before the next.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Union

import numpy as np

try:
    from gymnasium import spaces
    from gymnasium.vector import AutoresetMode, VectorEnv
    from gymnasium.vector.utils import batch_space
except ImportError as e:  # pragma: no cover - depends on the Gymnasium installed
    raise ImportError("loophole.vector needs Gymnasium 1.1 or later (pip install 'gymnasium>=1.1')") from e

from . import _level_args, _loophole
from .env import observation_space

_MODES = {
    AutoresetMode.NEXT_STEP: "next-step",
    AutoresetMode.SAME_STEP: "same-step",
    AutoresetMode.DISABLED: "disabled",
}


def _mode(value: Union[str, AutoresetMode]) -> AutoresetMode:
    if isinstance(value, AutoresetMode):
        return value
    for mode, name in _MODES.items():
        if value in (name, mode.value):
            return mode
    raise ValueError(f"autoreset_mode must be one of {sorted(_MODES.values())}, found {value!r}")


class LoopholeVectorEnv(VectorEnv):
    """``num_envs`` copies of a level with a reward, stepped together in Rust."""

    def __init__(self, level: Optional[str] = None, num_envs: int = 1, *, level_file=None,
                 level_text: Optional[str] = None, reward: Optional[str] = None,
                 params: Optional[Mapping[str, float]] = None, obs: Optional[str] = None,
                 autoreset_mode: Union[str, AutoresetMode] = AutoresetMode.NEXT_STEP, copy: bool = True):
        mode = _mode(autoreset_mode)
        self._core = _loophole.VecEnv(int(num_envs), autoreset=_MODES[mode], obs=obs,
                                      reward=reward, params=dict(params) if params else None,
                                      **_level_args(level, level_file, level_text))
        d = self._core.describe()
        self.description = d
        self.num_envs = int(num_envs)
        self.autoreset_mode = mode
        self.metadata = {"autoreset_mode": mode, "render_modes": []}
        self.render_mode = None
        self.copy = copy
        self.single_observation_space = observation_space(d)
        self.single_action_space = spaces.Discrete(len(d["actions"]))
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.signal_names = tuple(d["signals"])
        self.observed_signals = tuple(n for n, seen in zip(d["signals"], d["observed"]) if seen)
        self.param_names = tuple(d["params"])
        self.level = d["level"]
        self._b = self._views(self._core.buffers())

    @staticmethod
    def _views(buffers: Dict[str, Any]) -> Dict[str, np.ndarray]:
        """Each field as a numpy view of the flat buffer the extension writes it in."""
        views = {}
        for name, (buffer, offset, shape) in buffers["fields"].items():
            flat = buffers[buffer]
            size = int(np.prod(shape, dtype=np.int64))
            views[name] = flat[offset:offset + size].reshape(shape)
        return views

    def reset(self, *, seed: Union[int, Sequence[Optional[int]], None] = None,
              options: Optional[Dict[str, Any]] = None):
        """Resets every copy (or those ``options["reset_mask"]`` selects).

        ``seed``: an int seeds copy i with ``seed + i`` (as SyncVectorEnv does),
        a list gives each its own, None continues each copy's run of episodes.
        """
        n = self.num_envs
        if seed is None:
            seeds = [None] * n
        elif isinstance(seed, (int, np.integer)):
            seeds = [int(seed) + i for i in range(n)]
        else:
            seeds = [None if s is None else int(s) for s in seed]
            if len(seeds) != n:
                raise ValueError(f"give one seed per environment ({n}), found {len(seeds)}")
        mask = None
        if options and "reset_mask" in options:
            mask = np.asarray(options["reset_mask"])
            if mask.shape != (n,) or mask.dtype != np.bool_:
                raise ValueError(f"options['reset_mask'] must be a bool array of shape ({n},)")
            if not mask.any():
                raise ValueError("options['reset_mask'] must select at least one environment")
        self._core.reset(seeds, None if mask is None else mask.tolist())
        return self._obs(), self._info(mask)

    def step(self, actions):
        self._core.step(np.ascontiguousarray(actions, dtype=np.int64).reshape(self.num_envs))
        b = self._b
        info = self._info(None)
        if self.autoreset_mode == AutoresetMode.SAME_STEP:
            ended = b["final_mask"]
            if ended.any():
                self._add_final(info, ended)
        return (self._obs(), b["reward"].copy(), b["terminated"].copy(), b["truncated"].copy(), info)

    def _obs(self):
        return self._b["obs"].copy() if self.copy else self._b["obs"]

    def _info(self, mask: Optional[np.ndarray]) -> Dict[str, Any]:
        """The step's info in Gymnasium's vector form (what SyncVectorEnv would give)."""
        b = self._b
        n = self.num_envs
        if mask is None:
            mask = np.ones(n, dtype=np.bool_)
            pick = lambda a: a.copy()  # noqa: E731
        else:
            pick = lambda a: np.where(mask.reshape((n,) + (1,) * (a.ndim - 1)), a, 0.0)  # noqa: E731
        return self._info_of(mask, pick, b["performance"], b["intent"], b["signals"], b["params"])

    def _info_of(self, mask, pick, performance, intent, signals, params) -> Dict[str, Any]:
        # One mask array shared by the keys of this step's info (a fresh one each step).
        mask = mask.copy()
        info: Dict[str, Any] = {
            "performance": pick(performance), "_performance": mask,
            "intent": pick(intent), "_intent": mask,
            "signals": pick(signals), "_signals": mask,
        }
        if self.param_names:
            drawn = pick(params)
            p: Dict[str, Any] = {}
            for j, name in enumerate(self.param_names):
                p[name] = np.ascontiguousarray(drawn[:, j])
                p["_" + name] = mask
            info["params"] = p
            info["_params"] = mask
        return info

    def _add_final(self, info: Dict[str, Any], ended: np.ndarray) -> None:
        """Same-step autoreset: the ended episodes' last observation and info."""
        b = self._b
        n = self.num_envs
        ended = ended.copy()
        final_obs = np.full(n, None, dtype=object)
        for i in np.flatnonzero(ended):
            final_obs[i] = b["final_obs"][i].copy() if b["final_obs"].ndim > 1 else b["final_obs"][i]
        info["final_obs"] = final_obs
        info["_final_obs"] = ended.copy()
        pick = lambda a: np.where(ended.reshape((n,) + (1,) * (a.ndim - 1)), a, 0.0)  # noqa: E731
        info["final_info"] = self._info_of(ended, pick, b["final_performance"], b["final_intent"],
                                           b["final_signals"], b["final_params"])
        info["_final_info"] = ended.copy()


def make(level: Optional[str] = None, num_envs: int = 1, **kwargs) -> LoopholeVectorEnv:
    """``num_envs`` copies of a level (see :class:`LoopholeVectorEnv`)."""
    return LoopholeVectorEnv(level, num_envs, **kwargs)
