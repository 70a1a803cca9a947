"""The infinite game's stationary equilibrium against long finite games and brute-force simulation."""

import numpy as np
import pytest
from brute_force import hazard_cost
from hypothesis import given, settings
from hypothesis import strategies as st

from mesa_gym import solve_equilibrium
from mesa_gym.model import step_factor
from mesa_gym.stationary import (
    stationary_best_response,
    stationary_cost,
    stationary_equilibria,
    stationary_equilibrium,
)


@pytest.mark.parametrize("lr, discount, reg", [(1.0, 0.9, 0.0), (1.0, 0.99, 0.0), (0.3, 0.8, 0.2), (5.0, 0.95, 0.0)])
def test_long_finite_horizons_converge_to_the_stationary_coefficient(lr, discount, reg):
    a = stationary_equilibrium(lr, discount=discount, regularization=reg)
    finite = solve_equilibrium([lr] * 5000, discount=discount, regularization=reg)
    assert finite[0] == pytest.approx(a, abs=1e-12)  # early agents of a long game play the stationary coefficient
    assert finite[2000] == pytest.approx(a, abs=1e-12)


@pytest.mark.parametrize("lr, discount, reg, hazard", [(1.0, 0.9, 0.0, 0.0), (1.0, 0.95, 0.0, 0.05),
                                                       (2.0, 0.9, 0.1, 0.2), (0.5, 0.99, 0.0, 0.01)])
def test_no_profitable_deviation_by_simulation(lr, discount, reg, hazard):
    a = stationary_equilibrium(lr, discount=discount, regularization=reg, hazard=hazard)
    own = hazard_cost(a, a, lr, discount, hazard, reg)
    assert stationary_cost(a, a, lr, discount=discount, regularization=reg, hazard=hazard) == pytest.approx(
        own, rel=1e-9)
    best_on_grid = min(hazard_cost(x, a, lr, discount, hazard, reg) for x in np.linspace(-2, 2, 801))
    assert own <= best_on_grid + 1e-9 * own


@settings(max_examples=60, deadline=None)
@given(lr=st.floats(0.01, 20), discount=st.floats(0.3, 0.995), reg=st.floats(0, 1), hazard=st.floats(0, 0.6))
def test_one_fixed_point_exactly_when_the_objective_is_finite(lr, discount, reg, hazard):
    roots = stationary_equilibria(lr, discount=discount, regularization=reg, hazard=hazard)
    factors = step_factor(np.linspace(0, 2, 200_001), lr, reg)
    feasible = (discount * (1 - hazard) * factors**2 < 1).any()
    assert roots.size == (1 if feasible else 0)
    for a in roots:  # a fixed point of the exact best response, to rounding
        assert stationary_best_response(a, lr, discount=discount, regularization=reg, hazard=hazard) == pytest.approx(
            a, abs=1e-12)


def test_hazard_makes_training_agents_more_deceptive_and_no_learning_means_one():
    assert stationary_equilibrium(0.0, discount=0.9) == 1.0
    a0 = stationary_equilibrium(1.0, discount=0.99)
    assert stationary_equilibrium(1.0, discount=0.99, hazard=0.05) < a0  # deployment is worth hiding for


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": 1.0, "discount": 1.0}, "discount in \\(0, 1\\)"), ({"lr": -1.0, "discount": 0.9}, "lr"),
    ({"lr": 1.0, "discount": 0.9, "hazard": 1.0}, "hazard"), ({"lr": 50.0, "discount": 0.9, "regularization": 1.0},
                                                              "found 0"),
])
def test_bad_input_and_no_equilibrium(kwargs, message):
    lr = kwargs.pop("lr")
    with pytest.raises(ValueError, match=message):
        stationary_equilibrium(lr, **kwargs)
