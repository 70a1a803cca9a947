"""The Gymnasium environment: one env episode is the seed's whole sequence of N mesa-agents."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from mesa_gym import model
from mesa_gym.continuation import KINDS, Policy, check_single_action, policy_costs
from mesa_gym.equilibrium import check_coefficients, check_game, suffix_sums
from mesa_gym.game import GameTable, game_table
from mesa_gym.schedules import as_schedule, step_schedule

REWARD_SCALES = ("raw", "theta", "theta-episodes")
PHASES = np.array(["deploy", "train"])
RANDOM_STEP = "random-step"


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of ``choices``, else a ValueError naming them."""
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {', '.join(choices)}")
    return value


def check_theta0(theta0: float) -> float:
    """θ0 as a finite float, else a ValueError."""
    value = float(theta0)
    if not math.isfinite(value):
        raise ValueError(f"theta0 must be finite, got {theta0}")
    return value


def check_start(theta0: float | None, theta_range: tuple[float, float],
                theta_limit: float) -> tuple[float | None, tuple[float, float], float]:
    """Validated (θ0 or None, θ0's draw range, divergence bound), shared by every env of the package."""
    limit = float(theta_limit)
    if not (math.isfinite(limit) and limit > 0):
        raise ValueError(f"theta_limit must be finite and > 0, got {theta_limit}")
    low, high = (float(x) for x in theta_range)
    if not (math.isfinite(low) and math.isfinite(high) and low < high and max(-low, high) <= limit):
        raise ValueError(f"theta_range must be finite, low < high, within ±theta_limit; got {theta_range}")
    return (None if theta0 is None else check_theta0(theta0)), (low, high), limit


