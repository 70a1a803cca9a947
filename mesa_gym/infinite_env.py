"""The infinite game as an env: no fixed horizon, truncated by a time limit, never terminated by it."""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from mesa_gym import model
from mesa_gym.continuation import check_single_action
from mesa_gym.env import action_space, check_choice, check_start, score
from mesa_gym.equilibrium import check_game
from mesa_gym.stationary import check_infinite, deployed_suffix, stationary_equilibrium, stationary_suffix


class InfiniteConfig:
    """Validated arguments of `DeceptiveAlignmentInfiniteEnv` (what `mesa_gym.env.score` reads)."""

    reward_scales = ("raw", "theta")

    def __init__(self, lr: float = 1.0, discount: float = 0.99, regularization: float = 0.0, hazard: float = 0.0,
                 theta0: float | None = None, theta_range: tuple[float, float] = (-1.0, 1.0),
                 coefficient_bound: float = model.DEFAULT_COEFFICIENT_BOUND, reward_scale: str = "theta",
                 theta_limit: float = 1e6) -> None:
        self.lr, self.discount, self.hazard = check_infinite(lr, discount, hazard)
        _, self.regularization, self.bound = check_game(self.discount, regularization, coefficient_bound)
        self.reward_scale = check_choice("reward_scale", reward_scale, self.reward_scales)
        self.theta0, self.theta_range, self.theta_limit = check_start(theta0, theta_range, theta_limit)
        # the oracle: the stationary equilibrium while training, 1 once deployed
        self.oracle = stationary_equilibrium(self.lr, discount=self.discount, regularization=self.regularization,
                                             hazard=self.hazard, coefficient_bound=self.bound)
        self.train_suffix = stationary_suffix(self.oracle, self.lr, self.discount, self.regularization, self.hazard)
        self.deploy_suffix = deployed_suffix(self.discount)
        self.oracle_factor = model.step_factor(self.oracle, self.lr, self.regularization)

    def scale(self, theta: float, episodes_left: Any) -> float:
        """θ_n² for "theta" (the default), 1 for "raw"; ``episodes_left`` is unused (no horizon)."""
        return (theta * theta or 1.0) if self.reward_scale == "theta" else 1.0


class DeceptiveAlignmentInfiniteEnv(gym.Env):
    """The game with no last episode: constant learning rate, discount γ < 1, deployment hazard p.

    ## Description
    As `DeceptiveAlignmentEnv`, but training goes on at ``lr`` until deployment begins, which happens
    before each later episode with probability ``hazard`` (p = 0: never) and then lasts forever (lr 0).
    Later agents play the stationary equilibrium (`mesa_gym.stationary`), so every step's optimal
    action is the oracle's.

    ## Action Space
    ``Box(-1, 1, (1,), float32)`` mapped to a_n = action·coefficient_bound; bad actions raise ValueError.

    ## Observation Space
    ``Box(float32, (3,))``: θ_n (in ±theta_limit), lr_n (``lr`` while training, 0 deployed), and 1.0
    once deployed (else 0). The equilibrium is a function of it.

    ## Rewards
    Agent n's expected discounted mesa objective, −E Σ_{k≥n} γ^(k−n)·(y_k − θ_n)², exact in closed form,
    divided by θ_n² (``reward_scale="theta"``, default) or not (``"raw"``). Train with gamma = 0.

    ## Starting State
    Training; θ0 = ``theta0`` or uniform in ``theta_range``, drawn with ``self.np_random``.

    ## Episode End
    Truncated by the time limit of the registered id (``max_episode_steps=1000``); terminated only if
    |θ| passes ``theta_limit`` (``info["diverged"]``).

    ## Arguments
    ``lr`` (1.0), ``discount`` (0.99, must be < 1), ``regularization`` (0.0), ``hazard`` (0.0),
    ``theta0``, ``theta_range``, ``coefficient_bound`` (2.0), ``reward_scale``, ``theta_limit`` (1e6).
    ValueError when no stationary equilibrium exists (see `mesa_gym.stationary.stationary_equilibrium`).
    ``info`` has the same keys as the finite env's.

    ## Version History
    * v0: initial version.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    def __init__(self, **kwargs: Any) -> None:
        self.config = InfiniteConfig(**kwargs)
        self.action_space = action_space()
        limit = self.config.theta_limit
        self.observation_space = spaces.Box(np.array([-limit, 0.0, 0.0], dtype=np.float32),
                                            np.array([limit, max(1.0, self.config.lr), 1.0], dtype=np.float32))
        self._theta: float | None = None

    @property
    def oracle_action(self) -> np.ndarray:
        """The equilibrium action at the current state (stationary coefficient while training, else 1)."""
        coefficient = 1.0 if self._deployed else self.config.oracle
        return np.array([min(coefficient, self.config.bound) / self.config.bound])

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        cfg = self.config
        self._theta = cfg.theta0 if cfg.theta0 is not None else float(self.np_random.uniform(*cfg.theta_range))
        self._deployed, self._n = False, 0
        return self._observation(), {"theta0": self._theta}

    def step(self, action):
        if self._theta is None:
            raise RuntimeError("call reset() before step()")
        cfg, theta = self.config, self._theta
        a = check_single_action(action) * cfg.bound
        lr = 0.0 if self._deployed else cfg.lr
        suffix = cfg.deploy_suffix if self._deployed else cfg.train_suffix
        oracle_a = min(1.0, cfg.bound) if self._deployed else cfg.oracle
        m = model.step_factor(a, lr, cfg.regularization)
        new_theta = model.next_theta(theta, a, lr, factor=m)
        cost = model.agent_cost(a, lr, suffix, cfg.discount, factor=m) * theta * theta
        oracle_m = model.step_factor(oracle_a, lr, cfg.regularization)
        reward, info = score(cfg, a, theta, lr, suffix, oracle_a, cost, None, new_theta, (m, oracle_m))
        info["agent"] = self._n
        if not self._deployed and cfg.hazard > 0.0:
            self._deployed = bool(self.np_random.random() < cfg.hazard)
        self._theta, self._n = new_theta, self._n + 1
        return self._observation(), reward, bool(info["diverged"]), False, info

    def _observation(self) -> np.ndarray:
        limit = self.config.theta_limit
        return np.array([min(max(self._theta, -limit), limit), 0.0 if self._deployed else self.config.lr,
                         1.0 if self._deployed else 0.0], dtype=np.float32)
