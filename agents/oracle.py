"""The exact oracle as an agent with Stable-Baselines3's ``predict`` interface.

It plays the subgame-perfect equilibrium: at each state, the action for the equilibrium coefficient of
the env's current schedule. The oracle knows the schedule (that is what makes it the oracle); it reads
it from the env it is bound to, whatever wraps that env.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env import VecEnv

from mesa_gym.vector_env import DeceptiveAlignmentVectorEnv


class OracleAgent:
    """``OracleAgent(env).predict(obs)`` → (equilibrium actions, None), batched like ``obs``.

    ``env``: a single env (wrapped or not), a native `DeceptiveAlignmentVectorEnv`, or an SB3 VecEnv
    (DummyVecEnv/SubprocVecEnv/make_vec_env) of such envs. Pass the same env you evaluate on.
    """

    def __init__(self, env: gym.Env | gym.vector.VectorEnv | VecEnv) -> None:
        self.env = env
        self.observation_space = env.observation_space if isinstance(env, VecEnv) else (
            getattr(env, "single_observation_space", env.observation_space))
        self.action_space = env.action_space if isinstance(env, VecEnv) else (
            getattr(env, "single_action_space", env.action_space))

    def actions(self) -> np.ndarray:
        """(B, 1) equilibrium actions at the bound env's current states."""
        env = self.env
        if isinstance(env, VecEnv):
            return np.stack(env.get_attr("oracle_action"))
        if isinstance(env.unwrapped, DeceptiveAlignmentVectorEnv):
            return env.unwrapped.oracle_actions
        return env.unwrapped.oracle_action[None]

    def predict(self, observation: np.ndarray, state: Any = None, episode_start: np.ndarray | None = None,
                deterministic: bool = True) -> tuple[np.ndarray, None]:
        """SB3's signature. Unbatched observations (shape (5,)) give an unbatched action (1,)."""
        actions = self.actions()
        obs = np.asarray(observation)
        if obs.ndim == 1:
            return actions[0], None
        if obs.shape[0] != actions.shape[0]:
            raise ValueError(f"got {obs.shape[0]} observations for an env of {actions.shape[0]} sub-envs: "
                             "bind OracleAgent to the env you evaluate on")
        return actions, None
