"""Runner: every algorithm × schedule × continuation × seed in settings.json (resumable).

    python experiments/baselines/run.py [--backend local|ray] [--workers 2]

Same as `mesa-gym sweep experiments/baselines/settings.json --out experiments/baselines`. Budgets per
run are in settings.json (env steps), sized from measured throughput so the sweep takes about an hour
on 2 cores.
"""

import argparse
import json
from pathlib import Path

from agents.sweep import jobs_from_settings, run_sweep

HERE = Path(__file__).parent

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=("local", "ray"), default="local")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = jobs_from_settings(json.loads((HERE / "settings.json").read_text()))
    run_sweep(jobs, HERE, backend=args.backend, workers=args.workers)
