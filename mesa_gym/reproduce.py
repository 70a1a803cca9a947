"""The write-up's two experiments, reproduced with the exact and the seed-faithful grid solvers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mesa_gym import io, plotting
from mesa_gym.equilibrium import exploitability, rollout, solve_equilibrium
from mesa_gym.schedules import as_schedule

EXPERIMENTS: dict[str, dict[str, Any]] = {
    "exp1": {"schedule": "seed-exp1", "theta0": 0.8, "plot_window": 30,
             "title": "Experiment one: 20 training episodes (lr 1), then 80 deployed (lr 0)"},
    "exp2": {"schedule": "seed-exp2", "theta0": 0.8, "plot_window": 100,
             "title": "Experiment two: 100 episodes at lr 1"},
}
"""The write-up's settings: θ0 = 0.8, and the plot windows it shows."""

RESULTS_FILE = "results.json"


def compute() -> dict[str, Any]:
    """Both experiments solved both ways, with θ paths and the headline numbers."""
    results: dict[str, Any] = {}
    for name, settings in EXPERIMENTS.items():
        schedule = as_schedule(settings["schedule"])
        entry: dict[str, Any] = {**settings, "learning_rates": schedule.tolist()}
        for method in ("exact", "grid"):
            coefficients = solve_equilibrium(schedule, method=method)
            thetas = rollout(coefficients, schedule, settings["theta0"])
            entry[method] = {
                "coefficients": coefficients.tolist(),
                "thetas": thetas.tolist(),
                "first_coefficient": float(coefficients[0]),
                "final_theta": float(thetas[-1]),
                "exploitability": exploitability(schedule, coefficients),
            }
        results[name] = entry
    return results


def write_results(out: str | Path) -> Path:
    """Compute the reproduction and write ``out/results.json`` atomically."""
    return io.write_json(Path(out) / RESULTS_FILE, compute())


def make_figures(out: str | Path) -> list[Path]:
    """Draw one seed-style PNG per experiment from ``out/results.json`` (exact solid, grid dashed)."""
    out = Path(out)
    results = json.loads((out / RESULTS_FILE).read_text())
    paths = []
    for name, entry in results.items():
        figure, ax = plotting.new_figure(entry["title"])
        window = entry["plot_window"]
        plotting.plot_episodes(ax, entry["learning_rates"], entry["exact"]["coefficients"],
                               entry["exact"]["thetas"], window, label="exact")
        plotting.plot_episodes(ax, entry["learning_rates"], entry["grid"]["coefficients"],
                               entry["grid"]["thetas"], window, label="seed grid", linestyle="--",
                               with_schedule=False)
        ax.legend(ncol=2, fontsize=9)
        paths.append(io.save_figure(figure, out / f"{name}.png", dpi=100))
        plotting.close(figure)
    return paths


def summary(out: str | Path) -> str:
    """The headline numbers, exact next to grid, as a Markdown table."""
    results = json.loads((Path(out) / RESULTS_FILE).read_text())
    lines = ["| experiment | method | first coefficient | final θ | exploitability |",
             "|---|---|---|---|---|"]
    for name, entry in results.items():
        for method in ("exact", "grid"):
            r = entry[method]
            lines.append(f"| {name} | {method} | {r['first_coefficient']:.5f} | {r['final_theta']:+.5f} "
                         f"| {r['exploitability']:.3g} |")
    return "\n".join(lines)
