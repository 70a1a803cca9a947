"""Analysis: PPO against the oracle on each next step (summary.md)."""

import csv
import json
import statistics
from pathlib import Path

from mesa_gym import io

HERE = Path(__file__).parent

if __name__ == "__main__":
    s = json.loads((HERE / "settings.json").read_text())
    with open(HERE / "results.csv") as handle:
        rows = list(csv.DictReader(handle))
    lines = [f"| setting | {s['algo']} steps | coef RMSE | coef max error | exploitability (% of agent 0's) |",
             "|---|---|---|---|---|"]
    for setting in s["settings"]:
        key = json.dumps(setting["env_kwargs"], sort_keys=True)
        mine = [r for r in rows if r["env_kwargs"] == key and r["schedule"] == setting["schedule"]]
        if not mine:
            continue

        def stat(name, scale=1.0, rows=mine):
            values = [scale * float(r[name]) for r in rows]
            return f"{statistics.mean(values):.3g} ± {statistics.stdev(values) if len(values) > 1 else 0:.2g}"

        lines.append(f"| {setting['name']} | {s['timesteps']} | {stat('coef_rmse')} | {stat('coef_max_error')} | "
                     f"{stat('exploitability_rel', 100)}% |")
    io.write_text(HERE / "summary.md", "\n".join(lines) + "\n")
    print("\n".join(lines))
