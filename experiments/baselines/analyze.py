"""Analysis: the results table (mean ± std over seeds), learned coefficients against the oracle, and
exploitability learning curves. Writes summary.md, coefficients.png, exploitability.png."""

import csv
import json
import statistics
from collections import defaultdict
from pathlib import Path

import numpy as np

from mesa_gym import as_schedule, io, plotting, solve_equilibrium

HERE = Path(__file__).parent
ALGO_COLORS = {"ppo": "tab:blue", "a2c": "tab:orange", "sac": "tab:green", "td3": "tab:red", "ddpg": "tab:purple",
               "tqc": "tab:brown", "crossq": "tab:pink"}


def mean_std(values):
    values = [v for v in values if np.isfinite(v)]
    if not values:
        return "n/a"
    return f"{statistics.mean(values):.3g} ± {statistics.stdev(values) if len(values) > 1 else 0:.2g}"


def table(rows):
    groups = defaultdict(list)
    for r in rows:
        groups[(r["eval_schedule"], r["schedule"], r["continuation"], r["algo"])].append(r)
    lines = ["| evaluated on | trained on | continuation | algo | steps | coef RMSE | coef max error "
             "| exploitability (% of agent 0's) | deception index (oracle) |", "|---|---|---|---|---|---|---|---|---|"]
    for (evaluated, trained, continuation, algo), group in sorted(groups.items()):
        rel = [100 * float(r["exploitability_rel"]) for r in group if r["exploitability_rel"] not in ("", "None")]
        index = [float(r["deception_index"]) for r in group if r["deception_index"] not in ("", "None")]
        oracle_index = group[0]["oracle_deception_index"]
        oracle_index = "n/a" if oracle_index in ("", "None") else f"{float(oracle_index):.3f}"
        lines.append(f"| {evaluated} | {trained} | {continuation} | {algo} | {group[0]['timesteps']} "
                     f"| {mean_std([float(r['coef_rmse']) for r in group])} "
                     f"| {mean_std([float(r['coef_max_error']) for r in group])} | {mean_std(rel)} "
                     f"| {mean_std(index) if index else 'n/a'} ({oracle_index}) |")
    return "\n".join(lines)


def pivot(rows, key, scale=1.0, digits=3):
    """Algorithms × (schedule, continuation): mean ± std over seeds of ``key``, each run evaluated on its
    own schedule (seed-exp1 for random-step training)."""
    columns = [(s, c) for s in ("seed-exp1", "seed-exp2", "random-step") for c in ("oracle", "self")]
    own = {"seed-exp1": "seed-exp1", "seed-exp2": "seed-exp2", "random-step": "seed-exp1"}
    lines = ["| algo | " + " | ".join(f"{s}, {c}" for s, c in columns) + " |", "|---|" + "---|" * len(columns)]
    for algo in ALGO_COLORS:
        cells = []
        for schedule, continuation in columns:
            values = [scale * float(r[key]) for r in rows if r["algo"] == algo and r["schedule"] == schedule
                      and r["continuation"] == continuation and r["eval_schedule"] == own[schedule]]
            finite = [v for v in values if np.isfinite(v)]
            if not values:
                cells.append("")
            elif len(finite) < len(values) or (finite and max(finite) > 1e6):
                exploded = len(values) - len([v for v in finite if v <= 1e6])
                cells.append(f"θ explodes in {exploded}/{len(values)}")
            else:
                std = statistics.stdev(finite) if len(finite) > 1 else 0.0
                cells.append(f"{statistics.mean(finite):.{digits}g} ± {std:.2g}")
        lines.append(f"| {algo} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def coefficient_figure(schedule, continuation, path):
    """Learned on-path coefficients per episode (mean over seeds; min-max band where it is narrow
    enough to read) against the oracle; right panel: the training phase up close."""
    import matplotlib.pyplot as plt

    oracle = solve_equilibrium(schedule)
    episodes = np.arange(oracle.size)
    train = int((as_schedule(schedule) > 0).sum())
    figure, axes = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [3, 2]})
    figure.suptitle(f"Learned coefficients on {schedule} ({continuation} continuation, θ0 = 0.8): "
                    "mean over 5 seeds, band = min-max")
    for ax, window in zip(axes, (oracle.size, min(train + 2, oracle.size))):
        ax.plot(episodes[:window], oracle[:window], "k-", lw=2.5, label="oracle (exact)")
        for algo, color in ALGO_COLORS.items():
            runs = sorted((HERE / "runs").glob(f"{algo}-{schedule}-{continuation}-seed*/result.json"))
            if not runs:
                continue
            learned = np.array([json.loads(p.read_text())["evaluations"][schedule]["coefficients"]
                                for p in runs])[:, :window]
            ax.plot(episodes[:window], learned.mean(axis=0), color=color, label=algo)
            if (learned.max(axis=0) - learned.min(axis=0)).max() < 0.5:
                ax.fill_between(episodes[:window], learned.min(axis=0), learned.max(axis=0), color=color,
                                alpha=0.2)
        ax.set_xlabel("episode")
        ax.grid(alpha=0.3)
    axes[0].set_ylim(-0.1, 1.3)
    axes[0].set_ylabel("coefficient a_n")
    axes[1].set_ylim(-0.05, 0.4)
    axes[1].set_title("training phase", fontsize=10)
    axes[0].legend(ncol=2, fontsize=8)
    figure.tight_layout()
    io.save_figure(figure, path, dpi=100)
    plotting.close(figure)


