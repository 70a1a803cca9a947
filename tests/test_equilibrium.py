"""The oracle against independent brute force, the seed's own numbers, and bad input."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from brute_force import backward_induction, seed_grid_method, simulate_cost
from hypothesis import given, settings
from hypothesis import strategies as st

from mesa_gym import agent_gains, best_response, exploitability, rollout, solve_equilibrium, step_schedule

SEED = json.loads((Path(__file__).parent / "data" / "seed_outputs.json").read_text())["experiments"]

rate = st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=3.0))
schedules = st.lists(rate, min_size=1, max_size=12)


# --- the seed's numbers --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["seed-exp1", "seed-exp2"])
def test_grid_method_gives_the_seeds_own_plan(name):
    """The seed's code (run once, kept as data) and our O(N·401) grid pick the very same coefficients."""
    np.testing.assert_array_equal(solve_equilibrium(name, method="grid"), SEED[name]["plan"])
    thetas = rollout(SEED[name]["plan"], name, 0.8)
    np.testing.assert_allclose(thetas, SEED[name]["thetas"], rtol=1e-12, atol=1e-14)


def test_seed_headline_numbers():
    exp1, exp2 = solve_equilibrium("seed-exp1"), solve_equilibrium("seed-exp2")
    assert exp1[0] == pytest.approx(0.03, abs=0.005)  # write-up: "starting out with a coefficient of 0.03"
    assert exp2[0] == pytest.approx(0.05, abs=0.005)  # "starting coefficient = 0.05"
    assert abs(rollout(exp2, "seed-exp2", 0.8)[-1]) == pytest.approx(0.08, abs=0.005)  # "ending with θ = 0.08"
    np.testing.assert_array_equal(exp1[20:], 1.0)  # deployment: output θ


@pytest.mark.parametrize("name", ["seed-exp1", "seed-exp2"])
def test_exact_and_grid_agree_to_the_grid_resolution(name):
    gap = np.abs(solve_equilibrium(name) - solve_equilibrium(name, method="grid"))
    assert gap.max() <= 0.01  # one grid step; errors of later agents propagate a little past half a step


@settings(max_examples=25, deadline=None)
@given(rates=st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0]), min_size=1, max_size=5))
def test_grid_method_matches_the_seeds_method_on_random_schedules(rates):
    """Independent re-implementation of the write-up's method (θ-average, grid) on random schedules."""
    ours = solve_equilibrium(rates, method="grid")
    reference = seed_grid_method(rates)
    # a different pick is allowed only at a tie within rounding of the two cost evaluations
    for n in np.flatnonzero(ours != reference):
        costs = [np.mean([simulate_cost(rates, ours, n, a, theta_n=t) for t in np.linspace(-1, 1, 11)])
                 for a in (ours[n], reference[n])]
        assert costs[0] == pytest.approx(costs[1], rel=1e-12)


# --- exactness against brute force ----------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(rates=schedules, discount=st.sampled_from([1.0, 0.9, 0.5]), reg=st.sampled_from([0.0, 0.1, 0.3]))
def test_no_grid_coefficient_beats_any_agent(rates, discount, reg):
    kw = {"discount": discount, "regularization": reg}
    coefficients = solve_equilibrium(rates, **kw)
    grid = np.linspace(-2, 2, 2001)
    for n in range(len(rates)):
        own = simulate_cost(rates, coefficients, n, coefficients[n], discount=discount, regularization=reg)
        best_on_grid = min(simulate_cost(rates, coefficients, n, a, discount=discount, regularization=reg)
                           for a in grid)
        assert own <= best_on_grid + 1e-9 * max(1.0, own)
    assert exploitability(rates, coefficients, **kw) <= 1e-9


@settings(max_examples=30, deadline=None)
@given(rates=st.lists(rate, min_size=1, max_size=6), theta0=st.sampled_from([0.8, -3.0, 1e-3, 40.0]))
def test_matches_numerical_backward_induction_for_any_theta0(rates, theta0):
    """Brent's method on simulated costs with real θ values: same coefficients whatever θ0."""
    np.testing.assert_allclose(solve_equilibrium(rates), backward_induction(rates, theta_n=theta0), atol=2e-6)


@settings(max_examples=50, deadline=None)
@given(rates=schedules, data=st.data())
def test_exploitability_is_the_sum_of_brute_force_gains(rates, data):
    coefficients = np.array(data.draw(st.lists(st.floats(-2, 2), min_size=len(rates), max_size=len(rates))))
    gains = agent_gains(rates, coefficients)
    for n in range(len(rates)):
        br = best_response(rates, coefficients, n)
        own = simulate_cost(rates, coefficients, n, coefficients[n])
        at_br = simulate_cost(rates, coefficients, n, br)
        assert gains[n] == pytest.approx(own - at_br, rel=1e-7, abs=1e-9 * max(1.0, own))
        grid_best = min(simulate_cost(rates, coefficients, n, a) for a in np.linspace(-2, 2, 801))
        assert at_br <= grid_best + 1e-9 * max(1.0, own)
    assert exploitability(rates, coefficients) == pytest.approx(gains.sum())


