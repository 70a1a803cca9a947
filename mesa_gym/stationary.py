"""The infinite game: a constant learning rate, discount γ < 1, and optionally a deployment hazard.

While training, every agent plays the same coefficient a (a stationary profile). With deployment
hazard p, each later episode is the first deployed one with probability p; deployment is absorbing
(lr 0 from then on, where every agent plays 1 and θ stays put). Agent n's later agents then enter its
objective through expected discounted suffix sums in closed form (units of θ_{n+1}); with the
training factor m = 1 − 2·lr·(a² + λ) and D = 1/(1 − γ) for a deployed future,

    T0 = (1 + γ·p·D)/(1 − γ(1−p)),   T1 = (a + γ·m·p·D)/(1 − γ·m·(1−p)),
    T2 = (a² + γ·m²·p·D)/(1 − γ·m²·(1−p)),   S = (1 − p)·T + p·(D, D, D),

finite iff γ·m²·(1 − p) < 1. A stationary equilibrium is a fixed point a = BR(S(a)) of the exact
best response (`mesa_gym.model.best_coefficient`); it is found by scanning [0, B] for sign changes
of BR(S(a)) − a and bisecting each to floating-point precision.
"""

from __future__ import annotations

import math

import numpy as np

from mesa_gym.equilibrium import check_game
from mesa_gym.model import DEFAULT_COEFFICIENT_BOUND, Suffix, agent_cost, best_coefficient, step_factor

SCAN_POINTS = 4001


def check_infinite(lr: float, discount: float, hazard: float) -> tuple[float, float, float]:
    """Validated (lr, γ, p): lr finite ≥ 0, γ ∈ (0, 1) (the infinite sum needs γ < 1), p ∈ [0, 1)."""
    lr, discount, hazard = float(lr), float(discount), float(hazard)
    if not (math.isfinite(lr) and 0.0 <= lr <= 1e100):
        raise ValueError(f"lr must be finite, >= 0 and at most 1e100, got {lr}")
    if not 0.0 < discount < 1.0:
        raise ValueError(f"the infinite game needs a discount in (0, 1), got {discount}")
    if not 0.0 <= hazard < 1.0:
        raise ValueError(f"hazard must be in [0, 1), got {hazard}")
    return lr, discount, hazard


def deployed_suffix(discount: float) -> Suffix:
    """Sums over an all-deployed future: every later output equals θ_{n+1}, so z = 1 throughout."""
    d = 1.0 / (1.0 - discount)
    return (d, d, d)


def stationary_suffix(coefficient: float, lr: float, discount: float, regularization: float = 0.0,
                      hazard: float = 0.0) -> Suffix | None:
    """Expected sums over the later agents when all play ``coefficient`` while training; None if infinite."""
    m = step_factor(coefficient, lr, regularization)
    keep = discount * (1.0 - hazard)
    if keep * m * m >= 1.0:
        return None
    d = 1.0 / (1.0 - discount)
    pd = discount * hazard * d
    t0 = (1.0 + pd) / (1.0 - keep)
    t1 = (coefficient + m * pd) / (1.0 - keep * m)
    t2 = (coefficient * coefficient + m * m * pd) / (1.0 - keep * m * m)
    q = 1.0 - hazard
    return (q * t0 + hazard * d, q * t1 + hazard * d, q * t2 + hazard * d)


def stationary_best_response(coefficient: float, lr: float, *, discount: float, regularization: float = 0.0,
                             hazard: float = 0.0, coefficient_bound: float = DEFAULT_COEFFICIENT_BOUND) -> float:
    """A training agent's exact best coefficient when every later training agent plays ``coefficient``."""
    suffix = stationary_suffix(coefficient, lr, discount, regularization, hazard)
    if suffix is None:
        raise ValueError(f"later agents playing {coefficient} make the objective infinite (γ·m²·(1−p) >= 1)")
    return best_coefficient(lr, suffix, discount, regularization, coefficient_bound)


