"""Analysis: deception as a function of the mesa objective's discount γ, and what a base optimizer
would gain (in base loss) by pushing γ up or down (figure + table)."""

import json
from pathlib import Path

from mesa_gym import io
from mesa_gym.responses import response_figure

HERE = Path(__file__).parent

if __name__ == "__main__":
    data = json.loads((HERE / "results.json").read_text())
    rows = data["rows"]
    response_figure(rows, "discount", HERE / "discount.png",
                    "Discounted mesa objective (seed-exp1, exact equilibrium)")
    lines = ["| γ | mean training coefficient | final θ | base loss train | base loss deploy | base loss total "
             "| gain from lowering γ | gain from raising γ | deception index |",
             "|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rows):
        down = rows[i - 1]["base_loss_total"] if i > 0 else None
        up = rows[i + 1]["base_loss_total"] if i + 1 < len(rows) else None
        gain_down = "" if down is None else f"{r['base_loss_total'] - down:+.4f}"
        gain_up = "" if up is None else f"{r['base_loss_total'] - up:+.4f}"
        lines.append(f"| {r['discount']} | {r['mean_train_coefficient']:.4f} | {r['final_theta']:+.4f} | "
                     f"{r['base_loss_train']:.4f} | {r['base_loss_deploy']:.4f} | {r['base_loss_total']:.4f} | "
                     f"{gain_down} | {gain_up} | {r['deception_index']:.3f} |")
    io.write_text(HERE / "summary.md", "\n".join(lines) + "\n")
    print("\n".join(lines))
