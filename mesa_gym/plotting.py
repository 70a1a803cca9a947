"""Figures in the seed's style: θ, coefficient, learning rate and model output per episode."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def plot_episodes(ax, schedule: Sequence[float], coefficients: Sequence[float], thetas: Sequence[float],
                  window: int, label: str = "", linestyle: str = "-", with_schedule: bool = True) -> None:
    """Draw one solution's first ``window`` episodes on ``ax`` (the seed's four curves)."""
    a = np.asarray(coefficients, dtype=float)[:window]
    th = np.asarray(thetas, dtype=float)[:window]
    episodes = np.arange(a.size)
    suffix = f" ({label})" if label else ""
    ax.plot(episodes, th, linestyle, color="tab:blue", label=f"mesa objective θ{suffix}")
    ax.plot(episodes, a, linestyle, color="tab:orange", label=f"coefficient{suffix}")
    ax.plot(episodes, a * th, linestyle, color="tab:red", label=f"model output{suffix}")
    if with_schedule:
        ax.plot(episodes, np.asarray(schedule, dtype=float)[:window], "-", color="tab:green", alpha=0.6,
                label="learning rate")


def new_figure(title: str):
    """A figure and axes sized like the seed's plots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(10, 6))
    ax.set_title(title)
    ax.set_xlabel("Episode number")
    ax.grid(alpha=0.3)
    return figure, ax


def close(figure) -> None:
    """Free a figure's memory (sweeps make many)."""
    import matplotlib.pyplot as plt

    plt.close(figure)
