"""Train Stable-Baselines3 learners on the env and measure them against the oracle.

Hyperparameters live in ``agents/hyperparams/<algo>.yml`` in rl-zoo3's format, keyed by env id.
"""

from __future__ import annotations

import csv
import functools
import io as _io
import json
import platform
import time
import warnings
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import yaml
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.noise import NormalActionNoise
from stable_baselines3.common.vec_env import DummyVecEnv, VecMonitor
from tqdm import TqdmExperimentalWarning

from agents.self_play import SelfPlayCallback
from agents.vec_env import MesaVecEnv
from mesa_gym import ENV_ID, INFINITE_ENV_ID, io
from mesa_gym.metrics import evaluate_infinite, evaluate_policy_vs_oracle

HYPERPARAMS_DIR = Path(__file__).parent / "hyperparams"
INFINITE = "infinite"
"""The schedule name that selects the infinite game (`mesa_gym.infinite_env`)."""
CURVE_KEYS = ("coef_rmse", "coef_max_error", "exploitability", "exploitability_rel", "agent0_objective_ratio",
              "deception_index", "base_loss_train", "base_loss_deploy")


def algorithms() -> dict[str, type[BaseAlgorithm]]:
    """The learners: SB3's five, plus TQC and CrossQ when sb3-contrib is installed."""
    from stable_baselines3 import A2C, DDPG, PPO, SAC, TD3

    algos: dict[str, type[BaseAlgorithm]] = {"ppo": PPO, "a2c": A2C, "sac": SAC, "td3": TD3, "ddpg": DDPG}
    try:
        from sb3_contrib import TQC, CrossQ

        algos.update({"tqc": TQC, "crossq": CrossQ})
    except ImportError:  # optional
        pass
    return algos


def algorithm(name: str) -> type[BaseAlgorithm]:
    algos = algorithms()
    if name not in algos:
        raise ValueError(f"unknown algorithm {name!r}; available: {', '.join(algos)}")
    return algos[name]


def load_hyperparams(algo: str, path: str | Path | None = None, env_id: str = ENV_ID) -> dict[str, Any]:
    """The rl-zoo3-format entry for ``env_id`` in ``path`` (default ``agents/hyperparams/<algo>.yml``)."""
    path = Path(path) if path else HYPERPARAMS_DIR / f"{algo}.yml"
    if not path.exists():
        raise ValueError(f"no hyperparameter file {path}")
    table = yaml.safe_load(path.read_text())
    if env_id not in (table or {}):
        raise ValueError(f"{path} has no entry for {env_id}")
    return dict(table[env_id])


def model_kwargs(hyperparams: dict[str, Any], n_actions: int = 1) -> dict[str, Any]:
    """rl-zoo3 entries as SB3 constructor arguments (zoo-only keys removed, strings evaluated)."""
    kwargs = {k: v for k, v in hyperparams.items() if k not in ("n_envs", "n_timesteps", "policy", "noise_type",
                                                               "noise_std")}
    for key in ("learning_rate", "clip_range"):  # rl-zoo3's linear schedules: "lin_0.001" decays to 0
        value = kwargs.get(key)
        if isinstance(value, str) and value.startswith("lin_"):
            initial = float(value[4:])
            kwargs[key] = functools.partial(_linear, initial)
    if isinstance(kwargs.get("policy_kwargs"), str):  # rl-zoo3 writes "dict(net_arch=[64, 64])"
        kwargs["policy_kwargs"] = eval(kwargs["policy_kwargs"], {"__builtins__": {}}, {"dict": dict})
    if hyperparams.get("noise_type") == "normal":
        sigma = float(hyperparams["noise_std"]) * np.ones(n_actions)
        kwargs["action_noise"] = NormalActionNoise(np.zeros(n_actions), sigma)
    elif "noise_type" in hyperparams:
        raise ValueError(f"unsupported noise_type {hyperparams['noise_type']!r} (only 'normal')")
    return kwargs


def _linear(initial: float, progress_remaining: float) -> float:
    return progress_remaining * initial


