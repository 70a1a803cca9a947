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

INFO_KEYS = ("base_loss", "mesa_loss", "oracle_coefficient", "regret", "phase", "theta", "coefficient", "output",
             "next_theta", "diverged", "agent")
MASK_KEYS = {key: f"_{key}" for key in INFO_KEYS}
MASKED = {key: "" if key == "phase" else 0 for key in INFO_KEYS}
"""What masked-out info entries hold (envs that reset instead of stepping)."""
UNIFORM_BLOCK = 64


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
        h, b = self.config.max_horizon, self.num_envs
        self._rows = np.arange(b)
        # One slot per distinct schedule seen, shared by the envs playing it (a reset is then O(1) per
        # env): per slot and episode, lr, equilibrium a*, m(a*), S0, S1, S2; the observation rows; the
        # suffix sums of a fixed-array continuation.
        self._tables: dict[int, tuple[int, Any]] = {}
        self._stack_packed = np.zeros((0, h, 6))
        self._stack_obs = np.zeros((0, h + 1, 1 + N_FEATURES), dtype=np.float32)
        self._stack_fixed = np.zeros((0, h, 3))
        self._slot = np.zeros(b, dtype=np.int64)
        self._base = np.zeros(b, dtype=np.int64)  # slot·H: flat row offsets into the stacked tables
        self._obs_base = np.zeros(b, dtype=np.int64)
        self._horizon = np.zeros(b, dtype=np.int64)
        self._theta = np.zeros(b)
        self._n = np.zeros(b, dtype=np.int64)
        self._autoreset = np.zeros(b, dtype=bool)
        self._all_on_schedule = False  # fixed schedule: every env's slot is that schedule's
        self._uniforms = np.zeros((b, UNIFORM_BLOCK))
        self._uniform_pos = np.full(b, UNIFORM_BLOCK)
        self._started = False

    def set_continuation_policy(self, policy: Policy) -> None:
        """Install the policy that plays later agents in every env (``continuation="self"``)."""
        self._policy = self.config.check_policy(policy)

    @property
    def oracle_coefficients(self) -> np.ndarray:
        """(B,) the equilibrium coefficient at each env's current state (1 where an episode has ended)."""
        n = np.minimum(self._n, self._horizon - 1)
        return np.where(self._n < self._horizon, self._packed_flat[self._base + n, 1], 1.0)

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
            self._uniform_pos[:] = UNIFORM_BLOCK  # pre-drawn uniforms belong to the old generators
        options = options or {}
        mask = options.get("reset_mask")
        rows = self._rows if mask is None else np.flatnonzero(np.asarray(mask, dtype=bool))
        self._reset_rows(rows, options)
        self._autoreset = self._autoreset.copy()
        self._autoreset[rows] = False
        infos = {"theta0": np.where(np.isin(self._rows, rows), self._theta, 0.0),
                 "_theta0": np.isin(self._rows, rows)}
        self._started = True
        return self._observations(), infos

    def step(self, actions):
        if not self._started:
            raise RuntimeError("call reset() before step()")
        cfg, b = self.config, self.num_envs
        a = check_action(actions, batch=b) * cfg.bound
        resetting = self._autoreset
        any_reset = bool(resetting.any())
        if any_reset:  # NEXT_STEP autoreset; the step below runs on every row and these rows are masked
            self._reset_rows(np.flatnonzero(resetting), {})
        n, theta, horizon = self._n, self._theta, self._horizon
        lr, oracle_a, oracle_m, s0, s1, s2 = self._packed_flat.take(self._base + n, axis=0).T
        eq_suffix = (s0, s1, s2)
        m = model.step_factor(a, lr, cfg.regularization)
        new_theta = model.next_theta(theta, a, lr, factor=m)
        if cfg.kind == "oracle":
            cost = model.agent_cost(a, lr, eq_suffix, cfg.discount, factor=m) * theta * theta
        elif cfg.kind == "fixed":
            fixed = tuple(self._fixed_flat.take(self._base + n, axis=0).T)
            cost = model.agent_cost(a, lr, fixed, cfg.discount, factor=m) * theta * theta
        else:
            if self._policy is None:
                raise RuntimeError("continuation='self' needs a policy: call set_continuation_policy() first")
            cost = model.mesa_objective(model.output(a, theta), theta) + policy_costs(
                self._policy, theta, new_theta, np.where(resetting, horizon, n + 1),
                self._stack_packed[self._slot, :, 0], self._stack_obs[self._slot, :, 1:], horizon,
                discount=cfg.discount, regularization=cfg.regularization, bound=cfg.bound,
                theta_limit=cfg.theta_limit)
        rewards, info = score(cfg, a, theta, lr, eq_suffix, oracle_a, cost, horizon - n, new_theta, (m, oracle_m))
        info["agent"] = n
        terminated = info["diverged"] | (n + 1 == horizon)
        if any_reset:
            stepped = ~resetting
            rewards = np.where(stepped, rewards, 0.0)
            terminated &= stepped
            new_theta, n_next = np.where(stepped, new_theta, theta), np.where(stepped, n + 1, n)
            for key in INFO_KEYS:
                info[key] = np.where(stepped, info[key], MASKED[key])
        else:
            stepped, n_next = np.ones(b, dtype=bool), n + 1
        for key in INFO_KEYS:
            info[MASK_KEYS[key]] = stepped
        self._theta, self._n = new_theta, n_next  # new arrays: earlier infos may hold the old ones
        self._autoreset = terminated.copy()
        return self._observations(), rewards, terminated, np.zeros(b, dtype=bool), info

    # --- internals --------------------------------------------------------------------------------

    def _reset_rows(self, rows: np.ndarray, options: dict[str, Any]) -> None:
        """Reset the envs in ``rows``, each drawing from its own generator in the single env's order
        (schedule, then θ0), then point each env at its schedule's slot."""
        cfg = self.config
        self._theta, self._n = self._theta.copy(), self._n.copy()  # never in place: infos may hold them
        if cfg.schedule is not None:  # a fixed schedule: the only draw is θ0
            self._theta[rows] = self._draw_theta0s(rows, options)
            self._n[rows] = 0
            if options.get("schedule") is None and self._tables and self._all_on_schedule:
                return  # every env already points at the configured schedule's slot
            table = cfg.table(cfg.draw_schedule(None, options))
            groups = {id(table): (table, rows)}
            self._all_on_schedule = options.get("schedule") is None and rows.size == self.num_envs
        else:
            groups: dict[int, tuple[Any, list[int]]] = {}
            for i in rows.tolist():
                table = cfg.table(cfg.draw_schedule(self._rngs[i], options))
                self._theta[i] = cfg.draw_theta0(self._rngs[i], options)
                groups.setdefault(id(table), (table, []))[1].append(i)
        h_max = cfg.max_horizon
        for table, members in groups.values():
            slot = self._slot_of(table)
            self._slot[members] = slot
            self._base[members] = slot * h_max
            self._obs_base[members] = slot * (h_max + 1)
            self._horizon[members] = table.horizon
        self._n[rows] = 0

    def _draw_theta0s(self, rows: np.ndarray, options: dict[str, Any]) -> np.ndarray:
        """θ0 for ``rows`` when θ0 is each env generator's only draw: uniforms pre-drawn in blocks.

        ``rng.random(K)`` yields the same doubles as K calls of ``rng.random()``, and ``rng.uniform(lo,
        hi)`` is lo + (hi − lo)·``rng.random()``, so this matches the single env bit for bit.
        """
        cfg = self.config
        if options.get("theta0") is not None or cfg.theta0 is not None:
            return np.full(rows.size, cfg.draw_theta0(self._rngs[0], options))
        empty = rows[self._uniform_pos[rows] >= UNIFORM_BLOCK]
        for i in empty.tolist():
            self._uniforms[i] = self._rngs[i].random(UNIFORM_BLOCK)
        self._uniform_pos[empty] = 0
        u = self._uniforms[rows, self._uniform_pos[rows]]
        self._uniform_pos[rows] += 1
        low, high = cfg.theta_range
        return low + (high - low) * u

    def _slot_of(self, table: Any) -> int:
        """The stack slot holding ``table``, appending it the first time it is seen."""
        if id(table) not in self._tables:
            h, slot = table.horizon, len(self._tables)
            packed = np.zeros((1, *self._stack_packed.shape[1:]))
            obs = np.zeros((1, *self._stack_obs.shape[1:]), dtype=np.float32)
            fixed = np.zeros((1, *self._stack_fixed.shape[1:]))
            packed[0, :h], obs[0, : h + 1] = table.packed, table.observation_rows
            if self.config.kind == "fixed":
                fixed[0, :h] = self.config.fixed_suffix(table.rates)
            self._stack_packed = np.concatenate((self._stack_packed, packed))
            self._stack_obs = np.concatenate((self._stack_obs, obs))
            self._stack_fixed = np.concatenate((self._stack_fixed, fixed))
            self._packed_flat = self._stack_packed.reshape(-1, 6)  # flat views: one gather per step
            self._obs_flat = self._stack_obs.reshape(-1, 1 + N_FEATURES)
            self._fixed_flat = self._stack_fixed.reshape(-1, 3)
            self._tables[id(table)] = (slot, table)  # holding the table keeps its id unique
        return self._tables[id(table)][0]

    def _observations(self) -> np.ndarray:
        limit = self.config.theta_limit
        obs = self._obs_flat.take(self._obs_base + self._n, axis=0)
        obs[:, 0] = np.minimum(np.maximum(self._theta, -limit), limit)
        return obs
