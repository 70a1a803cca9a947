"""Runner: PPO on one setting of each next step (settings.json), through the same training code.

    python experiments/next_steps_baselines/run.py [--workers 2]     # 9 runs, resumable
"""

import argparse
import json
from pathlib import Path

from agents.sweep import Job, run_sweep

HERE = Path(__file__).parent

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    s = json.loads((HERE / "settings.json").read_text())
    jobs = [Job(s["algo"], setting["schedule"], seed, "oracle", s["timesteps"], {"env_kwargs": setting["env_kwargs"]})
            for setting in s["settings"] for seed in s["seeds"]]
    run_sweep(jobs, HERE, workers=args.workers)
