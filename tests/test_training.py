"""SB3 learners: every algorithm trains and evaluates; PPO really learns; rl-zoo3 resolves the env."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agents.training import algorithms, evaluate, load_hyperparams, model_kwargs, train
from agents.vec_env import MesaVecEnv
from mesa_gym import solve_equilibrium
from mesa_gym.cli import main

ROOT = Path(__file__).resolve().parents[1]
SHORT = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("algo", sorted(algorithms()))
def test_every_algorithm_trains_and_evaluates(algo, tmp_path):
    hp = load_hyperparams(algo)
    assert hp["gamma"] == 0.0  # per-agent rewards
    result = train(algo, tmp_path, schedule=SHORT, timesteps=int(hp.get("learning_starts", 0)) + 200, n_envs=2,
                   eval_freq=200, progress_bar=False)
    for name in ("model.zip", "config.json", "monitor.csv", "learning_curve.csv", "result.json"):
        assert (tmp_path / name).exists(), name
    assert json.loads((tmp_path / "config.json").read_text())["hyperparams"] == hp
    scored = evaluate(tmp_path / "model.zip")
    assert len(scored["coefficients"]) == len(SHORT)
    assert np.isfinite([scored["coef_rmse"], scored["exploitability"]]).all()
    assert result["evaluations"]["custom"]["coef_rmse"] == scored["coef_rmse"]  # deterministic replay


def test_ppo_learns_the_deceptive_equilibrium(tmp_path):
    """The one real learning test: the learned coefficients approach the oracle's, in a few seconds."""
    train("ppo", tmp_path, schedule=SHORT, timesteps=80_000, seed=0, progress_bar=False)  # ~10 s
    result = evaluate(tmp_path)
    learned, oracle = np.array(result["coefficients"]), solve_equilibrium(SHORT)
    assert np.abs(learned[:3] - oracle[:3]).max() < 0.1  # deceptive while trained (oracle ≈ 0.19-0.30)
    assert (learned[3:] > 0.9).all()  # its goal once deployed
    assert result["exploitability_rel"] < 0.1  # < 10% of the oracle agent 0's objective (seeds 0-2: ≤ 3.6%)


def test_self_play_training_runs_end_to_end(tmp_path):
    result = train("ppo", tmp_path, schedule=SHORT, timesteps=1024, continuation="self", refresh_every=256,
                   n_envs=4, progress_bar=False)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["continuation"] == "self" and config["env_kwargs"]["continuation"] == "self"
    assert np.isfinite(result["evaluations"]["custom"]["exploitability"])


def test_cli_train_and_evaluate_json(tmp_path, capsys):
    assert main(["train", "a2c", "--schedule", "1,0", "--timesteps", "256", "--out", str(tmp_path),
                 "--no-progress", "--n-envs", "2"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "model.zip"), "--schedule", "seed-exp1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("coefficients", "coef_rmse", "coef_max_error", "exploitability"):
        assert key in result
    assert len(result["coefficients"]) == 100
    with pytest.raises(SystemExit):
        main(["evaluate", str(tmp_path / "missing.zip")])


def test_vec_env_adapter_resets_in_the_same_step():
    venv = MesaVecEnv(3, schedule=[1.0, 0.0])
    obs = venv.reset()
    venv.step(np.zeros((3, 1)))
    obs, _rewards, dones, infos = venv.step(np.zeros((3, 1)))
    assert dones.all() and all("terminal_observation" in info for info in infos)
    assert (obs[:, 3] == 1.0).all()  # already the next episode's first observation (all episodes left)
    assert infos[0]["phase"] == "deploy" and isinstance(infos[0]["regret"], float)


def test_model_kwargs_follow_rl_zoo3_conventions():
    kwargs = model_kwargs(load_hyperparams("td3"))
    assert kwargs["policy_kwargs"] == {"net_arch": [64, 64]} and "action_noise" in kwargs
    with pytest.raises(ValueError, match="unknown algorithm"):
        train("dqn", "/tmp/never", timesteps=1)


def test_rl_zoo3_resolves_the_env_and_starts(tmp_path):
    pytest.importorskip("rl_zoo3")
    done = subprocess.run(
        [sys.executable, "-m", "rl_zoo3.train", "--gym-packages", "mesa_gym", "--env", "mesa_gym/DeceptiveAlignment-v0",
         "--algo", "ppo", "--conf-file", str(ROOT / "agents" / "hyperparams" / "ppo.yml"), "-n", "2048",
         "--log-folder", str(tmp_path), "--seed", "0", "--eval-freq", "-1", "--n-eval-envs", "1"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert list(tmp_path.glob("ppo/*/mesa_gym-DeceptiveAlignment-v0.zip"))


def test_demo_tells_the_whole_story(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--timesteps", "2048"]) == 0
    out = capsys.readouterr().out
    assert "exploitability" in out and "first coefficient" in out
    for name in ("seed_reproduction/exp1.png", "seed_reproduction/results.json", "ppo/model.zip",
                 "ppo_vs_oracle.png", "ppo_vs_oracle.md", "ppo_vs_oracle.json"):
        assert (tmp_path / name).exists(), name


def test_the_next_steps_train_through_the_same_commands(tmp_path, capsys):
    """Regularizer, discount and the infinite game: train and evaluate via the CLI."""
    for name, args in (("reg", ["--schedule", "1,1,0", "--regularization", "0.3"]),
                       ("disc", ["--schedule", "1,1,0", "--discount", "0.8"]),
                       ("inf", ["--schedule", "infinite", "--lr", "1", "--discount", "0.9", "--hazard", "0.1"])):
        assert main(["train", "ppo", *args, "--timesteps", "512", "--n-envs", "2", "--out", str(tmp_path / name),
                     "--no-progress"]) == 0
        capsys.readouterr()
        assert main(["evaluate", str(tmp_path / name), "--json"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert np.isfinite(result["coef_rmse"]) and result["exploitability"] >= 0
    config = json.loads((tmp_path / "reg" / "config.json").read_text())
    assert config["env_kwargs"]["regularization"] == 0.3 and config["eval_kwargs"]["regularization"] == 0.3
    assert json.loads((tmp_path / "inf" / "config.json").read_text())["eval_kwargs"]["hazard"] == 0.1


def test_tensorboard_flag_writes_a_log(tmp_path):
    pytest.importorskip("tensorboard")
    assert main(["train", "ppo", "--schedule", "1,0", "--timesteps", "256", "--n-envs", "2", "--tensorboard",
                 "--no-progress", "--out", str(tmp_path)]) == 0
    assert list((tmp_path / "tb").rglob("events.out.tfevents.*"))
