"""Runner: PPO on seed-exp1 under each reward scale (settings.json), one run directory per (scale, seed).

Finished runs (result.json present) are skipped, so an interrupted run resumes.
    python experiments/reward_scale/run.py
"""

import json
from pathlib import Path

from tqdm import tqdm

from agents.training import train

HERE = Path(__file__).parent

if __name__ == "__main__":
    settings = json.loads((HERE / "settings.json").read_text())
    jobs = [(scale, seed) for scale in settings["reward_scales"] for seed in settings["seeds"]]
    for scale, seed in tqdm(jobs, desc="reward scales"):
        out = HERE / "runs" / f"{scale}-seed{seed}"
        if (out / "result.json").exists():
            continue
        train(settings["algo"], out, schedule=settings["schedule"], timesteps=settings["timesteps"], seed=seed,
              progress_bar=False, env_kwargs={"reward_scale": scale})
