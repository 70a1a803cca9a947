"""The model module's closed forms against direct simulation and 50-digit arithmetic."""

import math

import mpmath
import numpy as np
import pytest
from brute_force import simulate_cost
from hypothesis import given, settings
from hypothesis import strategies as st

from mesa_gym import model

lrs = st.floats(min_value=0.0, max_value=20.0)
coefs = st.floats(min_value=-2.0, max_value=2.0)


def test_seed_formulas():
    assert model.output(0.5, 0.8) == pytest.approx(0.4)
    assert model.base_objective(0.4) == pytest.approx(0.16)
    assert model.base_objective(0.4, theta=2.0, regularization=0.5) == pytest.approx(0.16 + 2.0)
    assert model.mesa_objective(0.4, 0.8) == pytest.approx(0.16)
    # θ − lr·∂(y²)/∂θ with y = aθ: 0.8 − 0.1·2·(0.5·0.8)·0.5 = 0.76
    assert model.next_theta(0.8, 0.5, 0.1) == pytest.approx(0.76)
    assert model.next_theta(0.8, 0.5, 0.1, regularization=1.0) == pytest.approx(0.8 - 0.1 * (0.4 + 1.6))


@settings(max_examples=200, deadline=None)
@given(rates=st.lists(lrs, min_size=1, max_size=8), data=st.data(),
       discount=st.floats(min_value=0.05, max_value=1.0), reg=st.floats(min_value=0.0, max_value=0.5))
def test_agent_cost_matches_simulation(rates, data, discount, reg):
    """f(a) from the suffix sums equals agent 0's simulated objective / θ0²."""
    coefficients = data.draw(st.lists(coefs, min_size=len(rates), max_size=len(rates)))
    suffix = model.EMPTY_SUFFIX
    for k in range(len(rates) - 1, 0, -1):
        a = coefficients[k]
        suffix = model.extend_suffix(suffix, a, model.step_factor(a, rates[k], reg), discount)
    a0 = data.draw(coefs)
    expected = simulate_cost(rates, coefficients, 0, a0, theta_n=1.7, discount=discount,
                             regularization=reg) / 1.7**2
    got = float(model.agent_cost(a0, rates[0], suffix, discount, reg))
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
    b = data.draw(coefs)
    diff = model.cost_difference(a0, b, rates[0], suffix, discount, reg)
    direct = float(model.agent_cost(a0, rates[0], suffix, discount, reg) - model.agent_cost(b, rates[0], suffix,
                                                                                           discount, reg))
    assert diff == pytest.approx(direct, rel=1e-7, abs=1e-7 * (1 + abs(expected)))


@settings(max_examples=300, deadline=None)
@given(lr=st.floats(min_value=1e-4, max_value=1e3), s1=st.floats(min_value=-50, max_value=50),
       s2=st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e3)),
       discount=st.floats(min_value=0.01, max_value=1.0),
       reg=st.floats(min_value=0.0, max_value=2.0), bound=st.floats(min_value=0.1, max_value=5.0))
def test_best_coefficient_is_the_quartic_minimiser_to_50_digits(lr, s1, s2, discount, reg, bound):
    """Against mpmath: the global minimiser of the quartic over [−bound, bound]."""
    if s1 * s1 > s2 * 100:  # keep (s1, s2) a realisable pair: S1² ≤ S0·S2 with S0 ≤ 100
        s1 = math.copysign(math.sqrt(s2 * 100), s1)
    suffix = (100.0, s1, s2)
    got = model.best_coefficient(lr, suffix, discount, reg, bound)
    mpmath.mp.dps = 50
    lr_, s1_, s2_, g, lam = (mpmath.mpf(x) for x in (lr, s1, s2, discount, reg))

    def f(a):
        m = 1 - 2 * lr_ * (a * a + lam)
        return (a - 1) ** 2 + g * (m * m * s2_ - 2 * m * s1_ + 100)

    p = 8 * g * lr_ * lr_ * s2_
    q = 1 - 4 * g * lr_ * ((1 - 2 * lr_ * lam) * s2_ - s1_)
    candidates = [mpmath.mpf(bound), -mpmath.mpf(bound)]
    roots = mpmath.polyroots([p, 0, q, -1], maxsteps=400, extraprec=400) if p != 0 else [1 / q]
    candidates += [mpmath.re(r) for r in roots if abs(mpmath.im(r)) < 1e-30 and abs(mpmath.re(r)) <= bound]
    best = min(candidates, key=f)
    assert abs(got - float(best)) <= 4e-15 * max(1.0, abs(float(best)))


def test_best_coefficient_without_learning_is_one():
    assert model.best_coefficient(0.0, (5.0, 3.0, 9.0)) == 1.0
    assert model.best_coefficient(0.0, (5.0, 3.0, 9.0), bound=0.5) == 0.5


def test_step_factor_vectorises():
    np.testing.assert_array_equal(model.step_factor(np.array([0.0, 1.0]), np.array([1.0, 0.5])), [1.0, 0.0])
