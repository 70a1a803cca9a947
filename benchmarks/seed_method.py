"""A plain implementation of the seed's method, as the write-up describes it, for benchmarking only.

Backward induction by recursion over the plan; each agent tries 401 coefficients in [−2, 2] and scores
each by simulating the whole remaining game for 11 values of θ in [−1, 1] and averaging the summed
mesa objective: O(N²·401·11) work. Written here from the write-up's description (the project never
imports the seed's code).
"""

from __future__ import annotations

import numpy as np

GRID = np.linspace(-2, 2, num=401).tolist()
THETAS = np.linspace(-1, 1, num=11).tolist()


def theta_path(theta: float, plan: list[float], rates: list[float]) -> list[float]:
    """θ before each episode, recursively: one gradient step on y² per episode."""
    if not plan:
        return [theta]
    y = plan[0] * theta
    return [theta, *theta_path(theta - rates[0] * 2.0 * y * plan[0], plan[1:], rates[1:])]


def total_mesa_cost(theta0: float, plan: list[float], rates: list[float]) -> float:
    """Σ_k (y_k − θ0)² along the path (the goal is the θ the agent starts with)."""
    return sum((a * theta - theta0) ** 2 for a, theta in zip(plan, theta_path(theta0, plan, rates)))


def plan_for(rates: list[float]) -> list[float]:
    """The seed's plan: the last agent first, each picking the grid coefficient of least mean cost."""
    if not rates:
        return []
    later = plan_for(rates[1:])
    scores = [sum(total_mesa_cost(t, [a, *later], rates) for t in THETAS) / len(THETAS) for a in GRID]
    return [GRID[int(np.argmin(scores))], *later]
