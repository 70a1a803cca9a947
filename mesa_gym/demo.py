"""The main job in a few minutes: reproduce the seed, train one learner, show it against the oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from mesa_gym import io, plotting, reproduce
from mesa_gym.equilibrium import rollout


def comparison_figure(result: dict[str, Any], path: str | Path, title: str, window: int = 30) -> Path:
    """The learner's coefficients, outputs and θ per episode against the oracle's (seed style)."""
    figure, ax = plotting.new_figure(title)
    schedule = np.array(result["learning_rates"])
    for name, key, style in (("oracle", "oracle_coefficients", "-"), ("learner", "coefficients", "--")):
        coefficients = np.array(result[key])
        thetas = rollout(coefficients, schedule, result["theta0"])
        plotting.plot_episodes(ax, schedule, coefficients, thetas, window, label=name, linestyle=style,
                               with_schedule=name == "oracle")
    ax.legend(ncol=2, fontsize=9)
    saved = io.save_figure(figure, path, dpi=100)
    plotting.close(figure)
    return saved


def run_demo(out: str | Path, timesteps: int = 100_000, seed: int = 0) -> str:
    """Seed reproduction, PPO on seed-exp1 (progress bar), and its comparison with the oracle."""
    from agents.training import evaluate, train
    from mesa_gym.schedules import as_schedule

    out = Path(out)
    print("1/3  reproducing the write-up's experiments (exact and seed-grid oracles)")
    reproduce.write_results(out / "seed_reproduction")
    reproduce.make_figures(out / "seed_reproduction")
    print(reproduce.summary(out / "seed_reproduction"))
    print(f"\n2/3  training PPO on seed-exp1 for {timesteps:,} env steps (oracle continuation)")
    train("ppo", out / "ppo", schedule="seed-exp1", timesteps=timesteps, seed=seed)
    print("\n3/3  the learner against the oracle (θ0 = 0.8)")
    result = evaluate(out / "ppo")
    result["learning_rates"] = as_schedule("seed-exp1").tolist()
    io.write_json(out / "ppo_vs_oracle.json", result)
    figure = comparison_figure(result, out / "ppo_vs_oracle.png", "PPO (dashed) against the exact oracle (solid)")
    learned, oracle = np.array(result["coefficients"]), np.array(result["oracle_coefficients"])
    lines = ["| | learner (PPO) | oracle |", "|---|---|---|",
             f"| first coefficient | {learned[0]:.4f} | {oracle[0]:.4f} |",
             f"| mean training coefficient | {learned[:20].mean():.4f} | {oracle[:20].mean():.4f} |",
             f"| mean deployed coefficient | {learned[20:].mean():.4f} | {oracle[20:].mean():.4f} |",
             f"| base loss, training | {result['base_loss_train']:.4f} | {result['oracle_base_loss_train']:.4f} |",
             f"| base loss, deployed | {result['base_loss_deploy']:.3f} | {result['oracle_base_loss_deploy']:.3f} |",
             f"| deception index | {result['deception_index']:.3f} | {result['oracle_deception_index']:.3f} |",
             f"| coefficient RMSE / max error | {result['coef_rmse']:.4f} / {result['coef_max_error']:.4f} | 0 / 0 |",
             f"| exploitability (θ² units) | {result['exploitability']:.4f} "
             f"({100 * result['exploitability_rel']:.2f}% of agent 0's objective) | 0 |"]
    table = "\n".join(lines)
    io.write_text(out / "ppo_vs_oracle.md", table + "\n")
    print(table)
    print(f"\nwrote {out}/seed_reproduction/, {out}/ppo/ (model, logs), {figure} and {out}/ppo_vs_oracle.md")
    return table
