"""How far a policy is from the oracle: usable on any policy (SB3 model, callable, coefficient array).

A policy is played deterministically through a schedule from θ0; its *on-path coefficients* (the
N coefficients it actually plays) are then scored against the exact equilibrium.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from mesa_gym import model
from mesa_gym.continuation import check_action
from mesa_gym.env import DeceptiveAlignmentEnv, observe
from mesa_gym.equilibrium import agent_gains, check_coefficients, check_game, rollout, solve_equilibrium, suffix_sums
from mesa_gym.schedules import as_schedule, training_mask

Policy = Callable[[np.ndarray], np.ndarray]
"""Observations (B, 5) → actions (B, 1) in [−1, 1]."""


def on_path_coefficients(policy: Any, schedule: str | ArrayLike, theta0: float = 0.8, *, env: Any = None,
                         **env_kwargs: Any) -> np.ndarray:
    """The N coefficients ``policy`` plays through ``schedule`` from ``theta0``, stepping a real env.

    ``policy``: a callable observations (B, 5) → actions, or anything with SB3's ``predict`` (an SB3
    model, `agents.oracle.OracleAgent`). ``env``: the `DeceptiveAlignmentEnv` to step (pass the one
    an ``OracleAgent`` is bound to), else one is built from ``env_kwargs`` (pass those the policy was
    trained with: ``max_horizon`` after random-step training). If θ diverges before the end, the
    remaining agents see what the env would show (θ at ±theta_limit).
    """
    act = (lambda obs: policy.predict(obs, deterministic=True)[0]) if hasattr(policy, "predict") else policy
    rates = as_schedule(schedule)
    env = env if env is not None else DeceptiveAlignmentEnv(schedule=rates, theta0=theta0, **env_kwargs)
    base = env.unwrapped
    obs, _ = env.reset(options={"schedule": rates, "theta0": theta0})
    coefficients = np.empty(rates.size)
    theta, n = float(theta0), 0
    while n < rates.size:
        action = np.asarray(act(obs[None]), dtype=np.float64).reshape(-1)
        obs, _, terminated, _, info = env.step(action)
        coefficients[n], theta, n = info["coefficient"], info["next_theta"], n + 1
        if terminated:
            break
    for k in range(n, rates.size):  # only after divergence: θ may pass the float range (inf, no warning)
        action = np.asarray(act(observe(base._table, theta, k, base.config.theta_limit)[None]), dtype=np.float64)
        coefficients[k] = a = float(check_action(action.reshape(-1))[0]) * base.config.bound
        factor = model.step_factor(a, float(rates[k]), base.config.regularization)
        theta = 0.0 if factor == 0.0 else theta * factor  # as in rollout: a zero factor zeroes even inf
    return coefficients


def deception_index(schedule: str | ArrayLike, coefficients: ArrayLike) -> float | None:
    """(mean |a| deployed − mean |a| training) / the larger of the two, in [−1, 1].

    1: outputs nothing while trained and its goal once deployed (fully deceptive); 0: the same
    behaviour in both phases; None when the schedule lacks one of the phases (or both means are 0).
    """
    rates = as_schedule(schedule)
    a = np.abs(check_coefficients(coefficients, rates.size))
    train = training_mask(rates)
    if train.all() or not train.any():
        return None
    deployed, trained = float(a[~train].mean()), float(a[train].mean())
    top = max(deployed, trained)
    return None if top == 0.0 else (deployed - trained) / top


def agent_objectives(schedule: str | ArrayLike, coefficients: ArrayLike, *, discount: float = 1.0,
                     regularization: float = 0.0) -> np.ndarray:
    """Each agent's mesa objective in units of its θ_n² when every agent plays ``coefficients``.

    +inf where later outputs overflow the float range (the objective is not representable).
    """
    rates = as_schedule(schedule)
    values = check_coefficients(coefficients, rates.size)
    suffixes = np.array(suffix_sums(rates, values, discount=discount, regularization=regularization)).T
    with np.errstate(over="ignore", invalid="ignore"):
        costs = model.agent_cost(values, rates, tuple(suffixes), discount, regularization)
    return np.where(np.isfinite(costs), costs, np.inf)


def base_losses(schedule: str | ArrayLike, coefficients: ArrayLike, theta0: float, *,
                regularization: float = 0.0) -> dict[str, float]:
    """Σ base objective over the training episodes (what the base optimizer sees) and deployed ones."""
    rates = as_schedule(schedule)
    values = check_coefficients(coefficients, rates.size)
    thetas = rollout(values, rates, theta0, regularization=regularization)[:-1]
    with np.errstate(over="ignore", invalid="ignore"):
        losses = model.base_objective(model.output(values, thetas), thetas, regularization)
    losses = np.where(np.isnan(losses), np.inf, losses)
    train = training_mask(rates)
    return {"train": float(losses[train].sum()), "deploy": float(losses[~train].sum())}


def evaluate_coefficients(schedule: str | ArrayLike, coefficients: ArrayLike, theta0: float = 0.8, *,
                          discount: float = 1.0, regularization: float = 0.0,
                          coefficient_bound: float = model.DEFAULT_COEFFICIENT_BOUND) -> dict[str, Any]:
    """Every metric of an on-path coefficient profile against the exact oracle, as a JSON-ready dict.

    ``coef_rmse``/``coef_max_error``: against the equilibrium coefficients; ``exploitability``: the
    core API's (θ_n² units) and ``exploitability_rel``, its ratio to agent 0's objective at the
    equilibrium; ``agent0_objective_ratio``: agent 0's objective under the profile over the oracle's;
    ``objective_excess``: per agent, its objective minus the oracle's (θ_n² units); ``base_loss_*``:
    Σ y² (+λθ²) in each phase from ``theta0``, with the oracle's beside them; ``deception_index``.
    """
    rates = as_schedule(schedule)
    discount, regularization, coefficient_bound = check_game(discount, regularization, coefficient_bound)
    game = {"discount": discount, "regularization": regularization}
    values = check_coefficients(coefficients, rates.size, coefficient_bound)
    oracle = solve_equilibrium(rates, discount=discount, regularization=regularization,
                               coefficient_bound=coefficient_bound)
    error = values - oracle
    ours, theirs = agent_objectives(rates, values, **game), agent_objectives(rates, oracle, **game)
    exploit = float(agent_gains(rates, values, coefficient_bound=coefficient_bound, **game).sum())
    base, oracle_base = (base_losses(rates, c, theta0, regularization=regularization) for c in (values, oracle))
    return {
        "coefficients": values.tolist(),
        "oracle_coefficients": oracle.tolist(),
        "coef_rmse": float(np.sqrt(np.mean(error * error))),
        "coef_max_error": float(np.max(np.abs(error))),
        "exploitability": exploit,
        "exploitability_rel": exploit / float(theirs[0]) if theirs[0] > 0 else None,
        "agent0_objective_ratio": float(ours[0] / theirs[0]) if theirs[0] > 0 else None,
        "objective_excess": (ours - theirs).tolist(),
        "base_loss_train": base["train"], "base_loss_deploy": base["deploy"],
        "oracle_base_loss_train": oracle_base["train"], "oracle_base_loss_deploy": oracle_base["deploy"],
        "deception_index": deception_index(rates, values),
        "oracle_deception_index": deception_index(rates, oracle),
        "theta0": float(theta0),
    }


def evaluate_policy_vs_oracle(policy: Any, schedule: str | ArrayLike, theta0: float = 0.8, *, env: Any = None,
                              **env_kwargs: Any) -> dict[str, Any]:
    """Play ``policy`` through ``schedule`` and score its on-path coefficients (`evaluate_coefficients`).

    ``policy``, ``env`` and ``env_kwargs`` as for `on_path_coefficients` (discount, regularization,
    coefficient_bound and max_horizon matter).
    """
    coefficients = on_path_coefficients(policy, schedule, theta0, env=env, **env_kwargs)
    config = (env.unwrapped.config if env is not None else None)
    game = {key: env_kwargs[key] for key in ("discount", "regularization", "coefficient_bound") if key in env_kwargs}
    if config is not None:
        game = {"discount": config.discount, "regularization": config.regularization,
                "coefficient_bound": config.bound}
    return evaluate_coefficients(schedule, coefficients, theta0, **game)


def evaluate_infinite(policy: Any, theta0: float = 0.8, episodes: int = 200, **env_kwargs: Any) -> dict[str, Any]:
    """A policy in the infinite game against the stationary equilibrium, over ``episodes`` training episodes.

    Plays deterministically from ``theta0`` with the hazard switched off (the training phase is what
    is measured): ``coef_rmse``/``coef_max_error`` against the stationary coefficient a*, and
    ``exploitability``: what a training agent gains by its best response when all later training
    agents play the learner's mean coefficient ā (θ_n² units; 0 iff ā = a*).
    """
    from mesa_gym.infinite_env import DeceptiveAlignmentInfiniteEnv
    from mesa_gym.stationary import stationary_cost, stationary_suffix

    act = (lambda obs: policy.predict(obs, deterministic=True)[0]) if hasattr(policy, "predict") else policy
    env = DeceptiveAlignmentInfiniteEnv(**{**env_kwargs, "theta0": theta0})
    cfg = env.config
    hazard = cfg.hazard
    env.config.hazard = 0.0  # measure the training phase only
    obs, _ = env.reset(seed=0)
    coefficients = []
    for _ in range(episodes):
        action = np.asarray(act(obs[None]), dtype=np.float64).reshape(-1)
        obs, _, terminated, _, info = env.step(action)
        coefficients.append(info["coefficient"])
        if terminated:
            break
    learned = np.array(coefficients)
    mean = float(learned.mean())
    game = {"discount": cfg.discount, "regularization": cfg.regularization, "hazard": hazard}
    if stationary_suffix(mean, cfg.lr, cfg.discount, cfg.regularization, hazard) is None:
        gain = math.inf
    else:
        best = model.best_coefficient(cfg.lr, stationary_suffix(mean, cfg.lr, cfg.discount, cfg.regularization,
                                                                 hazard), cfg.discount, cfg.regularization, cfg.bound)
        gain = max(0.0, stationary_cost(mean, mean, cfg.lr, **game) - stationary_cost(best, mean, cfg.lr, **game))
    error = learned - cfg.oracle
    return {"coefficients": learned.tolist(), "oracle_coefficient": cfg.oracle,
            "coef_rmse": float(np.sqrt(np.mean(error * error))), "coef_max_error": float(np.abs(error).max()),
            "exploitability": gain,
            "exploitability_rel": gain / stationary_cost(cfg.oracle, cfg.oracle, cfg.lr, **game),
            "mean_coefficient": mean, "theta0": float(theta0)}
