"""The seed's model, written once: every solver, env, vector env and metric calls this module.

Agent n outputs y_n = a_n·θ_n. The base objective is y² + λ·θ² (λ = 0 in the seed); the mesa
objective of agent n is Σ_{k≥n} γ^(k−n)·(y_k − θ_n)² (γ = 1 in the seed). The base optimizer takes
one gradient step per episode: θ_{n+1} = θ_n − lr_n·∂(y_n² + λθ_n²)/∂θ_n = θ_n·m_n with the
*step factor* m_n = 1 − 2·lr_n·(a_n² + λ).

Scale invariance: θ_k = θ_n·Π_{j=n}^{k−1} m_j, so agent n's objective is θ_n² times a function of
the coefficients alone. Writing z_k for agent k's output in units of θ_{n+1}, the later agents enter
agent n's objective only through three discounted suffix sums
    S0 = Σ γ^(k−n−1),   S1 = Σ γ^(k−n−1)·z_k,   S2 = Σ γ^(k−n−1)·z_k²     (k > n),
and agent n's normalised objective is the quartic
    f(a) = (a − 1)² + γ·(m(a)²·S2 − 2·m(a)·S1 + S0),   m(a) = 1 − 2·lr·(a² + λ).
Its derivative is 2·(p·a³ + q·a − 1) with p = 8γ·lr²·S2 ≥ 0 and q = 1 − 4γ·lr·((1 − 2·lr·λ)·S2 − S1):
a cubic with exactly one positive root (Descartes), below which f falls and above which it rises.
Since f(−a) = f(a) + 4a, no negative coefficient ever beats its mirror image, so the best response
on [−B, B] is unique: min(positive root, B). There are no ties to break.
"""

from __future__ import annotations

import math

DEFAULT_COEFFICIENT_BOUND = 2.0
"""The seed searches coefficients in [−2, 2]; the exact solver keeps that range."""


Suffix = tuple[float, float, float]
"""Discounted sums (S0, S1, S2) over later agents' outputs z, in units of the θ they start from.

``S0 = Σ γ^j``, ``S1 = Σ γ^j·z``, ``S2 = Σ γ^j·z²`` (j = 0 for the next agent). An agent's normalised
objective depends on the later agents only through these. A plain tuple: it is built once per agent
in the O(N) solver's hot loop.
"""

EMPTY_SUFFIX: Suffix = (0.0, 0.0, 0.0)


def output(coefficient, theta):
    """The mesa-optimizer's output y = a·θ (its policy space is outputs proportional to θ)."""
    return coefficient * theta


def base_objective(y, theta=0.0, regularization: float = 0.0):
    """What the base optimizer minimises: y² + λ·θ² (λ = 0 is the seed)."""
    return y * y + regularization * (theta * theta) if regularization else y * y


def mesa_objective(y, theta):
    """One episode's term of the mesa objective, (y − θ)²."""
    d = y - theta
    return d * d


def step_factor(coefficient, lr, regularization=0.0):
    """m = 1 − 2·lr·(a² + λ): the factor the base optimizer's gradient step multiplies θ by.

    Takes floats or numpy arrays (broadcast), so scalar callers avoid array overhead.
    """
    square = coefficient * coefficient
    return 1.0 - 2.0 * lr * (square + regularization if regularization else square)


def next_theta(theta, coefficient, lr, regularization: float = 0.0, factor=None):
    """θ after one gradient step on the base objective: θ·(1 − 2·lr·(a² + λ)) (= θ·``factor``)."""
    return theta * (step_factor(coefficient, lr, regularization) if factor is None else factor)


def extend_suffix(suffix: Suffix, coefficient: float, factor: float, discount: float = 1.0) -> Suffix:
    """Prepend an agent playing ``coefficient`` with step factor ``factor`` to ``suffix``.

    Later outputs measured in θ_{n+1} become ``factor`` times larger in units of θ_n.
    """
    s0, s1, s2 = suffix
    g_m = discount * factor
    return (1.0 + discount * s0, coefficient + g_m * s1, coefficient * coefficient + g_m * factor * s2)


