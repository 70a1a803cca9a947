"""Runner: the stationary equilibrium over discounts and hazards, and the first coefficient of finite
games of growing horizon at one discount -> results.json."""

import json
from pathlib import Path

from mesa_gym import io, solve_equilibrium, stationary_equilibrium

HERE = Path(__file__).parent

if __name__ == "__main__":
    s = json.loads((HERE / "settings.json").read_text())
    stationary = {str(p): [stationary_equilibrium(s["lr"], discount=g, hazard=p) for g in s["discounts"]]
                  for p in s["hazards"]}
    g = s["convergence_discount"]
    finite = [float(solve_equilibrium([s["lr"]] * n, discount=g)[0]) for n in s["horizons"]]
    io.write_json(HERE / "results.json", {"settings": s, "stationary": stationary, "finite_first": finite,
                                          "stationary_at_convergence_discount": stationary_equilibrium(
                                              s["lr"], discount=g)})
