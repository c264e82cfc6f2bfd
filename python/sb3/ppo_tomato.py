"""Stable-Baselines3 PPO, unmodified, on Loophole's tomato-watering level.

Shared by the test (test_ppo.py) and by the learning-curve figure of
docs/PYTHON.md (``python python/sb3/ppo_tomato.py docs/ppo-tomato.png``).
"""

import sys

import gymnasium
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env

import loophole

LEVEL = "tomato-watering"
STEPS = 16_384


class Curve(BaseCallback):
    """Every finished training episode: (timestep, return, intent score)."""

    def __init__(self):
        super().__init__()
        self.episodes = []

    def _on_step(self):
        for info, done in zip(self.locals["infos"], self.locals["dones"]):
            if done:
                self.episodes.append((self.num_timesteps, info["episode"]["r"], info["performance"]))
        return True


def train(steps=STEPS, seed=0):
    """PPO with SB3's defaults but for a shorter rollout, on 8 copies; the model and its curve."""
    torch.set_num_threads(1)
    env = make_vec_env(loophole.env_id(LEVEL), n_envs=8, seed=seed)
    model = PPO("MlpPolicy", env, seed=seed, n_steps=256, batch_size=256, ent_coef=0.01, device="cpu")
    curve = Curve()
    model.learn(total_timesteps=steps, callback=curve)
    return model, curve.episodes


def evaluate(policy, episodes=10, seed=1000):
    """Mean return and intent score of `policy(obs) -> action` over fresh episodes."""
    env = gymnasium.make(loophole.env_id(LEVEL))
    rets, perfs = [], []
    for i in range(episodes):
        obs, info = env.reset(seed=seed + i)
        total, done = 0.0, False
        while not done:
            obs, r, terminated, truncated, info = env.step(policy(obs))
            total += r
            done = terminated or truncated
        rets.append(total)
        perfs.append(info["performance"])
    return float(np.mean(rets)), float(np.mean(perfs))


def figure(path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, episodes = train()
    t = np.array([e[0] for e in episodes])
    ret = np.array([e[1] for e in episodes])
    perf = np.array([e[2] for e in episodes])
    k = 16  # a running mean over 16 episodes
    smooth = lambda x: np.convolve(x, np.ones(k) / k, mode="valid")  # noqa: E731
    fig, ax = plt.subplots(figsize=(7.8, 3.6), dpi=120)
    ax.plot(t[k - 1:], smooth(ret), color="#b45309", label="return (what the reward pays)")
    ax.plot(t[k - 1:], smooth(perf), color="#147a38", label="intent score (tomatoes really watered)")
    ax.set_xlabel("PPO training steps (8 environments)")
    ax.set_ylabel("per episode (mean of 16)")
    ax.set_title("Stable-Baselines3 PPO on tomato-watering: it learns to stand on the bucket")
    ax.legend(loc="center right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    figure(sys.argv[1] if len(sys.argv) > 1 else "ppo-tomato.png")
