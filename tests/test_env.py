"""The Gymnasium env and its native vector env: API conformance, optimality of the oracle, determinism."""

import copy
import warnings

import gymnasium as gym
import numpy as np
import pytest
from brute_force import simulate_cost
from gymnasium.utils.env_checker import check_env
from hypothesis import given, settings
from hypothesis import strategies as st
from stable_baselines3.common.env_checker import check_env as sb3_check_env
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.evaluation import evaluate_policy
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

from agents.oracle import OracleAgent
from mesa_gym import ENV_ID, solve_equilibrium
from mesa_gym.env import DeceptiveAlignmentEnv
from mesa_gym.vector_env import DeceptiveAlignmentVectorEnv

CONFIGS = [
    {},
    {"schedule": "seed-exp2", "reward_scale": "raw"},
    {"schedule": "random-step", "train_episodes_range": (0, 30), "horizon": 30},
    {"schedule": [0.5, 2.0, 0.0, 1.0], "discount": 0.9, "regularization": 0.1, "reward_scale": "theta"},
    {"continuation": np.full(100, 0.5)},
]


# --- registration and API conformance ------------------------------------------------------------

def test_registered_ids():
    assert isinstance(gym.make(ENV_ID).unwrapped, DeceptiveAlignmentEnv)
    assert isinstance(gym.make("mesa_gym:mesa_gym/DeceptiveAlignment-v0").unwrapped, DeceptiveAlignmentEnv)
    venv = gym.make_vec(ENV_ID, num_envs=3, vectorization_mode="vector_entry_point")
    assert isinstance(venv.unwrapped, DeceptiveAlignmentVectorEnv) and venv.num_envs == 3
    assert venv.metadata["autoreset_mode"] == gym.vector.AutoresetMode.NEXT_STEP


