"""Analysis: how the equilibrium responds to a regularizer λθ² on the base objective (figure + table)."""

import json
from pathlib import Path

from mesa_gym import io
from mesa_gym.responses import response_figure

HERE = Path(__file__).parent

if __name__ == "__main__":
    data = json.loads((HERE / "results.json").read_text())
    rows = data["rows"]
    response_figure(rows, "regularization", HERE / "regularizer.png",
                    "Regularizer λθ² on the base objective (seed-exp1, exact equilibrium)", log_x=True)
    lines = ["| λ | mean training coefficient | final θ | agent 0's objective | base loss train | "
             "base loss deploy | deception index |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['regularization']} | {r['mean_train_coefficient']:.4f} | {r['final_theta']:+.4f} | "
                     f"{r['agent0_objective']:.4f} | {r['base_loss_train']:.4f} | {r['base_loss_deploy']:.4f} | "
                     f"{r['deception_index']:.3f} |")
    io.write_text(HERE / "summary.md", "\n".join(lines) + "\n")
    print("\n".join(lines))