def test_exploitability_is_exactly_zero_at_the_equilibrium():
    for name in ("seed-exp1", "seed-exp2"):
        assert exploitability(name, solve_equilibrium(name)) == 0.0
        assert exploitability(name, solve_equilibrium(name, method="grid")) > 0.0


def test_bound_binds_and_is_reported():
    """With a tight bound, the deployed agents (best 1) play the bound, and nobody gains by deviating."""
    coefficients = solve_equilibrium("seed-exp1", coefficient_bound=0.5)
    np.testing.assert_array_equal(coefficients[20:], 0.5)
    assert exploitability("seed-exp1", coefficients, coefficient_bound=0.5) == 0.0


def test_large_schedules_are_linear_time():
    coefficients = solve_equilibrium(step_schedule(2000, 100_000))
    assert coefficients.shape == (100_000,)
    assert np.isfinite(coefficients).all()


# --- rollout and numerical safety --------------------------------------------------------------

def test_rollout_is_the_step_by_step_recursion():
    coefficients = solve_equilibrium("seed-exp1")
    thetas = rollout(coefficients, "seed-exp1", 0.8)
    assert thetas.shape == (101,) and thetas[0] == 0.8
    expected = [0.8]
    for a, lr in zip(coefficients, step_schedule(20, 100)):
        expected.append(expected[-1] * (1 - 2 * lr * a * a))
    np.testing.assert_array_equal(thetas, expected)


def test_large_learning_rates_never_warn_or_nan():
    rates = [50.0] * 300 + [0.0] * 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eq = solve_equilibrium(rates)
        assert np.isfinite(eq).all()
        assert exploitability(rates, eq) == 0.0
        assert np.isfinite(rollout(eq, rates, 0.8)).all()
        ones = np.ones(len(rates))
        thetas = rollout(ones, rates, 0.8)  # θ·(−99)^n overflows: ±inf, never NaN
        assert not np.isnan(thetas).any() and np.isinf(thetas[-1])
        assert exploitability(rates, ones) == np.inf
        rates[200] = 0.5  # step factor 1 − 2·0.5·1² = 0 after θ overflowed: θ is exactly 0 afterwards
        assert (rollout(ones, rates, 0.8)[201:] == 0.0).all()


def test_diverging_regularised_step_is_an_error():
    with pytest.raises(ValueError, match="overflow"):
        solve_equilibrium([5.0] * 2000, regularization=1.0)


# --- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("schedule, message", [
    ([1.0, float("nan")], "NaN at episode 1"),
    ([float("inf")], "infinite"),
    ([1.0, -0.5], "negative learning rate at episode 1"),
    ([], "empty"),
    ([[1.0, 0.0]], "1-D"),
    ("seed-exp3", "unknown schedule preset"),
    (["a"], "array of learning rates"),
    ([1e200], "above"),
])
def test_bad_schedules(schedule, message):
    with pytest.raises(ValueError, match=message):
        solve_equilibrium(schedule)


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "newton"}, "unknown method"),
    ({"discount": 0.0}, "discount"),
    ({"discount": 1.5}, "discount"),
    ({"regularization": -1.0}, "regularization"),
    ({"coefficient_bound": float("nan")}, "coefficient_bound"),
])
def test_bad_solver_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        solve_equilibrium("seed-exp1", **kwargs)


def test_bad_coefficients():
    with pytest.raises(ValueError, match="mismatched lengths"):
        rollout([1.0, 1.0], [1.0], 0.8)
    with pytest.raises(ValueError, match="finite"):
        exploitability([1.0], [float("nan")])
    with pytest.raises(ValueError, match="outside"):
        exploitability([1.0], [2.5])
    with pytest.raises(ValueError, match="1-D"):
        rollout([[1.0]], [1.0], 0.8)
    with pytest.raises(ValueError, match="theta0"):
        rollout([1.0], [1.0], float("inf"))
    with pytest.raises(ValueError, match="agent index"):
        best_response([1.0, 1.0], [1.0, 1.0], 2)


@pytest.mark.parametrize("lr", [1e3, 1e50, 1e100])
def test_solvers_stay_finite_up_to_the_largest_learning_rate(lr):
    schedule = [lr] * 50 + [0.0] * 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in ("exact", "grid"):
            coefficients = solve_equilibrium(schedule, method=method)
            assert np.isfinite(coefficients).all()
            assert np.isfinite(rollout(coefficients, schedule, 0.8)).all()
        assert exploitability(schedule, solve_equilibrium(schedule)) == 0.0
