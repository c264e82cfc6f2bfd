"""Type stubs of the Rust extension (crates/python): the engine behind `loophole`."""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

__version__: str

class RewardError(ValueError):
    """A reward that does not compile: the message is the caret diagnostic."""

    span: Tuple[int, int]
    reward: str

class LevelError(ValueError):
    """A level file that does not parse, at a 1-based line and column."""

    line: int
    column: int

Info = Dict[str, Any]

class Env:
    def __init__(
        self,
        level: Optional[str] = None,
        level_text: Optional[str] = None,
        reward: Optional[str] = None,
        params: Optional[Mapping[str, float]] = None,
        obs: Optional[str] = None,
    ) -> None: ...
    def reset(self, seed: Optional[int] = None) -> Tuple[Any, Info]: ...
    def step(self, action: int) -> Tuple[Any, float, bool, bool, Info]: ...
    def render_ansi(self) -> str: ...
    def render_rgb(self, cell: int = 16) -> npt.NDArray[np.uint8]: ...
    def position(self) -> Tuple[int, int, bytes, bool]: ...
    def restore(self, base: int, episodes: int, actions: bytes, started: bool) -> None: ...
    def describe(self) -> Dict[str, Any]: ...
    @property
    def level_id(self) -> str: ...
    @property
    def reward(self) -> str: ...
    @property
    def obs_kind(self) -> str: ...
    @property
    def done(self) -> bool: ...
    @property
    def t(self) -> int: ...
    @property
    def episode_return(self) -> float: ...
    @property
    def performance(self) -> float: ...

class VecEnv:
    def __init__(
        self,
        num_envs: int,
        level: Optional[str] = None,
        level_text: Optional[str] = None,
        reward: Optional[str] = None,
        params: Optional[Mapping[str, float]] = None,
        obs: Optional[str] = None,
        autoreset: str = "next-step",
    ) -> None: ...
    def buffers(self) -> Dict[str, Any]: ...
    def describe(self) -> Dict[str, Any]: ...
    def reset(self, seeds: Sequence[Optional[int]], mask: Optional[Sequence[bool]] = None) -> None: ...
    def step(self, actions: npt.NDArray[np.int64]) -> None: ...
    @property
    def num_envs(self) -> int: ...

def levels_json() -> str: ...
def level_ids() -> List[str]: ...
def check(reward: str, level: Optional[str] = None, level_text: Optional[str] = None) -> str: ...
def run_design(
    level: Optional[str] = None,
    level_text: Optional[str] = None,
    reward: Optional[str] = None,
    agent: Optional[str] = None,
    power: Optional[int] = None,
    seed: int = 0,
    params: Optional[Mapping[str, float]] = None,
    time_limit: float = 600.0,
) -> Tuple[str, Dict[str, Any]]: ...
def replay(
    actions: str,
    level: Optional[str] = None,
    level_text: Optional[str] = None,
    reward: Optional[str] = None,
    seed: int = 0,
    episodes: int = 1,
    params: Optional[Mapping[str, float]] = None,
) -> Tuple[str, Dict[str, Any]]: ...
def sweep_plan(
    powers: str,
    level: Optional[str] = None,
    level_text: Optional[str] = None,
    reward: Optional[str] = None,
    agent: Optional[str] = None,
    seeds: int = 5,
    params: Optional[Mapping[str, float]] = None,
) -> Tuple[str, str, str, List[int], int, List[Tuple[int, int]]]: ...
def run_jobs(
    jobs: Sequence[Tuple[int, int]],
    level: Optional[str] = None,
    level_text: Optional[str] = None,
    reward: Optional[str] = None,
    agent: Optional[str] = None,
    params: Optional[Mapping[str, float]] = None,
    threads: Optional[int] = None,
    time_limit: float = 600.0,
) -> List[Tuple[float, float]]: ...
def sweep_json(
    level: str, agent: str, reward: str, powers: Sequence[int], seeds: int, results: Sequence[Tuple[float, float]]
) -> str: ...
