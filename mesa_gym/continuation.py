"""Who plays the later agents when the env scores agent n's action, and what that costs agent n.

A step's reward is agent n's whole mesa objective Σ_{k≥n} γ^(k−n)·(y_k − θ_n)², so the env must know
how agents n+1 … N−1 play:

- ``"oracle"``: the exact equilibrium, read in O(1) from precomputed suffix sums;
- an array of N coefficients: fixed later play, also O(1) from suffix sums;
- a callable (observations → actions) or ``"self"`` (a policy installed later, e.g. a frozen snapshot
  of the learner): simulated forward, batched over envs, O(N − n) policy calls per step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mesa_gym.model import mesa_objective, next_theta, output

Policy = Callable[[np.ndarray], np.ndarray]
"""Maps a (B, obs_dim) float32 batch of observations to B actions in [−1, 1]."""

KINDS = ("oracle", "self")


def check_action(action, batch: int | None = None) -> np.ndarray:
    """Actions as float64: finite, in [−1, 1], shaped (1,) for one env or (B,)/(B, 1) for B envs.

    Out-of-range actions are an error, not a silent clip (SB3 clips its own actions to the space).
    """
    values = np.asarray(action, dtype=np.float64)
    expected = (1,) if batch is None else (batch,)
    if values.shape not in (expected, (*expected, 1)) and not (batch is None and values.shape == ()):
        wanted = "(1,)" if batch is None else f"({batch},) or ({batch}, 1)"
        raise ValueError(f"action must have shape {wanted}, got {values.shape}")
    values = values.reshape(-1)
    if not np.abs(values).max() <= 1.0:  # False for NaN, ±inf and out-of-range values alike
        raise_bad_action(values)
    return values


def check_single_action(action) -> float:
    """One env's action as a float in [−1, 1]; the fast path of `check_action` for the common case."""
    if type(action) is np.ndarray and action.shape == (1,):
        value = float(action[0])
        if -1.0 <= value <= 1.0:  # False for NaN too
            return value
    return float(check_action(action)[0])


def raise_bad_action(values: np.ndarray) -> None:
    """The ValueError naming the first bad action."""
    bad = values[~(np.abs(values) <= 1.0)][0]
    if not np.isfinite(bad):
        raise ValueError(f"action must be finite, got {bad}")
    raise ValueError(f"action must be in [-1, 1], got {bad}")


def policy_costs(policy: Policy, theta_goal: np.ndarray, theta_next: np.ndarray, start: np.ndarray,
                 rates: np.ndarray, features: np.ndarray, horizon: np.ndarray, *, discount: float,
                 regularization: float, bound: float, theta_limit: float) -> np.ndarray:
    """Σ_{k>n} γ^(k−n)·(y_k − θ_n)² when ``policy`` plays agents k = ``start`` … horizon−1.

    Batched over B envs (each row its own goal θ_n, θ_{n+1}, next index, padded schedule and
    features). A continuation whose |θ| grows past ``theta_limit``·|θ_n| ends there: its cost so far,
    already of order (theta_limit·θ_n)², is what agent n pays. The bound is relative to θ_n so that
    the reward, which is divided by θ_n², stays bounded (about N·theta_limit²) for any θ_n.
    """
    theta = np.array(theta_next, dtype=np.float64)
    k = np.array(start)
    cost = np.zeros(theta.shape)
    weight = np.full(theta.shape, discount)
    rows = np.arange(theta.size)
    limit = theta_limit * np.abs(theta_goal)
    active = (k < horizon) & (np.abs(theta) <= limit)
    while active.any():
        idx = rows[active]
        obs = np.concatenate((theta[idx, None], features[idx, k[idx]]), axis=1).astype(np.float32)
        actions = check_action(policy(obs), batch=idx.size)
        a = actions * bound
        th = theta[idx]
        cost[idx] += weight[idx] * mesa_objective(output(a, th), theta_goal[idx])
        theta[idx] = next_theta(th, a, rates[idx, k[idx]], regularization)
        weight[idx] *= discount
        k[idx] += 1
        active = (k < horizon) & (np.abs(theta) <= limit)
    return cost
