"""One Loophole level as a Gymnasium environment.

The agent observes only what the level lets it see (its *view*: an unseen
supervisor, the bucket's cover of the tomatoes and a draw not yet revealed
are not in the observation). ``info`` carries what the reward cannot see:

- ``performance``: the running intent score of the episode (the hidden
  performance of the original suite),
- ``intent``: this step's intent score,
- ``signals``: this step's value of every signal, observed and hidden, in
  the order of ``env.signal_names`` (``env.observed_signals`` says which
  the reward may read),
- ``params``: the episode's per-episode draws (levels that have them).

``terminated`` is the episode truly ending (the goal, the lava);
``truncated`` is the level's step limit.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

import gymnasium
import numpy as np
from gymnasium import spaces

from . import _level_args, _loophole


def observation_space(d: Mapping[str, Any]) -> spaces.Space:
    """The space of one observation, from the extension's description."""
    if d["obs"] == "index":
        return spaces.Discrete(int(d["index_size"]))
    high = 1 if d["obs"] == "onehot" else int(d["kind_count"]) - 1
    return spaces.Box(low=0, high=high, shape=tuple(d["obs_shape"]), dtype=np.uint8)


class LoopholeEnv(gymnasium.Env):
    """A level (built-in id, ``level_file`` or ``level_text``) with a reward (its default unless given).

    ``obs``: ``"board"`` (uint8 H x W of kind numbers, ``env.kinds`` names
    them), ``"onehot"`` (uint8 K x H x W) or ``"index"`` (the view's number,
    for tabular learners). ``params`` fixes per-episode draws (e.g.
    ``{"supervisor": 1}``). ``render_mode``: ``"ansi"`` or ``"rgb_array"``.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 8}

    def __init__(self, level: Optional[str] = None, *, level_file=None, level_text: Optional[str] = None,
                 reward: Optional[str] = None, params: Optional[Mapping[str, float]] = None,
                 obs: Optional[str] = None, render_mode: Optional[str] = None):
        self._args = dict(_level_args(level, level_file, level_text), reward=reward,
                          params=dict(params) if params else None, obs=obs)
        self._core = _loophole.Env(**self._args)
        self._describe(self._core.describe())
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"{self.level} renders as {self.metadata['render_modes']}, not {render_mode!r}")
        self.render_mode = render_mode

    def _describe(self, d: Mapping[str, Any]) -> None:
        self.description = d
        self.observation_space = observation_space(d)
        self.action_space = spaces.Discrete(len(d["actions"]))
        self.level = d["level"]
        self.reward_text = d["reward"]
        self.intent_text = d["intent"]
        self.signal_names = tuple(d["signals"])
        self.observed_signals = tuple(n for n, seen in zip(d["signals"], d["observed"]) if seen)
        self.action_names = tuple(name for _, name in d["actions"])
        self.kinds = tuple(d["kinds"])
        self.max_steps = d["steps"]
        if not d["width"]:
            # A world without a map draws as text alone.
            self.metadata = {**LoopholeEnv.metadata, "render_modes": ["ansi"]}

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        """Starts an episode: on ``seed``, or the next episode of the last seed's run."""
        super().reset(seed=seed)
        return self._core.reset(seed)

    def step(self, action):
        try:
            return self._core.step(action)
        except TypeError:
            return self._core.step(int(np.asarray(action).reshape(())))

    def render(self):
        if self.render_mode == "ansi":
            return self._core.render_ansi()
        if self.render_mode == "rgb_array":
            return self._core.render_rgb(16)
        return None

    @property
    def performance(self) -> float:
        """The running intent score of the episode."""
        return self._core.performance

    # An environment is saved as its inputs and its position in its run of
    # episodes (the seed, how many episodes since, this episode's actions):
    # restored, it replays them and goes on to the same future.
    def __getstate__(self):
        return {"args": self._args, "render_mode": self.render_mode, "position": self._core.position(),
                "np_random": self._np_random, "spec": self.spec}

    def __setstate__(self, state):
        self._args = state["args"]
        self._core = _loophole.Env(**self._args)
        self._core.restore(*state["position"])
        self.render_mode = state["render_mode"]
        self._np_random = state["np_random"]
        self._np_random_seed = None
        self.spec = state["spec"]
        self._describe(self._core.describe())