class EnvConfig:
    """Validated constructor arguments, shared by the single and the vector env."""

    def __init__(self, schedule: str | Sequence[float] = "seed-exp1", theta0: float | None = None,
                 theta_range: tuple[float, float] = (-1.0, 1.0), continuation: Any = "oracle",
                 coefficient_bound: float = model.DEFAULT_COEFFICIENT_BOUND,
                 reward_scale: str = "theta-episodes", discount: float = 1.0, regularization: float = 0.0,
                 train_episodes_range: tuple[int, int] = (0, 100), horizon: int = 100, train_lr: float = 1.0,
                 max_horizon: int | None = None, max_learning_rate: float | None = None,
                 theta_limit: float = 1e6) -> None:
        self.discount, self.regularization, self.bound = check_game(discount, regularization, coefficient_bound)
        if self.regularization > 1e100:
            raise ValueError(f"regularization must be at most 1e100, got {self.regularization}")
        self.reward_scale = check_choice("reward_scale", reward_scale, REWARD_SCALES)
        self.theta0, self.theta_range, self.theta_limit = check_start(theta0, theta_range, theta_limit)

        self.random_step = isinstance(schedule, str) and schedule == RANDOM_STEP
        if self.random_step:
            lo, hi = (int(x) for x in train_episodes_range)
            if not (0 <= lo <= hi <= horizon and horizon >= 1):
                raise ValueError(f"random-step needs 0 <= train_episodes_range[0] <= [1] <= horizon >= 1, "
                                 f"got {train_episodes_range} with horizon {horizon}")
            step_schedule(hi, horizon, train_lr)  # validates train_lr
            self.train_episodes_range, self.horizon, self.train_lr = (lo, hi), int(horizon), float(train_lr)
            self.schedule = None
            longest, top_lr = self.horizon, self.train_lr
        else:
            self.schedule = as_schedule(schedule)
            longest, top_lr = self.schedule.size, float(self.schedule.max())
        self.max_horizon = int(max_horizon) if max_horizon is not None else longest
        self.max_learning_rate = float(max_learning_rate) if max_learning_rate is not None else max(1.0, top_lr)
        if self.max_horizon < longest or self.max_learning_rate < top_lr:
            raise ValueError(f"max_horizon/max_learning_rate ({self.max_horizon}, {self.max_learning_rate}) are "
                             f"below the schedule's ({longest}, {top_lr})")

        if isinstance(continuation, str):
            if continuation not in KINDS:
                raise ValueError(f"unknown continuation {continuation!r}: use 'oracle', 'self', a callable "
                                 "or an array of coefficients")
            self.continuation = continuation
            self.kind = "oracle" if continuation == "oracle" else "policy"
        elif callable(continuation):
            self.continuation = continuation
            self.kind = "policy"
        else:
            self.kind = "fixed"
            if self.schedule is None:
                raise ValueError("a fixed array continuation needs a fixed schedule, not random-step")
            self.continuation = check_coefficients(continuation, self.schedule.size, self.bound)

    def check_policy(self, policy: Policy) -> Policy:
        """A continuation policy may be installed only on envs whose later agents are a policy."""
        if not callable(policy):
            raise ValueError("the continuation policy must be callable: observations (B, 5) -> actions (B, 1)")
        if self.kind != "policy":
            raise ValueError(f"this env's continuation is {self.kind!r}, not 'self'")
        return policy

    def observation_space(self) -> spaces.Box:
        """θ, then the schedule features (see the env docstring's table)."""
        lr = self.max_learning_rate
        low = np.array([-self.theta_limit, 0.0, 0.0, 0.0, 0.0], dtype=np.float32)
        high = np.array([self.theta_limit, lr, 1.0, 1.0, lr], dtype=np.float32)
        return spaces.Box(low, high, dtype=np.float32)

    def table(self, rates: np.ndarray) -> GameTable:
        if rates.size > self.max_horizon or float(rates.max()) > self.max_learning_rate:
            raise ValueError(f"schedule of {rates.size} episodes with max lr {rates.max()} exceeds the observation "
                             f"space (max_horizon={self.max_horizon}, max_learning_rate={self.max_learning_rate})")
        return game_table(rates, self.discount, self.regularization, self.bound, self.max_horizon)

    def draw_schedule(self, rng: np.random.Generator | None, options: dict[str, Any]) -> np.ndarray:
        """The schedule for a new episode: from ``options``, fixed, or a random step schedule."""
        if options.get("schedule") is not None:
            return as_schedule(options["schedule"])
        if self.schedule is not None:
            return self.schedule
        lo, hi = self.train_episodes_range
        return step_schedule(int(rng.integers(lo, hi + 1)), self.horizon, self.train_lr)

    def draw_theta0(self, rng: np.random.Generator, options: dict[str, Any]) -> float:
        if options.get("theta0") is not None:
            return check_theta0(options["theta0"])
        if self.theta0 is not None:
            return self.theta0
        return float(rng.uniform(*self.theta_range))

    def fixed_suffix(self, rates: np.ndarray) -> np.ndarray:
        """(N, 3) suffix sums when later agents play the fixed coefficient array."""
        if rates.size != self.continuation.size:
            raise ValueError(f"the fixed continuation has {self.continuation.size} coefficients but the schedule "
                             f"has {rates.size} episodes")
        return np.array(suffix_sums(rates, self.continuation, discount=self.discount,
                                    regularization=self.regularization))

    def scale(self, theta: Any, episodes_left: Any) -> Any:
        """Positive per-state factor that turns a mesa objective into a reward magnitude."""
        if self.reward_scale == "raw":
            return 1.0
        theta_sq = theta * theta
        theta_sq = theta_sq + (theta_sq == 0.0) if isinstance(theta, np.ndarray) else (theta_sq or 1.0)
        return theta_sq * (episodes_left if self.reward_scale == "theta-episodes" else 1.0)


def observe(table: GameTable, theta: float, n: int, theta_limit: float) -> np.ndarray:
    """The observation at episode n with goal θ: θ (clipped to ±theta_limit) and the schedule features."""
    obs = table.observation_rows[n].copy()
    obs[0] = min(max(theta, -theta_limit), theta_limit)
    return obs


def action_space() -> spaces.Box:
    """One action in [−1, 1], mapped linearly to the coefficient a = action·coefficient_bound."""
    return spaces.Box(-1.0, 1.0, (1,), dtype=np.float32)


