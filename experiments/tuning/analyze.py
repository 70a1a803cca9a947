"""Analysis: final exploitability and coefficient RMSE per algorithm and learning rate (summary.md)."""

import csv
import json
from pathlib import Path

from mesa_gym import io

HERE = Path(__file__).parent

if __name__ == "__main__":
    with open(HERE / "results.csv") as handle:
        rows = list(csv.DictReader(handle))
    lines = ["| algo | learning rate | coef RMSE | exploitability (% of agent 0's objective) | chosen |",
             "|---|---|---|---|---|"]
    for algo in dict.fromkeys(r["algo"] for r in rows):
        mine = sorted((r for r in rows if r["algo"] == algo), key=lambda r: float(r["exploitability"]))
        for r in sorted(mine, key=lambda r: r["overrides"]):
            rate = json.loads(r["overrides"])["learning_rate"]
            lines.append(f"| {algo} | {rate} | {float(r['coef_rmse']):.4f} | "
                         f"{100 * float(r['exploitability_rel']):.3g}% | {'✓' if r is mine[0] else ''} |")
    io.write_text(HERE / "summary.md", "\n".join(lines) + "\n")
    print("\n".join(lines))