@pytest.mark.parametrize("kwargs", CONFIGS)
def test_checkers_are_silent(kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(gym.make(ENV_ID, **kwargs).unwrapped)
        sb3_check_env(gym.make(ENV_ID, **kwargs))


def test_works_under_sb3_vec_envs():
    for venv in (make_vec_env(ENV_ID, n_envs=2), DummyVecEnv([lambda: gym.make(ENV_ID)]),
                 SubprocVecEnv([lambda: gym.make("mesa_gym:mesa_gym/DeceptiveAlignment-v0")] * 2)):
        agent = OracleAgent(venv)
        obs = venv.reset()
        for _ in range(101):  # crosses an episode boundary (autoreset)
            obs, _rewards, _dones, infos = venv.step(agent.predict(obs)[0])
            assert max(abs(i.get("regret", 0.0)) for i in infos) == 0.0
        assert obs.shape == (venv.num_envs, 5)
        venv.close()


# --- the oracle is optimal -------------------------------------------------------------------------

def play_to(env, rng, steps):
    for _ in range(steps):
        env.step(rng.uniform(-1, 1, size=1))


@settings(max_examples=30, deadline=None)
@given(rates=st.lists(st.sampled_from([0.0, 0.1, 0.5, 1.0, 3.0]), min_size=2, max_size=10),
       seed=st.integers(0, 2**16), scale=st.sampled_from(["raw", "theta", "theta-episodes"]),
       discount=st.sampled_from([1.0, 0.8]))
def test_oracle_action_beats_a_fine_grid(rates, seed, scale, discount):
    """At a random state (random schedule, random earlier actions), no grid action rewards more."""
    env = DeceptiveAlignmentEnv(schedule=rates, reward_scale=scale, discount=discount)
    env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    play_to(env, rng, int(rng.integers(0, len(rates))))
    if env.episode >= len(rates):
        return

    def reward(action):
        trial = copy.deepcopy(env)
        return trial.step(np.array([action]))[1]

    best = reward(env.oracle_action[0])
    grid = max(reward(a) for a in np.linspace(-1, 1, 801))
    assert best >= grid - 1e-9 * max(1.0, abs(grid))
    assert abs(env.oracle_action[0] * 2 - solve_equilibrium(rates, discount=discount)[env.episode]) == 0.0


def test_reward_is_the_agents_mesa_objective():
    """Brute force: simulate the later agents playing the equilibrium from the env's θ."""
    rates = [1.0, 1.0, 0.5, 0.0, 0.0]
    eq = solve_equilibrium(rates)
    env = DeceptiveAlignmentEnv(schedule=rates, theta0=0.7, reward_scale="raw")
    env.reset(seed=1)
    for n, action in enumerate([0.3, -0.2, 0.9, 0.5, 0.5]):
        theta = env.theta
        plan = eq.copy()
        _, reward, _, _, info = env.step(np.array([action]))
        expected = simulate_cost(rates, plan, n, action * 2, theta_n=theta)
        assert -reward == pytest.approx(expected, rel=1e-12)
        assert info["mesa_loss"] == pytest.approx(expected, rel=1e-12)
        assert info["base_loss"] == pytest.approx((action * 2 * theta) ** 2)
        assert info["phase"] == ("train" if rates[n] > 0 else "deploy")


def test_evaluate_policy_with_the_oracle_gives_zero_regret():
    env = Monitor(gym.make(ENV_ID, schedule="random-step"))
    regrets = []
    evaluate_policy(OracleAgent(env), env, n_eval_episodes=4,
                    callback=lambda locals_, _: regrets.append(locals_["info"]["regret"]))
    assert len(regrets) == 400 and max(regrets) == 0.0


def test_oracle_agent_on_the_native_vector_env():
    venv = DeceptiveAlignmentVectorEnv(num_envs=8, schedule="random-step")
    agent = OracleAgent(venv)
    obs, _ = venv.reset(seed=3)
    for _ in range(205):
        obs, _, _, _, info = venv.step(agent.predict(obs)[0])
        assert np.abs(info["regret"][info["_regret"]]).max(initial=0.0) == 0.0


# --- determinism, single vs vector -----------------------------------------------------------------

def run_single(kwargs, seed, actions):
    env = DeceptiveAlignmentEnv(**kwargs)
    out = [env.reset(seed=seed)[0]]
    for action in actions:
        obs, reward, terminated, _, info = env.step(action)
        out.append((obs, reward, terminated, info))
        if terminated:
            break
    return out


@pytest.mark.parametrize("kwargs", CONFIGS[:4])
def test_same_seed_same_actions_same_everything(kwargs):
    actions = np.random.default_rng(0).uniform(-1, 1, size=(120, 1))
    a, b = run_single(kwargs, 7, actions), run_single(kwargs, 7, actions)
    np.testing.assert_array_equal(a[0], b[0])
    for (o1, r1, t1, i1), (o2, r2, t2, i2) in zip(a[1:], b[1:]):
        np.testing.assert_array_equal(o1, o2)
        assert r1 == r2 and t1 == t2 and i1 == i2


@pytest.mark.parametrize("kwargs", [CONFIGS[0], CONFIGS[2], CONFIGS[3], CONFIGS[4]])
def test_vector_env_matches_single_envs_bit_for_bit(kwargs):
    b, steps = 4, 70
    actions = np.random.default_rng(1).uniform(-1, 1, size=(steps, b, 1))
    venv = DeceptiveAlignmentVectorEnv(num_envs=b, **kwargs)
    singles = [DeceptiveAlignmentEnv(**kwargs) for _ in range(b)]
    obs, _ = venv.reset(seed=11)
    single_obs = [env.reset(seed=11 + i)[0] for i, env in enumerate(singles)]
    np.testing.assert_array_equal(obs, np.stack(single_obs))
    pending = np.zeros(b, dtype=bool)
    for t in range(steps):
        obs, rewards, terminated, _, info = venv.step(actions[t])
        for i, env in enumerate(singles):
            if pending[i]:  # NEXT_STEP autoreset: this step reset env i
                np.testing.assert_array_equal(obs[i], env.reset()[0])
                assert rewards[i] == 0.0 and not info["_regret"][i]
                continue
            o, r, term, _, inf = env.step(actions[t, i])
            np.testing.assert_array_equal(obs[i], o)
            assert rewards[i] == r and terminated[i] == term
            for key in ("base_loss", "mesa_loss", "oracle_coefficient", "regret", "theta", "next_theta"):
                assert info[key][i] == inf[key], key
            assert info["phase"][i] == inf["phase"]
        pending = terminated


def test_reset_options_last_one_episode_in_both_envs():
    kwargs = {"schedule": [1.0, 0.5, 0.0]}
    venv = DeceptiveAlignmentVectorEnv(num_envs=2, **kwargs)
    single = DeceptiveAlignmentEnv(**kwargs)
    options = {"schedule": [0.8, 0.0], "theta0": 0.3}
    obs, _ = venv.reset(seed=5, options=options)
    np.testing.assert_array_equal(obs[1], single.reset(seed=6, options=options)[0])
    for t in range(9):
        action = np.full((2, 1), 0.25 * (t % 3))
        obs, rewards, terminated, _, _ = venv.step(action)
        if t in (2, 6):  # the step after termination resets env 1, without options
            np.testing.assert_array_equal(obs[1], single.reset()[0])
            continue
        o, r, term, _, _ = single.step(action[1])
        np.testing.assert_array_equal(obs[1], o)
        assert rewards[1] == r and terminated[1] == term
    assert venv.unwrapped._horizon.tolist() == [3, 3] and single.schedule.size == 3


def test_vector_env_never_mutates_what_it_returned():
    venv = DeceptiveAlignmentVectorEnv(num_envs=3, schedule=[1.0, 0.0, 0.0])
    venv.reset(seed=0)
    kept = [venv.step(np.zeros((3, 1))) for _ in range(8)]  # crosses two autoresets
    frozen = copy.deepcopy(kept)
    for _ in range(4):
        venv.step(np.full((3, 1), 0.5))
    for (o1, r1, t1, _, i1), (o2, r2, t2, _, i2) in zip(kept, frozen):
        assert all(f"_{key}" in i1 for key in i1 if not key.startswith("_"))  # every key has its mask
        np.testing.assert_array_equal(o1, o2)
        np.testing.assert_array_equal(r1, r2)
        np.testing.assert_array_equal(t1, t2)
        for key in i1:
            np.testing.assert_array_equal(i1[key], i2[key])


# --- continuations ---------------------------------------------------------------------------------

def later_coefficients_policy(obs):
    """A deterministic policy that depends on θ and on the schedule features."""
    return np.clip(0.1 + 0.3 * obs[:, 2:3] - 0.05 * obs[:, 0:1], -1, 1)


def test_self_play_continuation_follows_the_installed_policy():
    rates = [1.0, 1.0, 1.0, 0.0, 0.0]
    env = DeceptiveAlignmentEnv(schedule=rates, continuation="self", theta0=0.6, reward_scale="raw")
    env.reset(seed=0)
    with pytest.raises(RuntimeError, match="set_continuation_policy"):
        env.step(np.array([0.1]))
    env.set_continuation_policy(later_coefficients_policy)
    _, reward, _, _, _ = env.step(np.array([0.1]))
    # brute force: roll the policy forward from θ1 by hand
    theta, plan = 0.6 * (1 - 2 * 1.0 * 0.2**2), [0.2]
    for k in range(1, 5):
        obs = np.array([[theta, *env._table.features[k]]], dtype=np.float32)
        a = float(later_coefficients_policy(obs)[0, 0]) * 2
        plan.append(a)
        theta = theta * (1 - 2 * rates[k] * a * a)
    assert -reward == pytest.approx(simulate_cost(rates, plan, 0, 0.2, theta_n=0.6), rel=1e-12)


def test_self_play_snapshot_of_an_sb3_learner_end_to_end():
    from stable_baselines3 import PPO

    from agents.self_play import PolicySnapshot, SelfPlayCallback

    venv = make_vec_env(ENV_ID, n_envs=2, env_kwargs={"schedule": [1.0] * 4 + [0.0] * 2, "continuation": "self"})
    model = PPO("MlpPolicy", venv, n_steps=16, batch_size=16, n_epochs=1, gamma=0.0, seed=0)
    callback = SelfPlayCallback(refresh_every=16)
    model.learn(64, callback=callback)
    assert callback.refreshes >= 4
    assert all(isinstance(p, PolicySnapshot) for p in venv.get_attr("_policy"))
    # a snapshot acts as the learner's deterministic predict, and stays frozen while the learner trains
    obs = venv.reset()
    snapshot = PolicySnapshot(model.policy)
    np.testing.assert_allclose(snapshot(obs), model.predict(obs, deterministic=True)[0], rtol=1e-6, atol=1e-7)
    model.learn(32)
    assert not np.allclose(snapshot(obs), model.predict(obs, deterministic=True)[0])
    # the installed snapshot plays the later agents: the env's reward is the brute-force objective under it
    env = venv.envs[0].unwrapped
    env.set_continuation_policy(snapshot)
    env.reset(seed=0)
    theta0, rates, plan = env.theta, env.schedule, [0.2]
    _, reward, _, _, _ = env.step(np.array([0.1]))
    theta = theta0 * (1 - 2 * rates[0] * 0.2**2)
    for k in range(1, rates.size):
        obs_k = np.array([[theta, *env._table.features[k]]], dtype=np.float32)
        plan.append(float(snapshot(obs_k)[0, 0]) * 2)
        theta *= 1 - 2 * rates[k] * plan[-1] ** 2
    expected = simulate_cost(rates, plan, 0, 0.2, theta_n=theta0) / (theta0**2 * rates.size)
    assert -reward == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("theta0", [1e-30, 0.5, 1e5])
def test_diverging_self_play_continuation_keeps_rewards_in_float32(theta0):
    """A continuation that blows θ up is cut relative to the agent's goal, whatever θ_n's size."""
    for env in (DeceptiveAlignmentEnv(schedule=[50.0] * 40, continuation="self", theta0=theta0),
                DeceptiveAlignmentVectorEnv(num_envs=2, schedule=[50.0] * 40, continuation="self", theta0=theta0)):
        env.set_continuation_policy(lambda obs: np.ones((len(obs), 1)))
        env.reset(seed=0)
        batch = (2, 1) if isinstance(env, DeceptiveAlignmentVectorEnv) else (1,)
        _, reward, _, _, _ = env.step(np.full(batch, 0.01))
        assert np.isfinite(np.asarray(reward, dtype=np.float32)).all()
        assert (np.abs(reward) > 1e6).all()  # still a heavy penalty


def test_fixed_array_continuation():
    rates, later = [1.0, 0.5, 0.0], np.array([0.4, -0.3, 0.8])
    env = DeceptiveAlignmentEnv(schedule=rates, continuation=later, theta0=0.9, reward_scale="raw")
    env.reset(seed=0)
    _, reward, _, _, _ = env.step(np.array([0.25]))
    assert -reward == pytest.approx(simulate_cost(rates, later, 0, 0.5, theta_n=0.9), rel=1e-12)


# --- schedules, options, rendering -----------------------------------------------------------------

def test_random_step_draws_many_training_lengths_and_options_override():
    env = DeceptiveAlignmentEnv(schedule="random-step", train_episodes_range=(5, 15), horizon=40, max_horizon=100)
    lengths = {int((env.reset(seed=s)[1]["schedule"] > 0).sum()) for s in range(60)}
    assert lengths == set(range(5, 16))
    obs, info = env.reset(options={"theta0": 0.25, "schedule": "seed-exp2"})
    assert info["theta0"] == 0.25 and obs[0] == np.float32(0.25) and env.schedule.size == 100
    with pytest.raises(ValueError, match="exceeds the observation space"):
        env.reset(options={"schedule": [1.0] * 500})


def test_render_modes():
    env = DeceptiveAlignmentEnv(render_mode="ansi", schedule="seed-exp1")
    env.reset(seed=0)
    env.step(env.oracle_action)
    assert "coef" in env.render() and len(env.render().splitlines()) == 2
    env = DeceptiveAlignmentEnv(render_mode="rgb_array", schedule=[1.0, 0.0])
    env.reset(seed=0)
    env.step(env.oracle_action)
    image = env.render()
    assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8


# --- bad input and numerical safety ----------------------------------------------------------------

@pytest.mark.parametrize("action, message", [
    (np.array([np.nan]), "finite"), (np.array([np.inf]), "finite"), (np.array([1.5]), r"\[-1, 1\]"),
    (np.array([0.1, 0.2]), "shape"), (np.zeros((1, 2)), "shape"),
])
def test_bad_actions(action, message):
    env = DeceptiveAlignmentEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=message):
        env.step(action)


