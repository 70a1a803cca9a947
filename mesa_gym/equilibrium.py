"""The oracle: the N-agent game's subgame-perfect equilibrium by backward induction, and the exact
best responses and exploitability that learners are measured with. All of it calls `mesa_gym.model`.

Every function takes the game's parameters as keywords: ``discount`` γ ∈ (0, 1] on the mesa objective,
``regularization`` λ ≥ 0 on θ in the base objective, ``coefficient_bound`` B > 0 (coefficients live in
[−B, B]; the seed's B is 2).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from mesa_gym.model import (
    DEFAULT_COEFFICIENT_BOUND,
    EMPTY_SUFFIX,
    Suffix,
    agent_cost,
    best_coefficient,
    cost_difference,
    extend_suffix,
    step_factor,
)
from mesa_gym.schedules import as_schedule

SEED_GRID_SIZE = 401
"""The seed searches 401 evenly spaced coefficients in [−2, 2] (steps of 0.01)."""

METHODS = ("exact", "grid")


def check_game(discount: float, regularization: float, coefficient_bound: float) -> tuple[float, float, float]:
    """The game's parameters as floats, or a ValueError naming the bad one."""
    discount, regularization, coefficient_bound = float(discount), float(regularization), float(coefficient_bound)
    if not 0.0 < discount <= 1.0:
        raise ValueError(f"discount must be in (0, 1], got {discount}")
    if not (math.isfinite(regularization) and regularization >= 0.0):
        raise ValueError(f"regularization must be finite and >= 0, got {regularization}")
    if not (math.isfinite(coefficient_bound) and coefficient_bound > 0.0):
        raise ValueError(f"coefficient_bound must be finite and > 0, got {coefficient_bound}")
    return discount, regularization, coefficient_bound


def check_coefficients(coefficients: ArrayLike, n_episodes: int,
                       coefficient_bound: float = math.inf) -> np.ndarray:
    """``coefficients`` as a float64 array of one finite value per episode within the bound."""
    try:
        values = np.array(coefficients, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"coefficients must be an array of numbers: {error}") from None
    if values.ndim != 1:
        raise ValueError(f"coefficients must be 1-D, got shape {values.shape}")
    if values.size != n_episodes:
        raise ValueError(f"coefficients and schedule have mismatched lengths: {values.size} coefficients "
                         f"for {n_episodes} episodes")
    if not np.isfinite(values).all():
        index = int(np.argmax(~np.isfinite(values)))
        raise ValueError(f"coefficients must be finite, got {values[index]} at episode {index}")
    if (np.abs(values) > coefficient_bound).any():
        index = int(np.argmax(np.abs(values) > coefficient_bound))
        raise ValueError(f"coefficient {values[index]} at episode {index} is outside "
                         f"[-{coefficient_bound}, {coefficient_bound}]")
    return values


def solve_equilibrium(schedule: str | ArrayLike, method: str = "exact", *, discount: float = 1.0,
                      regularization: float = 0.0,
                      coefficient_bound: float = DEFAULT_COEFFICIENT_BOUND) -> np.ndarray:
    """The N equilibrium coefficients of the game on ``schedule``, by backward induction.

    ``method="exact"``: continuous coefficients in [−B, B]. Each agent's best response is unique
    (see `mesa_gym.model`), so the equilibrium is unique and no ties arise; where the unconstrained
    optimum lies beyond B the agent plays B. O(N) in time.

    ``method="grid"``: the seed's own method, the best of 401 evenly spaced coefficients in [−B, B],
    the first one on an exact tie (the seed averages over 11 values of θ0, which only scales the
    objective by mean θ0² = 0.4 and so never changes the pick). O(N·401).

    Neither depends on θ0: the game is scale-invariant. Raises ValueError for a bad schedule, method
    or parameter, and when θ must grow past the float range over the horizon (only possible with
    lr·λ > 1, when the base optimizer's own step on θ diverges).
    """
    rates = as_schedule(schedule)
    discount, regularization, coefficient_bound = check_game(discount, regularization, coefficient_bound)
    if method == "exact":
        coefficients, suffix = _solve_exact(rates, discount, regularization, coefficient_bound)
    elif method == "grid":
        coefficients, suffix = _solve_grid(rates, discount, regularization, coefficient_bound)
    else:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if not (math.isfinite(suffix[1]) and math.isfinite(suffix[2])):
        raise ValueError("the agents' objectives overflow: θ grows past the float range over this horizon "
                         "(lr·regularization > 1 makes the base optimizer's step diverge)")
    return coefficients


def _solve_exact(rates: np.ndarray, discount: float, regularization: float,
                 bound: float) -> tuple[np.ndarray, Suffix]:
    coefficients = np.empty(rates.size)
    suffix = EMPTY_SUFFIX
    for n, lr in zip(range(rates.size - 1, -1, -1), rates[::-1].tolist()):
        a = best_coefficient(lr, suffix, discount, regularization, bound)
        coefficients[n] = a
        suffix = extend_suffix(suffix, a, step_factor(a, lr, regularization), discount)
    return coefficients, suffix


def _solve_grid(rates: np.ndarray, discount: float, regularization: float,
                bound: float) -> tuple[np.ndarray, Suffix]:
    grid = np.linspace(-bound, bound, num=SEED_GRID_SIZE)
    coefficients = np.empty(rates.size)
    suffix = EMPTY_SUFFIX
    for n in range(rates.size - 1, -1, -1):
        lr = float(rates[n])
        a = float(grid[np.argmin(agent_cost(grid, lr, suffix, discount, regularization))])
        coefficients[n] = a
        suffix = extend_suffix(suffix, a, step_factor(a, lr, regularization), discount)
    return coefficients, suffix