def agent_cost(coefficient, lr, suffix: Suffix, discount: float = 1.0, regularization: float = 0.0,
               factor=None):
    """Agent's mesa objective in units of its own θ², as a function of its coefficient.

    ``f(a) = (a − 1)² + γ·(m²·S2 − 2·m·S1 + S0)``. Floats or numpy arrays (broadcast: a batch of
    agents, each with its own lr and suffix sums, or one agent and many coefficients). ``factor``
    is m = step_factor(a, lr, λ) when the caller has it already (the envs' hot path).
    """
    m = step_factor(coefficient, lr, regularization) if factor is None else factor
    s0, s1, s2 = suffix
    d = coefficient - 1.0
    return d * d + discount * (m * m * s2 - 2.0 * m * s1 + s0)


def cost_difference(a, b, lr, suffix: Suffix, discount: float = 1.0, regularization: float = 0.0,
                    factors=None):
    """f(a) − f(b) without cancellation: exactly 0 when a == b, accurate when they are close.

    Factorising (a − b) out of the quartic keeps exploitability exact at an equilibrium. Floats or
    numpy arrays; for floats, non-finite suffix sums are harmless when they cannot matter.
    ``factors`` is (m(a), m(b)) when the caller has them already.
    """
    if isinstance(a, float) and isinstance(b, float):
        if a == b:
            return 0.0
        if lr == 0.0:  # later outputs do not depend on this agent's coefficient
            return (a - b) * (a + b - 2.0)
    _, s1, s2 = suffix
    m_a, m_b = (step_factor(a, lr, regularization), step_factor(b, lr, regularization)) if factors is None else factors
    m_sum = m_a + m_b
    return (a - b) * ((a + b - 2.0) - 2.0 * discount * lr * (a + b) * (m_sum * s2 - 2.0 * s1))


def _positive_cubic_root(p: float, q: float) -> float:
    """The unique positive root of p·a³ + q·a − 1 (p ≥ 0), or inf when there is none.

    Substituting a = y/s with s = p^(1/3) gives y³ + k·y − 1 = 0, k = q/s, solved in closed form in
    whichever of its forms has no cancellation; one Newton step then brings it to floating-point
    accuracy (the root is simple: the cubic is convex on a > 0 and rises through it).
    """
    if p == 0.0:
        return 1.0 / q if q > 0.0 else math.inf
    s = math.cbrt(p)
    k = q / s
    if k > 1e5:  # y·k = x with t·x³ + x − 1 = 0, t = k⁻³ < 1e-15: x = 1 − t to double precision
        a = (1.0 - 1.0 / (k * k * k)) / q
    else:
        disc = 0.25 + k * k * k / 27.0
        if disc >= 0.0:
            u = math.cbrt(0.5 + math.sqrt(disc))
            v = k / (3.0 * u)  # the root is u − v; for k > 0 use (u³ − v³)/(u² + uv + v²) = 1/(…)
            y = 1.0 / (u * u + k / 3.0 + v * v) if k > 0.0 else u - v
        else:  # three real roots; the largest is the positive one
            r = math.sqrt(-k / 3.0)
            y = 2.0 * r * math.cos(math.acos(min(1.0, 0.5 / (r * r * r))) / 3.0)
        a = y / s
    slope = 3.0 * p * a * a + q
    if slope > 0.0:
        a -= (p * a * a * a + q * a - 1.0) / slope
    return a


def best_coefficient(lr: float, suffix: Suffix, discount: float = 1.0, regularization: float = 0.0,
                     bound: float = DEFAULT_COEFFICIENT_BOUND) -> float:
    """The agent's exact best coefficient in [−bound, bound] against the later agents in ``suffix``.

    The objective falls up to the cubic's positive root and rises after it, so the answer is
    min(root, bound): when f' is still negative at the bound, the bound binds.
    """
    if lr == 0.0:
        return min(1.0, bound)
    _, s1, s2 = suffix  # f'(a) = 2·(p·a³ + q·a − 1)
    p = 8.0 * discount * lr * lr * s2
    q = 1.0 - 4.0 * discount * lr * ((1.0 - 2.0 * lr * regularization) * s2 - s1)
    if (p * bound * bound + q) * bound - 1.0 <= 0.0:
        return bound
    return _positive_cubic_root(p, q)
