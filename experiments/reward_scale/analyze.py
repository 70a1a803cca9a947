"""Analysis: final coefficient RMSE and exploitability per reward scale, and learning curves (figure)."""

import csv
import json
import statistics
from pathlib import Path

from mesa_gym import io, plotting

HERE = Path(__file__).parent

if __name__ == "__main__":
    settings = json.loads((HERE / "settings.json").read_text())
    figure, ax = plotting.new_figure(f"PPO on {settings['schedule']}: reward scale vs learning")
    lines = ["| reward scale | coef RMSE (mean ± std) | exploitability (mean ± std) |", "|---|---|---|"]
    colors = {"raw": "tab:red", "theta": "tab:blue", "theta-episodes": "tab:green"}
    for scale in settings["reward_scales"]:
        finals = []
        for seed in settings["seeds"]:
            run = HERE / "runs" / f"{scale}-seed{seed}"
            result = json.loads((run / "result.json").read_text())["evaluations"][settings["schedule"]]
            finals.append((result["coef_rmse"], result["exploitability"]))
            with open(run / "learning_curve.csv") as handle:
                rows = list(csv.DictReader(handle))
            ax.plot([int(r["timesteps"]) for r in rows], [float(r["coef_rmse"]) for r in rows], color=colors[scale],
                    alpha=0.7, label=scale if seed == settings["seeds"][0] else None)
        rmse, expl = zip(*finals)
        lines.append(f"| {scale} | {statistics.mean(rmse):.4f} ± {statistics.stdev(rmse):.4f} "
                     f"| {statistics.mean(expl):.3f} ± {statistics.stdev(expl):.3f} |")
    ax.set_yscale("log")
    ax.set_xlabel("env steps")
    ax.set_ylabel("coefficient RMSE vs oracle (θ0 = 0.8)")
    ax.legend()
    io.save_figure(figure, HERE / "reward_scale.png", dpi=100)
    table = "\n".join(lines)
    io.write_text(HERE / "summary.md", table + "\n")
    print(table)
