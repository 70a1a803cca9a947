"""Metrics against the oracle: exact at the oracle, consistent with brute force elsewhere."""

import numpy as np
import pytest
from brute_force import simulate_cost

from agents.oracle import OracleAgent
from mesa_gym import exploitability, rollout, solve_equilibrium
from mesa_gym.env import DeceptiveAlignmentEnv
from mesa_gym.metrics import (
    agent_objectives,
    base_losses,
    deception_index,
    evaluate_coefficients,
    evaluate_policy_vs_oracle,
    on_path_coefficients,
)


@pytest.mark.parametrize("schedule", ["seed-exp1", "seed-exp2", [1.0, 0.5, 0.0, 2.0, 0.0]])
def test_oracle_agent_scores_zero_through_the_evaluation_path(schedule):
    env = DeceptiveAlignmentEnv(schedule="random-step", max_learning_rate=2.0)
    result = evaluate_policy_vs_oracle(OracleAgent(env), schedule, env=env)
    assert result["coef_rmse"] == 0.0 and result["coef_max_error"] == 0.0 and result["exploitability"] == 0.0
    assert result["agent0_objective_ratio"] == 1.0 and max(np.abs(result["objective_excess"])) == 0.0


def test_metrics_of_a_non_equilibrium_profile():
    schedule = [1.0, 1.0, 0.0, 0.0]
    profile = np.array([0.5, 0.2, 1.0, 0.9])
    result = evaluate_coefficients(schedule, profile, theta0=0.8)
    oracle = solve_equilibrium(schedule)
    assert result["coef_rmse"] == pytest.approx(np.sqrt(np.mean((profile - oracle) ** 2)))
    assert result["coef_max_error"] == pytest.approx(np.max(np.abs(profile - oracle)))
    assert result["exploitability"] == exploitability(schedule, profile) > 0
    for n in range(4):
        assert agent_objectives(schedule, profile)[n] == pytest.approx(simulate_cost(schedule, profile, n, profile[n]))
    assert result["agent0_objective_ratio"] == pytest.approx(
        simulate_cost(schedule, profile, 0, profile[0]) / simulate_cost(schedule, oracle, 0, oracle[0]))
    thetas = rollout(profile, schedule, 0.8)
    assert result["base_loss_train"] == pytest.approx(sum((profile[k] * thetas[k]) ** 2 for k in (0, 1)))
    assert result["base_loss_deploy"] == pytest.approx(sum((profile[k] * thetas[k]) ** 2 for k in (2, 3)))


def test_deception_index():
    assert deception_index("seed-exp1", solve_equilibrium("seed-exp1")) > 0.9  # the seed's deception
    assert deception_index("seed-exp1", np.ones(100)) == 0.0  # robustly aligned behaviour
    assert deception_index("seed-exp2", np.ones(100)) is None  # no deployment phase
    assert deception_index([1.0, 0.0], [0.0, 0.0]) is None


def test_on_path_coefficients_follow_theta():
    def policy(obs):  # depends on θ, so the path matters
        return np.clip(0.5 * obs[:, :1], -1, 1)

    coefficients = on_path_coefficients(policy, [1.0, 1.0, 0.0], theta0=0.6)
    theta = 0.6
    for n, lr in enumerate([1.0, 1.0, 0.0]):
        assert coefficients[n] == pytest.approx(2 * 0.5 * np.float32(theta))
        theta *= 1 - 2 * lr * coefficients[n] ** 2


def test_diverging_policy_is_still_measured():
    coefficients = on_path_coefficients(lambda obs: np.ones((len(obs), 1)), [50.0] * 200, theta0=0.8)
    assert coefficients.shape == (200,) and (coefficients == 2.0).all()
    result = evaluate_coefficients([50.0] * 200, coefficients)  # θ·(−399)^n overflows: inf, never NaN
    assert result["exploitability"] == np.inf and result["base_loss_train"] == np.inf


def test_base_losses_split_by_phase():
    losses = base_losses("seed-exp1", np.ones(100), 0.8)
    assert losses == {"train": pytest.approx(20 * 0.64), "deploy": pytest.approx(80 * 0.64)}


def test_equilibrium_summary_is_consistent():
    from mesa_gym.responses import equilibrium_summary

    summary = equilibrium_summary("seed-exp1", 0.8, regularization=0.1, discount=0.9)
    coefficients = solve_equilibrium("seed-exp1", regularization=0.1, discount=0.9)
    assert summary["coefficients"] == coefficients.tolist()
    assert summary["final_theta"] == rollout(coefficients, "seed-exp1", 0.8, regularization=0.1)[-1]
    assert summary["base_loss_total"] == pytest.approx(summary["base_loss_train"] + summary["base_loss_deploy"])
    assert summary["agent0_objective"] == pytest.approx(0.64 * summary["agent0_objective_per_theta2"])
