"""How the equilibrium responds to the game's parameters: one summary per setting, for the experiments."""

from __future__ import annotations

from typing import Any

import numpy as np

from mesa_gym.equilibrium import rollout, solve_equilibrium
from mesa_gym.metrics import agent_objectives, base_losses, deception_index
from mesa_gym.schedules import as_schedule, training_mask


def equilibrium_summary(schedule: Any, theta0: float = 0.8, *, discount: float = 1.0,
                        regularization: float = 0.0) -> dict[str, Any]:
    """The exact equilibrium on ``schedule`` and what it means from ``theta0``: coefficients, θ path,
    mean training coefficient, final θ, agent 0's objective (in θ0² units and absolute), base losses
    per phase (with λθ² included), and the deception index."""
    rates = as_schedule(schedule)
    game = {"discount": discount, "regularization": regularization}
    coefficients = solve_equilibrium(rates, **game)
    thetas = rollout(coefficients, rates, theta0, regularization=regularization)
    agent0 = float(agent_objectives(rates, coefficients, **game)[0])
    losses = base_losses(rates, coefficients, theta0, regularization=regularization)
    train = training_mask(rates)
    return {"discount": discount, "regularization": regularization, "theta0": theta0,
            "coefficients": coefficients.tolist(), "thetas": thetas.tolist(),
            "mean_train_coefficient": float(coefficients[train].mean()) if train.any() else None,
            "first_coefficient": float(coefficients[0]), "final_theta": float(thetas[-1]),
            "agent0_objective": agent0 * theta0 * theta0, "agent0_objective_per_theta2": agent0,
            "base_loss_train": losses["train"], "base_loss_deploy": losses["deploy"],
            "base_loss_total": losses["train"] + losses["deploy"],
            "deception_index": deception_index(rates, coefficients)}


def write_response_sweep(directory: Any, parameter: str) -> Any:
    """An experiment folder's runner: `equilibrium_summary` for each value of ``parameter`` listed in
    its settings.json (with its schedule and θ0), written to results.json atomically."""
    import json
    from pathlib import Path

    from tqdm import tqdm

    from mesa_gym import io

    directory = Path(directory)
    settings = json.loads((directory / "settings.json").read_text())
    rows = [equilibrium_summary(settings["schedule"], settings["theta0"], **{parameter: value})
            for value in tqdm(settings[parameter], desc=parameter)]
    return io.write_json(directory / "results.json", {"settings": settings, "rows": rows})


def response_figure(rows: list[dict[str, Any]], parameter: str, path: Any, title: str,
                    log_x: bool = False) -> Any:
    """Four panels against ``parameter``: mean training coefficient, final θ, agent 0's objective,
    base loss per phase."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mesa_gym import io

    x = np.array([r[parameter] for r in rows])
    figure, axes = plt.subplots(2, 2, figsize=(11, 7))
    figure.suptitle(title)
    panels = [("mean_train_coefficient", "mean coefficient while training"), ("final_theta", "final θ (θ0 = 0.8)"),
              ("agent0_objective", "agent 0's mesa objective"), (None, "base loss")]
    for ax, (key, label) in zip(axes.flat, panels):
        if key is None:
            ax.plot(x, [r["base_loss_train"] for r in rows], "o-", label="training (what gradient descent sees)")
            ax.plot(x, [r["base_loss_deploy"] for r in rows], "s-", label="deployment (what happens after)")
            ax.legend(fontsize=8)
        else:
            ax.plot(x, [r[key] for r in rows], "o-")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel(parameter)
        ax.grid(alpha=0.3)
        if log_x:
            ax.set_xscale("symlog", linthresh=0.01)
    figure.tight_layout()
    saved = io.save_figure(figure, path, dpi=100)
    plt.close(figure)
    return saved
