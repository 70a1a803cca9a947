"""The mesa-gym command: solve, reproduce, custom hyperparameters, and errors that exit cleanly."""

import json

import numpy as np
import pytest

from mesa_gym import solve_equilibrium
from mesa_gym.cli import main


def test_solve_prints_the_equilibrium_as_json(capsys):
    assert main(["solve", "--schedule", "1,1,0", "--discount", "0.9", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    np.testing.assert_array_equal(result["coefficients"], solve_equilibrium([1, 1, 0], discount=0.9))
    assert result["exploitability"] == 0.0 and len(result["thetas"]) == 4


def test_reproduce_writes_results_and_figures(tmp_path, capsys):
    assert main(["reproduce", "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["exp1"]["grid"]["first_coefficient"] == pytest.approx(0.03)
    assert (tmp_path / "exp1.png").stat().st_size > 10_000 and (tmp_path / "exp2.png").exists()
    assert "| exp2 | exact |" in capsys.readouterr().out


def test_custom_hyperparameter_file(tmp_path, capsys):
    hp = tmp_path / "hp.yml"
    hp.write_text("mesa_gym/DeceptiveAlignment-v0:\n  n_envs: 2\n  n_timesteps: 128\n  policy: 'MlpPolicy'\n"
                  "  n_steps: 32\n  gamma: 0.0\n")
    assert main(["train", "a2c", "--schedule", "1,0", "--hyperparams", str(hp), "--out", str(tmp_path / "run"),
                 "--no-progress"]) == 0
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["hyperparams"]["n_steps"] == 32 and config["timesteps"] == 128 and config["n_envs"] == 2


@pytest.mark.parametrize("argv, message", [
    (["solve", "--schedule", "1,-1"], "negative learning rate"),
    (["solve", "--schedule", "seed-exp9"], "unknown schedule preset"),
    (["solve", "--discount", "0"], "discount"),
    (["train", "ppo", "--hyperparams", "/nonexistent.yml", "--out", "/tmp/never"], "no hyperparameter file"),
])
def test_bad_values_exit_2_with_the_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
