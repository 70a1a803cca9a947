"""Solver speed, side by side in one run: the exact and grid solvers against the seed's method.

    python benchmarks/bench_solvers.py [--sizes 25 50 100] [--exact-sizes 1000 10000 100000 1000000]

Prints a Markdown table of median seconds and speed-up ratios (ratios travel between machines better
than seconds do), and writes benchmarks/results/solvers.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from seed_method import plan_for

from mesa_gym import io, solve_equilibrium, step_schedule


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


SEED_CODE = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "seed_code.py"


def time_seed_code(experiment: str) -> tuple[float, list[float]] | None:
    """Run the write-up's own code (../shared/seed, when present) in a subprocess: its seconds and plan."""
    if not SEED_CODE.exists():
        return None
    done = subprocess.run([sys.executable, str(SEED_CODE), experiment], capture_output=True, text=True,
                          check=True, env={"MPLBACKEND": "Agg", "PATH": ""})
    result = json.loads(done.stdout)
    return result["seconds"], result["plan"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100])
    parser.add_argument("--exact-sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "solvers.json"))
    args = parser.parse_args()

    rows = []
    print("| N | seed method (s) | grid (s) | exact (s) | grid speed-up | exact speed-up | same plan as grid |")
    print("|---|---|---|---|---|---|---|")
    for n in args.sizes:
        rates = step_schedule(n // 5, n).tolist()  # the seed's shape: 20% training, then deployment
        start = time.perf_counter()
        seed_plan = plan_for(rates)
        seed_s = time.perf_counter() - start
        grid_s = median_seconds(lambda r=rates: solve_equilibrium(r, method="grid"), 5)
        exact_s = median_seconds(lambda r=rates: solve_equilibrium(r), 20)
        same = bool(np.array_equal(solve_equilibrium(rates, method="grid"), seed_plan))
        rows.append({"n": n, "seed_s": seed_s, "grid_s": grid_s, "exact_s": exact_s, "same_plan": same,
                     "grid_speedup": seed_s / grid_s, "exact_speedup": seed_s / exact_s})
        print(f"| {n} | {seed_s:.3g} | {grid_s:.3g} | {exact_s:.3g} | {seed_s / grid_s:,.0f}× "
              f"| {seed_s / exact_s:,.0f}× | {same} |", flush=True)

    print("\n| N (exact, lr 1 throughout) | seconds |\n|---|---|")
    exact_rows = []
    for n in args.exact_sizes:
        seconds = median_seconds(lambda n=n: solve_equilibrium(np.ones(n)), 3)
        exact_rows.append({"n": n, "exact_s": seconds})
        print(f"| {n:,} | {seconds:.3g} |", flush=True)

    print("\n| the seed's own code (N = 100) | its seconds | grid speed-up | exact speed-up | same plan as grid |")
    print("|---|---|---|---|---|")
    seed_code_rows = []
    for experiment, name in (("1", "seed-exp1"), ("2", "seed-exp2")):
        timed = time_seed_code(experiment)
        if timed is None:
            print(f"| {name} | not run: {SEED_CODE} is absent | | | |")
            continue
        seconds, plan = timed
        grid_s = median_seconds(lambda n=name: solve_equilibrium(n, method="grid"), 5)
        exact_s = median_seconds(lambda n=name: solve_equilibrium(n), 20)
        same = bool(np.array_equal(solve_equilibrium(name, method="grid"), plan))
        seed_code_rows.append({"schedule": name, "seed_code_s": seconds, "grid_s": grid_s, "exact_s": exact_s,
                               "grid_speedup": seconds / grid_s, "exact_speedup": seconds / exact_s,
                               "same_plan": same})
        print(f"| {name} | {seconds:.3g} | {seconds / grid_s:,.0f}× | {seconds / exact_s:,.0f}× | {same} |",
              flush=True)
    io.write_json(args.out, {"python": platform.python_version(), "machine": platform.machine(),
                             "seed_vs_solvers": rows, "exact_scaling": exact_rows, "seed_code": seed_code_rows})


if __name__ == "__main__":
    main()
