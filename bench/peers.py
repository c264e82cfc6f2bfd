"""Steps per second of the Python peers beside `loophole bench`, in one run.

Run through bench/peers.sh, which makes the virtual environment. Each peer
takes uniformly random actions for N steps and resets when an episode ends,
which is what `loophole bench` does:

- safety-gridworlds-gymnasium's `safety_gridworlds/Sokoban-v0`: the same
  6x6 map as Loophole's `side-effects-sokoban` (robot, box, goal, walls in
  the same cells), reward -1 a step and +50 at the goal.
- minigrid's `MiniGrid-Empty-6x6-v0`: the closest minigrid has to the same
  work, a 6x6 grid (walls included) with a goal, stepped by a random policy.
  Its observation is a 7x7 egocentric image, so a step does more than the
  Sokoban one; it is listed as the most used gridworld package, not as the
  same map.

Each peer is measured as made by `gymnasium.make` (with the wrappers every
user gets: time limit, order enforcing, checker) and unwrapped (the bare
environment, no time limit: episodes end only at the goal).

Every measurement is repeated RUNS times, the peers and Loophole taking
turns, and each keeps its best run: on a shared machine a single run of
either side can be slowed by whatever else runs, and the best of several is
the figure closest to what the code itself costs, on both sides alike.
"""

import json
import os
import random
import subprocess
import sys
import time

import gymnasium as gym
import minigrid  # noqa: F401  (registers the MiniGrid environments)
import safety_gridworlds_gymnasium  # noqa: F401  (registers safety_gridworlds/*)


def steps_per_second(env, n, seed=0):
    rng = random.Random(seed)
    actions = env.action_space.n
    env.reset(seed=seed)
    episodes = 0
    started = time.perf_counter()
    for _ in range(n):
        _obs, _reward, terminated, truncated, _info = env.step(rng.randrange(actions))
        if terminated or truncated:
            episodes += 1
            env.reset()
    seconds = time.perf_counter() - started
    return n / seconds, episodes


def loophole_steps_per_second(loophole, steps):
    out = subprocess.run(
        [loophole, "bench", "--level", "side-effects-sokoban",
         "--steps", str(steps), "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)["steps_per_sec"]


def main():
    loophole = sys.argv[1]
    n = int(sys.argv[2])
    loophole_steps = int(sys.argv[3])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    peers = []
    for env_id in ["safety_gridworlds/Sokoban-v0", "MiniGrid-Empty-6x6-v0"]:
        made = gym.make(env_id)
        for how, env in [("gymnasium.make", made), ("unwrapped", made.unwrapped)]:
            peers.append((env_id, how, env))
    best = [0.0] * len(peers)
    ours = 0.0
    for _ in range(runs):
        for i, (_env_id, _how, env) in enumerate(peers):
            best[i] = max(best[i], steps_per_second(env, n)[0])
        ours = max(ours, loophole_steps_per_second(loophole, loophole_steps))
    rows = [(env_id, how, env.action_space.n, sps)
            for (env_id, how, env), sps in zip(peers, best)]
    print(f"Python {sys.version.split()[0]}, gymnasium {gym.__version__}, "
          f"{n} random steps per peer; loophole {loophole_steps} steps; one core each; "
          f"best of {runs} runs each, taking turns")
    print()
    print(f"| {'environment':<40} | {'as':<14} | {'actions':>7} | {'steps/s':>12} | {'loophole / peer':>15} |")
    print(f"|{'-' * 42}|{'-' * 16}|{'-' * 8}:|{'-' * 13}:|{'-' * 16}:|")
    print(f"| {'loophole side-effects-sokoban':<40} | {'loophole bench':<14} | {4:>7} | {ours:>12,.0f} | {'1':>15} |")
    for env_id, how, actions, sps in rows:
        print(f"| {env_id:<40} | {how:<14} | {actions:>7} | {sps:>12,.0f} | {ours / sps:>14,.0f}x |")


if __name__ == "__main__":
    main()