def test_bad_construction_and_misuse():
    with pytest.raises(ValueError, match="negative"):
        DeceptiveAlignmentEnv(schedule=[1.0, -1.0])
    with pytest.raises(ValueError, match="unknown schedule preset"):
        gym.make(ENV_ID, schedule="nope")
    with pytest.raises(ValueError, match="continuation"):
        DeceptiveAlignmentEnv(continuation="greedy")
    with pytest.raises(ValueError, match="reward_scale"):
        DeceptiveAlignmentEnv(reward_scale="log")
    with pytest.raises(ValueError, match="theta0"):
        DeceptiveAlignmentEnv(theta0=float("nan"))
    with pytest.raises(ValueError, match="mismatched lengths"):
        DeceptiveAlignmentEnv(continuation=np.ones(3))
    env = DeceptiveAlignmentEnv(schedule=[1.0])
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.array([0.0]))
    env.reset(seed=0)
    env.step(np.array([0.0]))
    with pytest.raises(RuntimeError, match="ended"):
        env.step(np.array([0.0]))
    venv = DeceptiveAlignmentVectorEnv(num_envs=2)
    with pytest.raises(RuntimeError, match="reset"):
        venv.step(np.zeros((2, 1)))
    venv.reset(seed=0)
    with pytest.raises(ValueError, match="shape"):
        venv.step(np.zeros((3, 1)))


@pytest.mark.parametrize("continuation", ["oracle", "self"])
def test_extreme_learning_rates_stay_finite_and_silent(continuation):
    kwargs = {"schedule": [50.0] * 60 + [0.0] * 20, "continuation": continuation}
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for env in (DeceptiveAlignmentEnv(**kwargs), DeceptiveAlignmentVectorEnv(num_envs=3, **kwargs)):
            if continuation == "self":
                env.set_continuation_policy(lambda obs: np.ones((len(obs), 1)))
            env.reset(seed=0)
            diverged = False
            for _ in range(100):
                batch = (env.num_envs, 1) if isinstance(env, DeceptiveAlignmentVectorEnv) else (1,)
                obs, reward, terminated, _, info = env.step(rng.uniform(-1, 1, size=batch))
                assert np.isfinite(obs).all() and np.isfinite(reward).all()
                assert np.isfinite(info["regret"]).all() and np.isfinite(info["mesa_loss"]).all()
                diverged |= bool(np.any(info["diverged"]))
                if np.all(terminated) and not isinstance(env, DeceptiveAlignmentVectorEnv):
                    break
            assert diverged
