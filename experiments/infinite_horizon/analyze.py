"""Analysis: infinite_horizon.png (stationary coefficient vs γ per hazard; finite horizons converging)."""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from mesa_gym import io

HERE = Path(__file__).parent

if __name__ == "__main__":
    r = json.loads((HERE / "results.json").read_text())
    s = r["settings"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    for p, coefficients in r["stationary"].items():
        left.plot(s["discounts"], coefficients, "o-", label=f"deployment hazard p = {p}")
    left.set_xlabel("discount γ")
    left.set_ylabel("stationary coefficient while training")
    left.set_title(f"Infinite game, lr = {s['lr']}: exact stationary equilibrium")
    left.legend(fontsize=8)
    right.semilogx(s["horizons"], r["finite_first"], "o-", label="first agent of an N-episode game (all lr 1)")
    right.axhline(r["stationary_at_convergence_discount"], color="k", ls="--", label="stationary equilibrium")
    right.set_xlabel("horizon N")
    right.set_ylabel("coefficient")
    right.set_title(f"Finite horizons converge (γ = {s['convergence_discount']})")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
    figure.tight_layout()
    io.save_figure(figure, HERE / "infinite_horizon.png", dpi=100)
    lines = ["| γ | " + " | ".join(f"p = {p}" for p in r["stationary"]) + " |",
             "|---|" + "---|" * len(r["stationary"])]
    for i, g in enumerate(s["discounts"]):
        lines.append(f"| {g} | " + " | ".join(f"{c[i]:.4f}" for c in r["stationary"].values()) + " |")
    io.write_text(HERE / "summary.md", "\n".join(lines) + "\n")
    print("\n".join(lines))
