"""Env steps per second, side by side with Gymnasium's CartPole in one run.

    python benchmarks/bench_env.py [--seconds 2] [--rounds 3]

Single env (``gym.make``, default wrappers) against ``CartPole-v1``; the native vector env at 1, 64
and 1024 envs against Gymnasium's ``CartPoleVectorEnv``. Two measures:

- ``step``: env.step alone, with actions drawn beforehand (what the env itself costs);
- ``step, mesa-gym in lockstep`` (vector envs): the same, but mesa-gym's action is 0 throughout, so no
  episode diverges and all end together (as near equilibrium); CartPole as in ``step``;
- ``gymnasium``: `gymnasium.utils.performance.benchmark_step` / ``benchmark_vector_step``, which also
  times ``action_space.sample()`` every step: about 15 µs for our Box against 1 µs for CartPole's
  Discrete, a cost of Gymnasium's sampler rather than of either env.

Each pair is measured alternately for ``--rounds`` rounds; the median ratio is reported (machine
speed drifts, a ratio measured side by side does not). Writes benchmarks/results/env.json.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import gymnasium as gym
import numpy as np
from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv
from gymnasium.utils.performance import benchmark_step, benchmark_vector_step

from mesa_gym import ENV_ID, io
from mesa_gym.vector_env import DeceptiveAlignmentVectorEnv


def step_only(env, seconds: float, lockstep: bool = False) -> float:
    """Env steps per second with pre-drawn actions (single env: reset on termination).

    ``lockstep``: for mesa-gym, action 0 throughout (coefficient 0: θ never diverges, so every
    episode runs its full length and the vector env's episodes end together, as near equilibrium).
    """
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(1000)]
    if lockstep:
        actions = [np.zeros_like(action) for action in actions]
    env.reset(seed=0)
    vector = hasattr(env, "num_envs")
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for action in actions:
            _, _, terminated, truncated, _ = env.step(action)
            if not vector and (terminated or truncated):
                env.reset()
        steps += len(actions) * (env.num_envs if vector else 1)
    return steps / (time.perf_counter() - start)


def lockstep_measure(env, seconds: float) -> float:
    """mesa-gym with action 0 (see `step_only`); CartPole as in "step"."""
    return step_only(env, seconds, lockstep=isinstance(env, DeceptiveAlignmentVectorEnv))


def gymnasium_measure(env, seconds: float) -> float:
    bench = benchmark_vector_step if hasattr(env, "num_envs") else benchmark_step
    return bench(env, target_duration=seconds, seed=0)


def compare(make_ours: Callable, make_theirs: Callable, measure: Callable, seconds: float, rounds: int) -> dict:
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(measure(make_ours(), seconds))
        theirs.append(measure(make_theirs(), seconds))
    return {"ours_steps_per_s": statistics.median(ours), "cartpole_steps_per_s": statistics.median(theirs),
            "ratio": statistics.median(o / t for o, t in zip(ours, theirs))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 64, 1024])
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "env.json"))
    args = parser.parse_args()

    pairs = {"single env": (lambda: gym.make(ENV_ID), lambda: gym.make("CartPole-v1"))}
    for n in args.sizes:
        pairs[f"vector env, {n} envs"] = (lambda n=n: DeceptiveAlignmentVectorEnv(num_envs=n),
                                          lambda n=n: CartPoleVectorEnv(num_envs=n))
    rows = {}
    print("| env | measure | mesa-gym steps/s | CartPole steps/s | ratio |\n|---|---|---|---|---|")
    for name, (ours, theirs) in pairs.items():
        measures = [("step", step_only), ("gymnasium", gymnasium_measure)]
        if name.startswith("vector"):
            measures.insert(1, ("step, mesa-gym in lockstep", lockstep_measure))
        for label, measure in measures:
            row = compare(ours, theirs, measure, args.seconds, args.rounds)
            rows[f"{name} / {label}"] = row
            print(f"| {name} | {label} | {row['ours_steps_per_s']:,.0f} | {row['cartpole_steps_per_s']:,.0f} "
                  f"| {row['ratio']:.2f}× |", flush=True)
    io.write_json(args.out, {"python": platform.python_version(), "gymnasium": gym.__version__,
                             "numpy": np.__version__, "rows": rows})


if __name__ == "__main__":
    main()
