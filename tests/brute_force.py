"""Independent reference implementations for the tests: direct simulation of θ, no mesa_gym code.

Everything here follows the write-up literally (θ − lr·∂(y² + λθ²)/∂θ, explicit sums of (y − θ)²),
so agreement with the library's closed forms is evidence, not a tautology.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar


def simulate_cost(rates, coefficients, n, a, theta_n=1.0, discount=1.0, regularization=0.0):
    """Agent n's mesa objective with goal θ_n when it plays ``a`` and later agents ``coefficients``."""
    theta, cost = theta_n, 0.0
    for k in range(n, len(rates)):
        ak = a if k == n else coefficients[k]
        y = ak * theta
        cost += discount ** (k - n) * (y - theta_n) ** 2
        theta = theta - rates[k] * (2.0 * y * ak + 2.0 * regularization * theta)
    return cost


def backward_induction(rates, theta_n=1.0, bound=2.0, discount=1.0, regularization=0.0):
    """The equilibrium by numerical minimisation of simulated costs: a fine grid, then Brent."""
    coefficients = [0.0] * len(rates)
    grid = np.linspace(-bound, bound, 801)
    for n in range(len(rates) - 1, -1, -1):
        def cost(a, n=n):
            return simulate_cost(rates, coefficients, n, a, theta_n, discount, regularization)
        costs = [cost(a) for a in grid]
        i = int(np.argmin(costs))
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
        res = minimize_scalar(cost, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
        coefficients[n] = float(res.x) if res.fun <= costs[i] else float(grid[i])
    return np.array(coefficients)


def seed_grid_method(rates, n_grid=401, n_thetas=11):
    """The seed's method as the write-up describes it: grid of coefficients, cost averaged over θ."""
    grid = np.linspace(-2, 2, num=n_grid)
    thetas = np.linspace(-1, 1, n_thetas)
    plan = [0.0] * len(rates)
    for n in range(len(rates) - 1, -1, -1):
        def avg(a, n=n):
            return np.mean([simulate_cost(rates, plan, n, a, theta_n=t) for t in thetas])
        options = {a: avg(a) for a in grid}
        plan[n] = float(min(options, key=options.get))
    return np.array(plan)


def hazard_cost(a_own, profile, lr, discount, hazard, regularization=0.0, horizon=3000):
    """A training agent's expected objective (θ_n = 1) by simulation: later training agents play
    ``profile``; each later episode is the first deployed one with probability ``hazard``, after which
    the output is θ (coefficient 1) and θ stays put. Truncated at ``horizon`` (γ^horizon negligible)."""
    theta, cost, alive = 1.0, 0.0, 1.0  # alive: probability that training has lasted until this episode
    weight = 1.0
    for t in range(horizon):
        a = a_own if t == 0 else profile
        y = a * theta
        cost += weight * alive * (y - 1.0) ** 2  # still training: the profile's output
        theta = theta - lr * (2.0 * y * a + 2.0 * regularization * theta)
        # the next episode is the first deployed one with probability alive·hazard: from then on
        # the output is this θ forever
        tail = weight * discount / (1.0 - discount) * (theta - 1.0) ** 2
        cost += alive * hazard * tail
        alive *= 1.0 - hazard
        weight *= discount
        if weight * max(1.0, theta * theta) < 1e-18:
            break
    return cost
