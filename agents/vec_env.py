"""The native vector env as a Stable-Baselines3 VecEnv (same-step autoreset, ``terminal_observation``).

Faster than ``DummyVecEnv`` over single envs, and with ``continuation="self"`` it batches the later
agents' policy calls over all envs instead of one env at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices

from mesa_gym.vector_env import INFO_KEYS, DeceptiveAlignmentVectorEnv


class MesaVecEnv(VecEnv):
    """``MesaVecEnv(num_envs, **env_kwargs)``: SB3's VecEnv over `DeceptiveAlignmentVectorEnv`."""

    def __init__(self, num_envs: int = 1, **env_kwargs: Any) -> None:
        self.venv = DeceptiveAlignmentVectorEnv(num_envs=num_envs, **env_kwargs)
        super().__init__(num_envs, self.venv.single_observation_space, self.venv.single_action_space)
        self._actions: np.ndarray | None = None
        self._seed: int | None = None

    def reset(self) -> np.ndarray:
        obs, _ = self.venv.reset(seed=self._seed)
        self._seed = None
        return obs

    def seed(self, seed: int | None = None) -> Sequence[int | None]:
        self._seed = seed
        return [None if seed is None else seed + i for i in range(self.num_envs)]

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self):
        obs, rewards, terminated, truncated, info = self.venv.step(self._actions)
        dones = terminated | truncated
        infos: list[dict[str, Any]] = [{key: info[key][i].item() for key in INFO_KEYS} for i in range(self.num_envs)]
        if dones.any():
            for i in np.flatnonzero(dones):
                infos[i]["terminal_observation"] = obs[i].copy()
                infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
            reset_obs, _ = self.venv.reset(options={"reset_mask": dones})
            obs = np.where(dones[:, None], reset_obs, obs)
        return obs, rewards.astype(np.float32), dones, infos

    def close(self) -> None:
        self.venv.close()

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        return [getattr(self.venv, attr_name) for _ in self._get_indices(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        setattr(self.venv, attr_name, value)

    def env_method(self, method_name: str, *method_args: Any, indices: VecEnvIndices = None,
                   **method_kwargs: Any) -> list[Any]:
        """Calls the vector env's method once (it acts on every env) and repeats its answer per env."""
        result = getattr(self.venv, method_name)(*method_args, **method_kwargs)
        return [result for _ in self._get_indices(indices)]

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        return [False for _ in self._get_indices(indices)]