def rollout(coefficients: ArrayLike, schedule: str | ArrayLike, theta0: float, *,
            regularization: float = 0.0) -> np.ndarray:
    """The N+1 values θ_0 … θ_N when agent n plays ``coefficients[n]``.

    Computed step by step as θ_{n+1} = θ_n·m_n (bit-identical to stepping the env). Where |θ| passes
    the float range it becomes ±inf (IEEE overflow, no warning) and stays so, unless a later step
    factor is exactly 0, which makes every later θ exactly 0: never NaN.
    """
    rates = as_schedule(schedule)
    values = check_coefficients(coefficients, rates.size)
    _, regularization, _ = check_game(1.0, regularization, 1.0)
    theta0 = float(theta0)
    if not math.isfinite(theta0):
        raise ValueError(f"theta0 must be finite, got {theta0}")
    factors = step_factor(values, rates, regularization)
    with np.errstate(over="ignore", invalid="ignore"):
        thetas = np.multiply.accumulate(np.concatenate(([theta0], factors)))
    zero = np.flatnonzero(factors == 0.0)
    if zero.size:
        thetas[zero[0] + 1:] = 0.0
    return thetas


def suffix_sums(schedule: str | ArrayLike, coefficients: ArrayLike, *, discount: float = 1.0,
                regularization: float = 0.0) -> list[Suffix]:
    """For each agent n, the later agents' sums (`mesa_gym.model.Suffix`) when all play ``coefficients``.

    Entry n describes agents n+1 … N−1 in units of θ_{n+1}; entry N−1 is empty. Entries are ±inf
    where later outputs overflow the float range.
    """
    rates = as_schedule(schedule)
    values = check_coefficients(coefficients, rates.size)
    discount, regularization, _ = check_game(discount, regularization, 1.0)
    return _suffixes(rates, values, discount, regularization)


def _suffixes(rates: np.ndarray, values: np.ndarray, discount: float, regularization: float) -> list[Suffix]:
    suffixes = [EMPTY_SUFFIX] * rates.size
    suffix = EMPTY_SUFFIX
    for n in range(rates.size - 1, 0, -1):
        a, lr = float(values[n]), float(rates[n])
        suffix = extend_suffix(suffix, a, step_factor(a, lr, regularization), discount)
        suffixes[n - 1] = suffix
    return suffixes


def best_response(schedule: str | ArrayLike, coefficients: ArrayLike, n: int, *, discount: float = 1.0,
                  regularization: float = 0.0,
                  coefficient_bound: float = DEFAULT_COEFFICIENT_BOUND) -> float:
    """Agent n's exact best coefficient in [−B, B] when every other agent plays ``coefficients``.

    Only the later agents matter (earlier ones fixed θ_n, which only scales agent n's objective).
    """
    rates = as_schedule(schedule)
    discount, regularization, coefficient_bound = check_game(discount, regularization, coefficient_bound)
    values = check_coefficients(coefficients, rates.size)
    if not (isinstance(n, (int, np.integer)) and 0 <= n < rates.size):
        raise ValueError(f"agent index n must be an integer in [0, {rates.size}), got {n!r}")
    suffix = EMPTY_SUFFIX
    for k in range(rates.size - 1, n, -1):
        a, lr = float(values[k]), float(rates[k])
        suffix = extend_suffix(suffix, a, step_factor(a, lr, regularization), discount)
    if not (math.isfinite(suffix[1]) and math.isfinite(suffix[2])):
        raise ValueError(f"later agents' outputs overflow the float range: agent {n}'s best response "
                         "is not representable")
    return best_coefficient(float(rates[n]), suffix, discount, regularization, coefficient_bound)


def agent_gains(schedule: str | ArrayLike, coefficients: ArrayLike, *, discount: float = 1.0,
                regularization: float = 0.0,
                coefficient_bound: float = DEFAULT_COEFFICIENT_BOUND) -> np.ndarray:
    """What each agent would gain by deviating to its best response, in units of its θ_n².

    Exactly 0 for an agent already playing its best response. +inf for a learning agent whose later
    agents' outputs overflow the float range (its objective is then not representable).
    """
    rates = as_schedule(schedule)
    discount, regularization, coefficient_bound = check_game(discount, regularization, coefficient_bound)
    values = check_coefficients(coefficients, rates.size, coefficient_bound)
    gains = np.empty(rates.size)
    suffix = EMPTY_SUFFIX
    for n in range(rates.size - 1, -1, -1):
        a, lr = float(values[n]), float(rates[n])
        if lr == 0.0 or (math.isfinite(suffix[1]) and math.isfinite(suffix[2])):
            best = best_coefficient(lr, suffix, discount, regularization, coefficient_bound)
            gains[n] = max(0.0, cost_difference(a, best, lr, suffix, discount, regularization))
        else:
            gains[n] = math.inf
        suffix = extend_suffix(suffix, a, step_factor(a, lr, regularization), discount)
    return gains


def exploitability(schedule: str | ArrayLike, coefficients: ArrayLike, *, discount: float = 1.0,
                   regularization: float = 0.0,
                   coefficient_bound: float = DEFAULT_COEFFICIENT_BOUND) -> float:
    """Σ over agents of what each gains by its best response, in units of θ_n²: 0 exactly at an equilibrium.

    See `agent_gains` for each agent's term.
    """
    return float(np.sum(agent_gains(schedule, coefficients, discount=discount, regularization=regularization,
                                    coefficient_bound=coefficient_bound)))
