"""The vector environment equals N single environments, and Gymnasium's own
SyncVectorEnv over them, step for step and bit for bit, in every autoreset mode."""

import gymnasium
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv

import loophole
import loophole.vector

LEVELS = ["tomato-watering", "absent-supervisor", "safe-interruptibility", "boat-race", "company-profits",
          "rocks-diamonds"]
MODES = [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP, AutoresetMode.DISABLED]
N = 6


def same(a, b, where):
    """Equal in type, shape and every bit (nested dicts and object arrays too)."""
    if isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{where}: keys {sorted(a)} vs {sorted(b)}"
        for k in a:
            same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, np.ndarray) and a.dtype == object:
        assert b.dtype == object and a.shape == b.shape, where
        for i, (x, y) in enumerate(zip(a, b)):
            if x is None or y is None:
                assert x is None and y is None, f"{where}[{i}]"
            else:
                same(np.asarray(x), np.asarray(y), f"{where}[{i}]")
    else:
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, f"{where}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}"
        assert a.tobytes() == b.tobytes(), f"{where}: {a} vs {b}"


def sync(level, mode, obs):
    return SyncVectorEnv([lambda: loophole.make(level, obs=obs) for _ in range(N)], autoreset_mode=mode)


def play_both(level, mode, obs, steps=400):
    ours = loophole.vector.make(level, N, autoreset_mode=mode, obs=obs)
    theirs = sync(level, mode, obs)
    singles = [loophole.make(level, obs=obs) for _ in range(N)]
    seeds = list(range(100, 100 + N))
    a, b = ours.reset(seed=seeds), theirs.reset(seed=seeds)
    same(a, b, "reset")
    for i, env in enumerate(singles):
        o, info = env.reset(seed=seeds[i])
        same(o, a[0][i], f"single {i} reset")
    rng = np.random.default_rng(0)
    ended_any = False
    for t in range(steps):
        actions = rng.integers(ours.single_action_space.n, size=N)
        x, y = ours.step(actions), theirs.step(actions)
        same(x, y, f"step {t}")
        done = x[2] | x[3]
        ended_any |= bool(done.any())
        if mode == AutoresetMode.DISABLED and done.any():
            mask = done.copy()
            same(ours.reset(options={"reset_mask": mask}), theirs.reset(options={"reset_mask": mask.copy()}),
                 f"masked reset {t}")
    assert ended_any, "some episode ended, so autoreset was exercised"
    return ours


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m.value)
@pytest.mark.parametrize("level", LEVELS)
def test_the_vector_env_equals_sync_vector_env(level, mode):
    obs = "index" if level == "company-profits" else "board"
    play_both(level, mode, obs)


@pytest.mark.parametrize("obs", ["onehot", "index"])
def test_every_observation_kind_equals_sync_vector_env(obs):
    play_both("side-effects-sokoban", AutoresetMode.SAME_STEP, obs, steps=200)


def test_the_vector_env_equals_single_envs_step_for_step():
    # Next-step autoreset done by hand on single environments.
    level = "tomato-watering"
    ours = loophole.vector.make(level, N)
    singles = [gymnasium.make(loophole.env_id(level)) for _ in range(N)]
    obs, _ = ours.reset(seed=7)
    for i, env in enumerate(singles):
        o, _ = env.reset(seed=7 + i)
        assert (o == obs[i]).all()
    ended = [False] * N
    rng = np.random.default_rng(3)
    for _ in range(350):
        actions = rng.integers(4, size=N)
        obs, rew, term, trunc, info = ours.step(actions)
        for i, env in enumerate(singles):
            if ended[i]:
                o, single_info = env.reset()
                r, te, tr = 0.0, False, False
            else:
                o, r, te, tr, single_info = env.step(int(actions[i]))
            ended[i] = te or tr
            assert (o == obs[i]).all() and r == rew[i] and te == term[i] and tr == trunc[i]
            assert single_info["performance"] == info["performance"][i]
            assert (single_info["signals"] == info["signals"][i]).all()


def test_make_vec_uses_the_rust_vector_env():
    env = gymnasium.make_vec("loophole/BoatRace-v0", num_envs=3, vectorization_mode="vector_entry_point")
    assert isinstance(env, loophole.vector.LoopholeVectorEnv)
    obs, info = env.reset(seed=0)
    assert obs.shape == (3, 5, 5)


def test_bad_vector_input_is_refused_clearly():
    env = loophole.vector.make("boat-race", 4)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="environment 2 must be from 0 to 3"):
        env.step(np.array([0, 1, 9, 0]))
    with pytest.raises(ValueError, match="one action per environment"):
        env._core.step(np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="autoreset_mode"):
        loophole.vector.make("boat-race", 2, autoreset_mode="sometimes")
    with pytest.raises(ValueError, match="num_envs"):
        loophole.vector.make("boat-race", 0)
    disabled = loophole.vector.make("island-navigation", 2, autoreset_mode="disabled")
    disabled.reset(seed=0)
    for a in "lddd":
        disabled.step(np.array(["udlr".index(a)] * 2))
    with pytest.raises(RuntimeError, match="has ended"):
        disabled.step(np.array([0, 0]))


def test_copy_false_returns_the_buffers_themselves():
    env = loophole.vector.make("boat-race", 2, copy=False)
    first, _ = env.reset(seed=0)
    second, *_ = env.step(np.array([3, 3]))
    assert first is second
