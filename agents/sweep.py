"""Resumable sweeps of training runs, on local processes or an existing Ray cluster.

Each run trains in a temporary directory that is renamed to ``ROOT/runs/<run id>`` only once the
run has finished, so a killed sweep loses no finished run and leaves no half-written run behind;
the next sweep skips finished runs and restarts the rest. ``ROOT/results.csv`` (one row per run
and evaluation schedule) is rewritten atomically after every finished run.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from tqdm import tqdm

from mesa_gym import io

BACKENDS = ("local", "ray")
RESULT_KEYS = ("coef_rmse", "coef_max_error", "exploitability", "exploitability_rel", "agent0_objective_ratio",
               "deception_index", "oracle_deception_index", "base_loss_train", "oracle_base_loss_train",
               "base_loss_deploy", "oracle_base_loss_deploy")


@dataclass(frozen=True)
class Job:
    """One training run of the sweep."""

    algo: str
    schedule: str
    seed: int
    continuation: str = "oracle"
    timesteps: int = 10_000
    train_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        nested = ("overrides", "env_kwargs")
        flat = {k: v for k, v in self.train_kwargs.items() if k not in nested}
        for key in nested:
            flat.update(self.train_kwargs.get(key, {}))
        extra = "".join(f"-{k}={v}" for k, v in sorted(flat.items()))
        return f"{self.algo}-{self.schedule}-{self.continuation}-seed{self.seed}{extra}".replace("/", "_")


def jobs_from_settings(settings: dict[str, Any]) -> list[Job]:
    """The full grid: algos × schedules × continuations × seeds (× hyperparameter grid), per-algo budgets.

    ``settings``: ``algos`` ({name: {"timesteps": T or {continuation: T}, "grid": {hyperparameter:
    [values]}, ...other train kwargs}}), ``schedules``, ``continuations``, ``seeds``; ``train_kwargs``
    apply to every run. Each grid point overrides the algorithm's hyperparameter file.
    """
    common = dict(settings.get("train_kwargs", {}))
    jobs = []
    for algo, spec in settings["algos"].items():
        spec = dict(spec)
        budget = spec.pop("timesteps")
        grid = spec.pop("grid", {})
        points = [dict(zip(grid, values)) for values in itertools.product(*grid.values())] if grid else [{}]
        for schedule in settings["schedules"]:
            for continuation in settings["continuations"]:
                timesteps = int(budget[continuation] if isinstance(budget, dict) else budget)
                for point in points:
                    kwargs = {**common, **spec, **({"overrides": point} if point else {})}
                    for seed in settings["seeds"]:
                        jobs.append(Job(algo, schedule, int(seed), continuation, timesteps, kwargs))
    return jobs


def run_job(job: Job, root: str | Path) -> dict[str, Any]:
    """Train one run into a temporary directory, then publish it with an atomic rename."""
    import torch

    from agents.training import train

    torch.set_num_threads(1)
    runs = Path(root) / "runs"
    final = runs / job.run_id
    if (final / "result.json").exists():
        return json.loads((final / "result.json").read_text())
    tmp = runs / f".tmp-{job.run_id}-{uuid.uuid4().hex[:8]}"
    train(job.algo, tmp, schedule=job.schedule, timesteps=job.timesteps, seed=job.seed,
          continuation=job.continuation, progress_bar=False, **job.train_kwargs)
    io.write_json(tmp / "job.json", asdict(job))
    os.replace(tmp, final)
    return json.loads((final / "result.json").read_text())


def pending(jobs: Iterable[Job], root: str | Path) -> list[Job]:
    """Jobs without a finished run; leftovers of killed runs are removed."""
    runs = Path(root) / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for leftover in runs.glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return [job for job in jobs if not (runs / job.run_id / "result.json").exists()]


def collect(root: str | Path) -> list[dict[str, Any]]:
    """One row per finished run and evaluation schedule, from every run's result.json."""
    rows = []
    for result_path in sorted((Path(root) / "runs").glob("*/result.json")):
        if result_path.parent.name.startswith("."):  # a run still training (pathlib's * matches dot names)
            continue
        result = json.loads(result_path.read_text())
        job = json.loads((result_path.parent / "job.json").read_text())
        overrides = json.dumps(job["train_kwargs"].get("overrides", {}), sort_keys=True)
        env_kwargs = json.dumps(job["train_kwargs"].get("env_kwargs", {}), sort_keys=True)
        for eval_schedule, metrics in result["evaluations"].items():
            rows.append({"run": result_path.parent.name, "algo": result["algo"], "overrides": overrides,
                         "env_kwargs": env_kwargs,
                         "schedule": result["schedule"],
                         "continuation": result["continuation"], "seed": result["seed"],
                         "timesteps": result["timesteps"], "train_seconds": round(result["train_seconds"], 3),
                         "eval_schedule": eval_schedule, **{k: metrics.get(k) for k in RESULT_KEYS}})
    return rows


def write_results(root: str | Path) -> Path | None:
    """``ROOT/results.csv`` from every finished run (atomic)."""
    from agents.training import write_csv

    rows = collect(root)
    return write_csv(Path(root) / "results.csv", rows) if rows else None


def run_sweep(jobs: list[Job], root: str | Path, *, backend: str = "local", workers: int = 2,
              progress: bool = True) -> list[dict[str, Any]]:
    """Run every unfinished job (resuming), showing progress; returns the rows of results.csv."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    root = Path(root)
    todo = pending(jobs, root)
    done_before = len(jobs) - len(todo)
    bar = tqdm(total=len(jobs), initial=done_before, desc="sweep", unit="run", disable=not progress)
    runner = _run_ray if backend == "ray" else _run_local
    for _ in runner(todo, root, workers):
        write_results(root)
        bar.update(1)
    bar.close()
    write_results(root)
    return collect(root)


def _run_local(jobs: list[Job], root: Path, workers: int) -> Iterator[dict[str, Any]]:
    if not jobs:
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(run_job, job, str(root)) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def _run_ray(jobs: list[Job], root: Path, workers: int) -> Iterator[dict[str, Any]]:
    """On the cluster at ``RAY_ADDRESS`` (or a local instance when unset); ROOT must be shared storage."""
    try:
        import ray
    except ImportError:
        raise ValueError("the ray backend needs Ray: pip install 'mesa-gym[ray]'") from None
    if not jobs:
        return
    started = not ray.is_initialized()
    if started:
        ray.init(address=os.environ.get("RAY_ADDRESS"), include_dashboard=False, log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=1)(run_job)
        waiting = [remote.remote(job, str(root)) for job in jobs]
        while waiting:
            ready, waiting = ray.wait(waiting, num_returns=1)
            yield ray.get(ready[0])
    finally:
        if started:
            ray.shutdown()