def exploitability_figure(schedule, path):
    """Exploitability vs env steps (median over seeds) per algorithm and continuation."""
    figure, ax = plotting.new_figure(f"Exploitability vs env steps on {schedule} (median over seeds)")
    for algo, color in ALGO_COLORS.items():
        for continuation, style in (("oracle", "-"), ("self", "--")):
            curves = []
            for run in sorted((HERE / "runs").glob(f"{algo}-{schedule}-{continuation}-seed*")):
                with open(run / "learning_curve.csv") as handle:
                    curve = [r for r in csv.DictReader(handle) if r["schedule"] == schedule]
                curves.append(([int(r["timesteps"]) for r in curve], [float(r["exploitability"]) for r in curve]))
            if curves:
                n = min(len(c[0]) for c in curves)
                steps = curves[0][0][:n]
                median = np.median([c[1][:n] for c in curves], axis=0)
                ax.plot(steps, median, style, color=color, label=f"{algo}, {continuation}")
    ax.set_xscale("symlog", linthresh=1000)
    ax.set_yscale("log")
    ax.set_ylim(1e-2, 1e8)
    ax.text(0.01, 0.97, "curves leaving the top: θ explodes (exploitability up to 1e37)", transform=ax.transAxes,
            fontsize=8, va="top")
    ax.set_xlabel("env steps")
    ax.set_ylabel("exploitability (θ² units, summed over agents)")
    ax.legend(ncol=2, fontsize=7)
    io.save_figure(figure, path, dpi=100)
    plotting.close(figure)


if __name__ == "__main__":
    with open(HERE / "results.csv") as handle:
        rows = list(csv.DictReader(handle))
    summary = table(rows)
    io.write_text(HERE / "summary.md", summary + "\n")
    compact = ("Coefficient RMSE against the oracle (θ0 = 0.8), mean ± std over seeds:\n\n"
               + pivot(rows, "coef_rmse") + "\n\nExploitability, % of the oracle agent 0's objective:\n\n"
               + pivot(rows, "exploitability_rel", 100) + "\n")
    io.write_text(HERE / "summary_compact.md", compact)
    print(compact)
    for continuation in ("oracle", "self"):
        coefficient_figure("seed-exp1", continuation, HERE / f"coefficients_seed-exp1_{continuation}.png")
    coefficient_figure("seed-exp2", "oracle", HERE / "coefficients_seed-exp2_oracle.png")
    exploitability_figure("seed-exp1", HERE / "exploitability_seed-exp1.png")
