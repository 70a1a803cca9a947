"""The infinite-horizon env: conformance, truncation, optimality of the stationary oracle."""

import copy
import warnings

import gymnasium as gym
import numpy as np
import pytest
from brute_force import hazard_cost
from gymnasium.utils.env_checker import check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

from mesa_gym import INFINITE_ENV_ID, stationary_equilibrium
from mesa_gym.infinite_env import DeceptiveAlignmentInfiniteEnv


@pytest.mark.parametrize("kwargs", [{}, {"hazard": 0.1, "discount": 0.9}, {"regularization": 0.2, "lr": 0.5}])
def test_checkers_are_silent(kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(gym.make(INFINITE_ENV_ID, **kwargs).unwrapped)
        sb3_check_env(gym.make(INFINITE_ENV_ID, **kwargs))


def test_truncated_by_the_time_limit_not_terminated():
    env = gym.make(INFINITE_ENV_ID)
    env.reset(seed=0)
    for step in range(1000):
        _, _, terminated, truncated, _ = env.step(env.unwrapped.oracle_action.astype(np.float32))
        assert not terminated
        assert truncated == (step == 999)


@pytest.mark.parametrize("kwargs", [{"discount": 0.95}, {"discount": 0.9, "hazard": 0.2},
                                    {"discount": 0.9, "regularization": 0.1, "lr": 2.0}])
def test_oracle_action_is_optimal_and_rewards_match_simulation(kwargs):
    env = DeceptiveAlignmentInfiniteEnv(reward_scale="raw", theta0=0.7, **kwargs)
    env.reset(seed=3)
    rng = np.random.default_rng(0)
    for _ in range(5):
        env.step(rng.uniform(-0.3, 0.3, size=1))
    a_star = stationary_equilibrium(env.config.lr, discount=env.config.discount,
                                    regularization=env.config.regularization, hazard=env.config.hazard)
    trials = [copy.deepcopy(env) for _ in range(3)]
    theta = env.unwrapped._theta
    rewards = [t.step(np.array([x]))[1] for t, x in zip(trials, (a_star / 2, 0.1, -0.4))]
    if not env._deployed:
        for reward, x in zip(rewards, (a_star, 0.2, -0.8)):
            expected = hazard_cost(x, a_star, env.config.lr, env.config.discount, env.config.hazard,
                                   env.config.regularization) * theta * theta
            assert -reward == pytest.approx(expected, rel=1e-8)
    best = max(copy.deepcopy(env).step(np.array([x]))[1] for x in np.linspace(-1, 1, 801))
    assert copy.deepcopy(env).step(env.oracle_action)[1] >= best - 1e-9 * abs(best)


def test_hazard_deploys_for_good_and_is_seeded():
    def deployment_step(seed):
        env = DeceptiveAlignmentInfiniteEnv(hazard=0.1, discount=0.9)
        env.reset(seed=seed)
        for n in range(200):
            obs, _, _, _, _info = env.step(env.oracle_action)
            if obs[2] == 1.0:
                assert obs[1] == 0.0
                nxt = env.step(env.oracle_action)
                assert nxt[0][2] == 1.0 and nxt[4]["phase"] == "deploy" and nxt[4]["regret"] == 0.0
                return n
        return None

    assert deployment_step(5) == deployment_step(5) is not None


def test_no_equilibrium_is_an_error():
    with pytest.raises(ValueError, match="stationary equilibrium"):
        DeceptiveAlignmentInfiniteEnv(lr=50.0, regularization=1.0, discount=0.9)
    with pytest.raises(ValueError, match="discount"):
        DeceptiveAlignmentInfiniteEnv(discount=1.0)


@pytest.mark.parametrize("kwargs, message", [
    ({"theta0": float("nan")}, "theta0"), ({"theta_range": (1.0, -1.0)}, "theta_range"),
    ({"theta_range": (-1.0, 1e7)}, "theta_range"), ({"theta_limit": 0.0}, "theta_limit"),
    ({"reward_scale": "theta-episodes"}, "reward_scale"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DeceptiveAlignmentInfiniteEnv(**kwargs)