class OracleMetricsCallback(BaseCallback):
    """Every ``eval_freq`` env steps: play the learner deterministically through each evaluation
    schedule, score it against the oracle, log to SB3's logger and keep the learning curve."""

    def __init__(self, eval_schedules: dict[str, Any], eval_freq: int, theta0: float = 0.8,
                 env_kwargs: dict[str, Any] | None = None, curve_path: str | Path | None = None) -> None:
        super().__init__()
        self.eval_schedules, self.eval_freq, self.theta0 = eval_schedules, int(eval_freq), theta0
        self.env_kwargs = env_kwargs or {}
        self.curve_path = Path(curve_path) if curve_path else None
        self.curve: list[dict[str, Any]] = []
        self._next = 0

    def evaluate(self) -> dict[str, dict[str, Any]]:
        return {name: evaluate_on(self.model, schedule, self.theta0, self.env_kwargs)
                for name, schedule in self.eval_schedules.items()}

    def record(self) -> None:
        for name, result in self.evaluate().items():
            row = {"timesteps": self.num_timesteps, "schedule": name, **{k: result.get(k) for k in CURVE_KEYS}}
            self.curve.append(row)
            for key in ("coef_rmse", "exploitability"):
                self.logger.record(f"oracle/{name}/{key}", result[key])
        if self.curve_path:
            write_csv(self.curve_path, self.curve)

    def _on_training_start(self) -> None:
        self.record()
        self._next = self.num_timesteps + self.eval_freq

    def _on_step(self) -> bool:
        if self.num_timesteps >= self._next:
            self.record()
            self._next += self.eval_freq
        return True


def evaluate_on(model: Any, schedule: Any, theta0: float, env_kwargs: dict[str, Any]) -> dict[str, Any]:
    """The finite game's metrics on ``schedule``, or the infinite game's when ``schedule`` is "infinite"."""
    if schedule == INFINITE:
        return evaluate_infinite(model, theta0, **env_kwargs)
    return evaluate_policy_vs_oracle(model, schedule, theta0, **env_kwargs)


def write_csv(path: str | Path, rows: list[dict[str, Any]]) -> Path:
    """Rows as CSV, atomically (columns from the first row)."""
    buffer = _io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return io.write_text(path, buffer.getvalue())


def default_eval_schedules(schedule: Any) -> dict[str, Any]:
    """Where a learner is measured: its own schedule, or for random-step training both presets."""
    if schedule == INFINITE:
        return {INFINITE: INFINITE}
    if isinstance(schedule, str):
        return {"seed-exp1": "seed-exp1", "seed-exp2": "seed-exp2"} if schedule == "random-step" else {
            schedule: schedule}
    return {"custom": list(schedule)}