def score(cfg: EnvConfig, a, theta, lr, eq_suffix, oracle_a, cost, episodes_left, new_theta, factors):
    """Reward and info of one step, for floats (single env) or arrays (vector env) alike.

    ``factors`` = (m(a), m(a*)), the step factors of the action and of the oracle's coefficient.
    """
    scale = cfg.scale(theta, episodes_left)
    regret = model.cost_difference(a, oracle_a, lr, eq_suffix, cfg.discount, cfg.regularization, factors)
    y = model.output(a, theta)
    info = {
        "base_loss": model.base_objective(y, theta, cfg.regularization),
        "mesa_loss": cost,
        "oracle_coefficient": oracle_a,
        "regret": regret * (theta * theta) / scale,
        "phase": PHASES.take((lr > 0).view(np.int8)) if isinstance(lr, np.ndarray) else (
            "train" if lr > 0 else "deploy"),
        "theta": theta, "coefficient": a, "output": y, "next_theta": new_theta,
        "diverged": abs(new_theta) > cfg.theta_limit,
    }
    return -cost / scale, info


class DeceptiveAlignmentEnv(gym.Env):
    """The mesa-optimizer's N episodes as one env episode; step n is mesa-agent n's decision.

    ## Description
    A mesa-optimizer with goal θ outputs y = a·θ each episode; the base optimizer then takes a gradient
    step on y² (+ λθ²) with that episode's learning rate: θ' = θ·(1 − 2·lr·(a² + λ)). Agent n wants
    Σ_{k≥n} γ^(k−n)·(y_k − θ_n)² small: it keeps its current θ_n as its goal and knows how later agents
    play. Deceptive equilibria play tiny coefficients while training and 1 in deployment.

    ## Action Space
    ``Box(-1, 1, (1,), float32)``, mapped linearly to the coefficient a_n = action·coefficient_bound.
    NaN, inf, out-of-range or wrongly shaped actions raise ValueError (no silent clip).

    ## Observation Space
    ``Box(float32, (5,))``; H is ``max_horizon`` (default: the schedule's length):

    | index | name | value | range |
    |---|---|---|---|
    | 0 | theta | θ_n | [−theta_limit, theta_limit] |
    | 1 | lr | lr_n, this episode's learning rate | [0, max_learning_rate] |
    | 2 | train_left | #{k ≥ n : lr_k > 0} / H | [0, 1] |
    | 3 | steps_left | (N − n) / H | [0, 1] |
    | 4 | lr_sum_left | Σ_{k≥n} lr_k / H | [0, max_learning_rate] |

    For any step schedule (T episodes at one lr, then deployment), including the presets and every
    ``random-step`` draw, the remaining game is fixed by (lr_n, train_left, steps_left), so the
    equilibrium coefficient is a function of the observation.

    ## Rewards
    Agent n's own mesa objective with a minus sign, −Σ_{k≥n} γ^(k−n)·(y_k − θ_n)², where later outputs
    come from the ``continuation``; each step's reward already holds that agent's future, so train with
    gamma = 0. ``reward_scale`` divides it by a positive per-state factor, which leaves the best action
    at every state unchanged: ``"raw"`` (none), ``"theta"`` (θ_n²), ``"theta-episodes"`` (θ_n² and the
    episodes left, N − n; the default). Measured in ``experiments/reward_scale`` (PPO, seed-exp1, 100k
    steps, 5 seeds): raw rewards barely learn (final coefficient RMSE 0.75), because θ_n² differs by
    orders of magnitude between θ0 draws and along the path; dividing by θ_n² fixes that. Dividing
    also by N − n puts agent 0 (about 20 in θ² units) and the last agents (about 1) on one scale and
    reaches RMSE 0.1 sooner (about 40k steps against 50k), which chose this default with PPO's first
    settings (where it also ended level); with PPO's tuned settings (linear learning-rate decay)
    ``"theta"`` ends better at 100k steps (RMSE 0.012 against 0.018). The default is kept because the
    published baselines use it; ``reward_scale="theta"`` is the alternative to try.
    With θ_n = 0 every action costs 0 and the reward is 0. With a policy continuation (``"self"`` or a
    callable), an imagined future whose |θ| grows past ``theta_limit``·|θ_n| ends there and the agent
    pays its cost so far (already of order theta_limit² in θ_n² units), so rewards stay finite and
    within float32 range however small θ_n is.

    ## Starting State
    θ0 is ``theta0`` or, if None (default), uniform in ``theta_range`` (default (−1, 1)), drawn with
    ``self.np_random``; the schedule is ``schedule`` or, for ``"random-step"``, T training episodes at
    ``train_lr`` then deployment up to ``horizon``, T uniform in ``train_episodes_range`` (inclusive).
    ``reset(options={"theta0": …, "schedule": …})`` overrides either for one episode.

    ## Episode End
    Terminates after step N − 1. Also terminates, with ``info["diverged"] = True``, when |θ| passes
    ``theta_limit`` (default 1e6), which only large learning rates with large coefficients can cause;
    the observation then shows θ clipped to ±theta_limit (its true value is ``info["next_theta"]``).
    Never truncates.

    ## Arguments
    ``schedule`` (array, preset ``"seed-exp1"``/``"seed-exp2"``, or ``"random-step"``; default
    ``"seed-exp1"``), ``theta0``, ``theta_range``, ``continuation`` (``"oracle"`` (default), ``"self"``,
    a callable observations → actions, or an array of N coefficients), ``coefficient_bound`` (2.0),
    ``reward_scale``, ``discount`` (γ, 1.0), ``regularization`` (λ, 0.0), ``train_episodes_range``
    ((0, 100)), ``horizon`` (100), ``train_lr`` (1.0), ``max_horizon``, ``max_learning_rate``,
    ``theta_limit``, ``render_mode`` (``"ansi"`` or ``"rgb_array"``).

    ``info`` at every step (never in the observation): ``base_loss`` (y_n² + λθ_n², what the base
    optimizer sees), ``mesa_loss`` (agent n's mesa objective, unscaled), ``oracle_coefficient`` (the
    equilibrium coefficient at this state), ``regret`` (reward of the oracle action minus the reward
    received, both with the equilibrium continuation: ≥ 0, and 0 for the oracle action), ``phase``
    (``"train"`` if lr_n > 0 else ``"deploy"``), ``theta``, ``coefficient``, ``output``,
    ``next_theta``, ``agent`` (n, the index of the agent that acted), ``diverged``.

    ## Hidden performance
    What the base optimizer cares about, and what no reward shows: the base loss y_n² in the training
    phase (what gradient descent sees) against the deployment phase (what happens after). A deceptive
    learner keeps the first near 0 while the second stays near θ². ``info`` carries both per step;
    `mesa_gym.metrics` sums them per phase.

    ## Version History
    * v0: initial version.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(self, render_mode: str | None = None, **kwargs: Any) -> None:
        self.config = EnvConfig(**kwargs)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"unknown render_mode {render_mode!r}; choose one of {self.metadata['render_modes']}")
        self.render_mode = render_mode
        self.action_space = action_space()
        self.observation_space = self.config.observation_space()
        self._policy: Policy | None = self.config.continuation if callable(self.config.continuation) else None
        self._table: GameTable | None = None
        self._history: list[tuple[float, float, float]] = []

    # --- public -----------------------------------------------------------------------------------

    def set_continuation_policy(self, policy: Policy) -> None:
        """Install the policy that plays later agents (``continuation="self"``), e.g. a learner snapshot."""
        self._policy = self.config.check_policy(policy)

    @property
    def schedule(self) -> np.ndarray:
        """The current episode's learning rates."""
        self._require_reset()
        return self._table.rates

    @property
    def oracle_coefficients(self) -> np.ndarray:
        """The current episode's equilibrium coefficients (what `agents.oracle.OracleAgent` plays)."""
        self._require_reset()
        return self._table.coefficients

    @property
    def oracle_action(self) -> np.ndarray:
        """The action for the equilibrium coefficient at the current state, shape (1,), float64.

        Exact: a*/B maps back to a* (bit for bit when B is a power of 2, as the default 2 is).
        """
        self._require_reset()
        n = min(self._n, self._table.horizon - 1)
        return np.array([self._lists[1][n] / self.config.bound])

    @property
    def episode(self) -> int:
        """n, the index of the agent about to act."""
        return self._n

    @property
    def theta(self) -> float:
        return self._theta

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        options = options or {}
        rates = self.config.draw_schedule(self.np_random, options)
        self._table = self.config.table(rates)
        self._fixed = self.config.fixed_suffix(rates).tolist() if self.config.kind == "fixed" else None
        self._lists = self._table.lists
        self._horizon = self._table.horizon
        self._theta = self.config.draw_theta0(self.np_random, options)
        self._n = 0
        self._done = False
        self._history = []
        return self._observation(), {"schedule": rates.copy(), "theta0": self._theta}

    def step(self, action):
        self._require_reset()
        if self._done:
            raise RuntimeError("step() called after the episode ended: call reset()")
        cfg, n, theta = self.config, self._n, self._theta
        a = check_single_action(action) * cfg.bound
        rates, oracle_a, s0, s1, s2, oracle_m = self._lists
        lr = rates[n]
        m = model.step_factor(a, lr, cfg.regularization)
        new_theta = model.next_theta(theta, a, lr, factor=m)
        eq_suffix = (s0[n], s1[n], s2[n])
        if cfg.kind == "oracle":
            cost = model.agent_cost(a, lr, eq_suffix, cfg.discount, factor=m) * theta * theta
        elif cfg.kind == "fixed":
            cost = model.agent_cost(a, lr, tuple(self._fixed[n]), cfg.discount, factor=m) * theta * theta
        else:
            cost = model.mesa_objective(model.output(a, theta), theta) + self._policy_cost(theta, new_theta, n + 1)
        reward, info = score(cfg, a, theta, lr, eq_suffix, oracle_a[n], cost, self._horizon - n, new_theta,
                             (m, oracle_m[n]))
        info["agent"] = n
        self._history.append((theta, a, lr))
        self._theta, self._n = new_theta, n + 1
        terminated = info["diverged"] or self._n == self._horizon
        self._done = terminated
        return self._observation(), reward, terminated, False, info

    def render(self):
        if self.render_mode == "ansi":
            lines = [f"{'n':>4} {'lr':>8} {'theta':>11} {'coef':>9} {'output':>11}"]
            lines += [f"{n:>4} {lr:>8.3g} {th:>11.5g} {a:>9.5f} {a * th:>11.5g}"
                      for n, (th, a, lr) in enumerate(self._history)]
            return "\n".join(lines) + "\n"
        if self.render_mode == "rgb_array":
            return self._render_rgb()
        return None

    # --- internals --------------------------------------------------------------------------------

    def _require_reset(self) -> None:
        if self._table is None:
            raise RuntimeError("call reset() before step()")

    def _observation(self) -> np.ndarray:
        return observe(self._table, self._theta, self._n, self.config.theta_limit)

    def _policy_cost(self, theta: float, new_theta: float, start: int) -> float:
        if self._policy is None:
            raise RuntimeError("continuation='self' needs a policy: call set_continuation_policy() first "
                               "(agents.self_play.SelfPlayCallback does this during training)")
        cfg, table = self.config, self._table
        return float(policy_costs(
            self._policy, np.array([theta]), np.array([new_theta]), np.array([start]), table.rates[None],
            table.features[None], np.array([table.horizon]), discount=cfg.discount,
            regularization=cfg.regularization, bound=cfg.bound, theta_limit=cfg.theta_limit)[0])

    def _render_rgb(self) -> np.ndarray:
        from mesa_gym import plotting

        figure, ax = plotting.new_figure("DeceptiveAlignment: episode so far")
        if self._history:
            thetas, coefs, rates = (np.array(x) for x in zip(*self._history))
            plotting.plot_episodes(ax, rates, coefs, thetas, len(rates))
            ax.legend(fontsize=8)
        figure.canvas.draw()
        image = np.asarray(figure.canvas.buffer_rgba())[..., :3].copy()
        plotting.close(figure)
        return image