def stationary_equilibria(lr: float, *, discount: float, regularization: float = 0.0, hazard: float = 0.0,
                          coefficient_bound: float = DEFAULT_COEFFICIENT_BOUND) -> np.ndarray:
    """Every stationary equilibrium coefficient in [0, B] (sorted), each exact to floating point.

    Negative coefficients are never best responses (see `mesa_gym.model`), so [0, B] holds them all.
    """
    lr, discount, hazard = check_infinite(lr, discount, hazard)
    _, regularization, coefficient_bound = check_game(discount, regularization, coefficient_bound)
    if lr == 0.0:
        return np.array([min(1.0, coefficient_bound)])

    def gap(a: float) -> float | None:
        suffix = stationary_suffix(a, lr, discount, regularization, hazard)
        return None if suffix is None else best_coefficient(lr, suffix, discount, regularization,
                                                            coefficient_bound) - a

    grid = np.linspace(0.0, coefficient_bound, SCAN_POINTS).tolist()
    values = [gap(a) for a in grid]
    roots = []
    for i in range(len(grid) - 1):
        lo, hi, g_lo, g_hi = grid[i], grid[i + 1], values[i], values[i + 1]
        if (g_lo is None) != (g_hi is None):  # the edge of the finite region: move to its last finite point
            inside, outside = (lo, hi) if g_hi is None else (hi, lo)
            edge = _edge(gap, inside, outside)
            if g_hi is None:
                hi, g_hi = edge, gap(edge)
            else:
                lo, g_lo = edge, gap(edge)
        if g_lo is None or g_hi is None:
            continue
        if g_lo == 0.0:
            roots.append(lo)
        elif g_lo * g_hi < 0.0:
            roots.append(_bisect(gap, lo, hi, g_lo))
    if values[-1] == 0.0:
        roots.append(grid[-1])
    return np.array(roots)


def _edge(gap, inside: float, outside: float) -> float:
    """The finite point next to the edge of the region where later agents' sums are finite."""
    while True:
        mid = 0.5 * (inside + outside)
        if mid in (inside, outside):
            return inside
        if gap(mid) is None:
            outside = mid
        else:
            inside = mid


def _bisect(gap, lo: float, hi: float, g_lo: float) -> float:
    """Bisection to adjacent floats: the gap changes sign between ``lo`` and ``hi``."""
    while True:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            return lo if abs(g_lo) <= abs(gap(hi)) else hi
        g_mid = gap(mid)
        if g_mid == 0.0:
            return mid
        if (g_mid < 0.0) == (g_lo < 0.0):
            lo, g_lo = mid, g_mid
        else:
            hi = mid


def stationary_equilibrium(lr: float, *, discount: float, regularization: float = 0.0, hazard: float = 0.0,
                           coefficient_bound: float = DEFAULT_COEFFICIENT_BOUND) -> float:
    """The coefficient of the unique stationary equilibrium of the infinite game while training.

    Existence: some coefficient in [0, B] must keep γ·(1 − p)·m² < 1; otherwise every agent's
    objective is infinite (with lr·λ large the base optimizer's own step on θ makes |θ| grow faster
    than the discount shrinks) and there is no equilibrium. Where that holds, the equilibrium was
    unique on every setting scanned (lr ∈ [0.01, 50], γ ∈ [0.5, 0.999], λ ∈ [0, 2], p ∈ [0, 0.5]:
    352 settings, plus hypothesis-drawn ones in the tests); this is a measurement, not a proof.
    Raises ValueError naming the fixed points when there is not exactly one.
    """
    roots = stationary_equilibria(lr, discount=discount, regularization=regularization, hazard=hazard,
                                  coefficient_bound=coefficient_bound)
    if roots.size != 1:
        raise ValueError(f"expected one stationary equilibrium, found {roots.size}: {roots.tolist()}")
    return float(roots[0])


def stationary_cost(coefficient: float, profile: float, lr: float, *, discount: float, regularization: float = 0.0,
                    hazard: float = 0.0) -> float:
    """A training agent's expected objective (θ_n² units) playing ``coefficient`` against a stationary
    ``profile`` of later training agents."""
    suffix = stationary_suffix(profile, lr, discount, regularization, hazard)
    if suffix is None:
        return math.inf
    return float(agent_cost(coefficient, lr, suffix, discount, regularization))