def train(algo: str, out: str | Path, *, schedule: Any = "seed-exp1", timesteps: int | None = None, seed: int = 0,
          continuation: str = "oracle", n_envs: int | None = None, eval_freq: int | None = None,
          refresh_every: int = 2048, tensorboard: bool = False, progress_bar: bool = True,
          hyperparams: str | Path | None = None, overrides: dict[str, Any] | None = None,
          env_kwargs: dict[str, Any] | None = None, theta0: float = 0.8) -> dict[str, Any]:
    """Train ``algo`` and write into ``out``: model.zip, config.json, monitor.csv, learning_curve.csv,
    result.json (the final measurement against the oracle), tb/ with ``tensorboard``. Returns the result.

    ``overrides`` replace entries of the hyperparameter file (as in a tuning sweep); config.json holds
    the hyperparameters actually used.
    """
    import torch

    torch.set_num_threads(1)  # faster for these small networks on 2 cores
    if continuation not in ("oracle", "self"):
        raise ValueError(f"continuation must be 'oracle' or 'self', got {continuation!r}")
    if tensorboard:
        try:
            import tensorboard as _  # noqa: F401
        except ImportError:
            raise ValueError("tensorboard logging needs the tensorboard package: "
                             "pip install 'mesa-gym[tensorboard]'") from None
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cls = algorithm(algo)
    hp = {**load_hyperparams(algo, hyperparams), **(overrides or {})}
    n_envs = int(n_envs or hp.get("n_envs", 1))
    timesteps = int(timesteps or hp["n_timesteps"])
    if timesteps < 1 or n_envs < 1:
        raise ValueError(f"timesteps and n_envs must be >= 1, got {timesteps}, {n_envs}")
    kwargs = {"schedule": schedule, "continuation": continuation, **(env_kwargs or {})}
    if schedule == "random-step":
        kwargs.setdefault("max_horizon", kwargs.get("horizon", 100))
    if schedule == INFINITE:  # the infinite game: its own env, later agents at the stationary equilibrium
        if continuation != "oracle":
            raise ValueError("the infinite game is trained with continuation='oracle'")
        kwargs = dict(env_kwargs or {})
        envs = DummyVecEnv([functools.partial(gymnasium.make, INFINITE_ENV_ID, **kwargs) for _ in range(n_envs)])
        envs.seed(seed)
        venv = VecMonitor(envs, filename=str(out / "monitor.csv"))
    else:
        venv = VecMonitor(MesaVecEnv(n_envs, **kwargs), filename=str(out / "monitor.csv"))
    model = cls(hp.get("policy", "MlpPolicy"), venv, seed=seed, verbose=0, device="cpu",
                tensorboard_log=str(out / "tb") if tensorboard else None, **model_kwargs(hp))
    keys = ("lr", "discount", "regularization", "hazard", "coefficient_bound") if schedule == INFINITE else (
        "discount", "regularization", "coefficient_bound", "max_horizon", "theta_limit")
    eval_kwargs = {k: kwargs[k] for k in keys if k in kwargs}
    metrics = OracleMetricsCallback(default_eval_schedules(schedule), eval_freq or max(timesteps // 20, 1), theta0,
                                    eval_kwargs, out / "learning_curve.csv")
    callbacks: list[BaseCallback] = [metrics]
    if continuation == "self":
        callbacks.append(SelfPlayCallback(refresh_every))
    config = {"algo": algo, "env_id": INFINITE_ENV_ID if schedule == INFINITE else ENV_ID, "schedule": schedule,
              "env_kwargs": kwargs, "hyperparams": hp, "n_envs": n_envs,
              "timesteps": timesteps, "seed": seed, "continuation": continuation, "refresh_every": refresh_every,
              "theta0": theta0, "eval_kwargs": eval_kwargs, "eval_schedules": metrics.eval_schedules,
              "versions": versions()}
    io.write_json(out / "config.json", config)
    start = time.perf_counter()
    with warnings.catch_warnings():  # SB3's bar uses tqdm.rich, which warns that it is experimental
        warnings.filterwarnings("ignore", category=TqdmExperimentalWarning)
        model.learn(timesteps, callback=CallbackList(callbacks), progress_bar=progress_bar)
    seconds = time.perf_counter() - start
    buffer = _io.BytesIO()
    model.save(buffer)
    io.atomic_write(out / "model.zip", lambda tmp: tmp.write_bytes(buffer.getvalue()))
    metrics.record()
    final = metrics.evaluate()
    result = {"algo": algo, "schedule": schedule if isinstance(schedule, str) else "custom", "seed": seed,
              "continuation": continuation, "timesteps": timesteps, "train_seconds": seconds,
              "steps_per_second": timesteps / seconds, "evaluations": final}
    io.write_json(out / "result.json", result)
    venv.close()
    return result


def load_model(path: str | Path) -> tuple[BaseAlgorithm, dict[str, Any]]:
    """A saved model and its run's config.json (the algorithm is read from there)."""
    path = Path(path)
    if path.is_dir():
        path = path / "model.zip"
    if not path.exists():
        raise ValueError(f"no model at {path}")
    config_path = path.parent / "config.json"
    if not config_path.exists():
        raise ValueError(f"no config.json beside {path}: cannot tell which algorithm saved it")
    config = json.loads(config_path.read_text())
    return algorithm(config["algo"]).load(path, device="cpu"), config


def evaluate(model_path: str | Path, schedule: Any = None, theta0: float | None = None) -> dict[str, Any]:
    """Play a saved model deterministically through ``schedule`` (default: its training schedule, or
    seed-exp1 after random-step training) from θ0 (default 0.8) and score it against the oracle."""
    model, config = load_model(model_path)
    if schedule is None:
        trained = config.get("schedule", config["env_kwargs"].get("schedule"))  # older configs lack the key
        schedule = "seed-exp1" if trained == "random-step" else trained
    theta0 = config.get("theta0", 0.8) if theta0 is None else theta0
    result = evaluate_on(model, schedule, theta0, config.get("eval_kwargs", {}))
    return {"model": str(model_path), "algo": config["algo"],
            "schedule": schedule if isinstance(schedule, str) else list(schedule), **result}


def versions() -> dict[str, str]:
    import gymnasium
    import stable_baselines3
    import torch

    return {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
            "gymnasium": gymnasium.__version__, "stable_baselines3": stable_baselines3.__version__}
