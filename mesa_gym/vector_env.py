"""A native vector env: the same game for B envs at once, numpy over the batch.

Same `mesa_gym.model` calls, `EnvConfig`, game tables and `score` as the single env, so for the same
seeds it gives bit-identical trajectories (env i is seeded with seed + i, as Gymnasium's SyncVectorEnv).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from mesa_gym import model
from mesa_gym.continuation import Policy, check_action, policy_costs
from mesa_gym.env import EnvConfig, action_space, score
from mesa_gym.game import N_FEATURES


class DeceptiveAlignmentVectorEnv(VectorEnv):
    """``num_envs`` copies of `DeceptiveAlignmentEnv` (same arguments and semantics), batched.

    Autoreset is Gymnasium's default NEXT_STEP: the step after an env terminates resets it (its
    action is ignored, reward 0). ``info`` holds an array per key with a ``"_key"`` mask of the envs
    that really stepped.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": [], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(self, num_envs: int = 1, **kwargs: Any) -> None:
        if int(num_envs) < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        self.num_envs = int(num_envs)
        self.config = EnvConfig(**kwargs)
        self.single_action_space = action_space()
        self.single_observation_space = self.config.observation_space()
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.render_mode = None
        self._policy: Policy | None = self.config.continuation if callable(self.config.continuation) else None
        self._rngs = [seeding.np_random()[0] for _ in range(self.num_envs)]
        h = self.config.max_horizon
        b = self.num_envs
        self._rates = np.zeros((b, h))
        self._coef = np.zeros((b, h))
        self._suffix = np.zeros((3, b, h))
        self._fixed = np.zeros((3, b, h))
        self._features = np.zeros((b, h + 1, N_FEATURES))
        self._horizon = np.zeros(b, dtype=np.int64)
        self._theta = np.zeros(b)
        self._n = np.zeros(b, dtype=np.int64)
        self._autoreset = np.zeros(b, dtype=bool)
        self._started = False

    def set_continuation_policy(self, policy: Policy) -> None:
        """Install the policy that plays later agents in every env (``continuation="self"``)."""
        self._policy = self.config.check_policy(policy)

    @property
    def oracle_coefficients(self) -> np.ndarray:
        """(B,) the equilibrium coefficient at each env's current state (1 where an episode has ended)."""
        n = np.minimum(self._n, self._horizon - 1)
        return np.where(self._n < self._horizon, self._coef[np.arange(self.num_envs), n], 1.0)

    @property
    def oracle_actions(self) -> np.ndarray:
        """(B, 1) actions for the equilibrium coefficients at the current states."""
        return (self.oracle_coefficients / self.config.bound)[:, None]

    def reset(self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            seeds = [None if s is None else int(s) for s in seed] if isinstance(seed, list) else [
                int(seed) + i for i in range(self.num_envs)]
            if len(seeds) != self.num_envs:
                raise ValueError(f"got {len(seeds)} seeds for {self.num_envs} envs")
            self._rngs = [seeding.np_random(s)[0] for s in seeds]
        options = options or {}
        mask = options.get("reset_mask")
        rows = np.arange(self.num_envs) if mask is None else np.flatnonzero(np.asarray(mask, dtype=bool))
        infos = {"theta0": np.zeros(self.num_envs), "_theta0": np.zeros(self.num_envs, dtype=bool)}
        for i in rows:
            infos["theta0"][i] = self._reset_one(int(i), options)
            infos["_theta0"][i] = True
        self._autoreset[rows] = False
        self._started = True
        return self._observations(), infos

    def step(self, actions):
        if not self._started:
            raise RuntimeError("call reset() before step()")
        a = check_action(actions, batch=self.num_envs) * self.config.bound
        cfg, b = self.config, self.num_envs
        resetting = self._autoreset.copy()
        for i in np.flatnonzero(resetting):
            self._reset_one(int(i), {})
        live = np.flatnonzero(~resetting)
        n, theta = self._n[live], self._theta[live]
        a = a[live]
        lr = self._rates[live, n]
        eq_suffix = tuple(self._suffix[j, live, n] for j in range(3))
        new_theta = model.next_theta(theta, a, lr, cfg.regularization)
        if cfg.kind == "oracle":
            cost = model.agent_cost(a, lr, eq_suffix, cfg.discount, cfg.regularization) * theta * theta
        elif cfg.kind == "fixed":
            fixed = tuple(self._fixed[j, live, n] for j in range(3))
            cost = model.agent_cost(a, lr, fixed, cfg.discount, cfg.regularization) * theta * theta
        else:
            if self._policy is None:
                raise RuntimeError("continuation='self' needs a policy: call set_continuation_policy() first")
            cost = model.mesa_objective(model.output(a, theta), theta) + policy_costs(
                self._policy, theta, new_theta, n + 1, self._rates[live], self._features[live],
                self._horizon[live], discount=cfg.discount, regularization=cfg.regularization, bound=cfg.bound,
                theta_limit=cfg.theta_limit)
        step_reward, step_info = score(cfg, a, theta, lr, eq_suffix, self._coef[live, n], cost,
                                       self._horizon[live] - n, new_theta)
        step_info["agent"] = n
        self._theta[live], self._n[live] = new_theta, n + 1
        terminated = np.zeros(b, dtype=bool)
        terminated[live] = step_info["diverged"] | (self._n[live] == self._horizon[live])
        rewards = np.zeros(b)
        rewards[live] = step_reward
        infos: dict[str, Any] = {}
        for key, value in step_info.items():
            column = np.zeros(b, dtype=np.asarray(value).dtype)
            column[live] = value
            infos[key], infos[f"_{key}"] = column, ~resetting
        self._autoreset = terminated
        return self._observations(), rewards, terminated, np.zeros(b, dtype=bool), infos

    # --- internals --------------------------------------------------------------------------------

    def _reset_one(self, i: int, options: dict[str, Any]) -> float:
        rng = self._rngs[i]
        rates = self.config.draw_schedule(rng, options)
        table = self.config.table(rates)
        h = table.horizon
        self._rates[i, :h], self._coef[i, :h] = table.rates, table.coefficients
        self._suffix[:, i, :h] = table.s0, table.s1, table.s2
        if self.config.kind == "fixed":
            self._fixed[:, i, :h] = self.config.fixed_suffix(rates).T
        self._features[i, : h + 1] = table.features
        self._horizon[i] = h
        self._theta[i] = self.config.draw_theta0(rng, options)
        self._n[i] = 0
        return self._theta[i]

    def _observations(self) -> np.ndarray:
        limit = self.config.theta_limit
        obs = np.empty((self.num_envs, 1 + N_FEATURES), dtype=np.float32)
        obs[:, 0] = np.clip(self._theta, -limit, limit)
        obs[:, 1:] = self._features[np.arange(self.num_envs), self._n]
        return obs
