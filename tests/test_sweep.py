"""Sweeps resume after a kill, lose no finished run, leave no half-written file; Ray runs them too."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agents.sweep import Job, collect, jobs_from_settings, pending, run_sweep

SETTINGS = {"algos": {"a2c": {"timesteps": 64, "n_envs": 2}}, "schedules": ["seed-exp1"],
            "continuations": ["oracle"], "seeds": [0, 1, 2], "train_kwargs": {"eval_freq": 64}}


def small_jobs():
    kwargs = {"n_envs": 2, "eval_freq": 64}
    return [Job("a2c", "seed-exp1", seed, timesteps=64, train_kwargs=kwargs) for seed in range(3)]


def test_jobs_from_settings_cover_the_grid():
    settings = {"algos": {"ppo": {"timesteps": 10}, "sac": {"timesteps": 5}}, "schedules": ["seed-exp1", "seed-exp2"],
                "continuations": ["oracle", "self"], "seeds": [0, 1, 2]}
    jobs = jobs_from_settings(settings)
    assert len(jobs) == 24 and len({job.run_id for job in jobs}) == 24
    assert {job.timesteps for job in jobs if job.algo == "sac"} == {5}


def run_ids(root):
    return sorted(p.name for p in (Path(root) / "runs").iterdir() if not p.name.startswith("."))


def test_interrupted_sweep_resumes_to_the_complete_result_set(tmp_path):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps(SETTINGS))
    root = tmp_path / "sweep"
    command = [sys.executable, "-m", "mesa_gym.cli", "sweep", str(settings), "--out", str(root), "--workers", "1",
               "--no-progress"]
    process = subprocess.Popen(command, start_new_session=True)
    deadline = time.time() + 600  # generous: a loaded machine may take minutes to start workers
    while time.time() < deadline and len(list((root / "runs").glob("*/result.json"))) < 1:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the whole sweep, workers included, mid-run
    process.wait()
    finished = run_ids(root)
    assert 1 <= len(finished) < 3, f"killed after {len(finished)} finished runs"
    for run in finished:  # finished runs are complete
        assert (root / "runs" / run / "result.json").exists() and (root / "runs" / run / "model.zip").exists()
    before = {run: (root / "runs" / run / "result.json").read_text() for run in finished}

    subprocess.run(command, check=True)
    assert run_ids(root) == sorted(job.run_id for job in jobs_from_settings(json.loads(settings.read_text())))
    assert not list((root / "runs").glob(".tmp-*"))  # the killed run's leftovers are gone
    for run, text in before.items():  # nothing finished was redone
        assert (root / "runs" / run / "result.json").read_text() == text
    with open(root / "results.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(int(r["seed"]) for r in rows) == [0, 1, 2]


def test_pending_skips_finished_runs(tmp_path):
    jobs = small_jobs()
    run_sweep(jobs[:1], tmp_path, workers=1, progress=False)
    assert [job.seed for job in pending(jobs, tmp_path)] == [1, 2]
    assert len(collect(tmp_path)) == 1


def test_collect_ignores_runs_still_in_progress(tmp_path):
    run_sweep(small_jobs()[:1], tmp_path, workers=1, progress=False)
    in_progress = tmp_path / "runs" / ".tmp-a2c-seed-exp1-oracle-seed1-abcdef12"
    in_progress.mkdir()
    (in_progress / "result.json").write_text("{}")  # written before job.json and the rename
    assert [row["seed"] for row in collect(tmp_path)] == [0]


def test_ray_backend_against_a_local_instance(tmp_path):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        rows = run_sweep(small_jobs()[:2], tmp_path, backend="ray", progress=False)
    finally:
        ray.shutdown()
    assert sorted(r["seed"] for r in rows) == [0, 1]


def test_bad_backend():
    with pytest.raises(ValueError, match="backend"):
        run_sweep([], "/tmp/unused", backend="slurm")
