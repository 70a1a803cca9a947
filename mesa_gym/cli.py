"""The ``mesa-gym`` command: reproduce the seed, solve schedules, and (later) train and evaluate."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _schedule_arg(text: str):
    """A preset name, or comma-separated learning rates (validated by the solver)."""
    from mesa_gym.schedules import PRESETS

    if text in PRESETS or not any(ch.isdigit() for ch in text):
        return text
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"schedule must be a preset name or comma-separated numbers: {text!r}") from None


def cmd_reproduce(args: argparse.Namespace) -> int:
    from mesa_gym import reproduce

    out = Path(args.out)
    reproduce.write_results(out)
    figures = reproduce.make_figures(out)
    print(reproduce.summary(out))
    print(f"\nwrote {out / reproduce.RESULTS_FILE} and {', '.join(str(f) for f in figures)}")
    return 0


def cmd_solve(args: argparse.Namespace) -> int:
    from mesa_gym.equilibrium import exploitability, rollout, solve_equilibrium

    kwargs = {"discount": args.discount, "regularization": args.regularization,
              "coefficient_bound": args.coefficient_bound}
    coefficients = solve_equilibrium(args.schedule, method=args.method, **kwargs)
    thetas = rollout(coefficients, args.schedule, args.theta0, regularization=args.regularization)
    result = {"coefficients": coefficients.tolist(), "thetas": thetas.tolist(),
              "exploitability": exploitability(args.schedule, coefficients, **kwargs)}
    if args.json:
        print(json.dumps(result))
    else:
        with np.printoptions(precision=5, suppress=True, linewidth=100):
            print("coefficients:", coefficients)
            print("thetas:", thetas)
        print("exploitability:", result["exploitability"])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mesa-gym", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="the main job: reproduce the seed's experiments")
    demo.add_argument("--out", default="runs/demo", help="output directory (default: runs/demo)")
    demo.set_defaults(func=cmd_reproduce)

    rep = sub.add_parser("reproduce", help="reproduce the write-up's two experiments (JSON + figures)")
    rep.add_argument("--out", required=True, help="output directory")
    rep.set_defaults(func=cmd_reproduce)

    solve = sub.add_parser("solve", help="print the equilibrium of a schedule")
    solve.add_argument("--schedule", type=_schedule_arg, default="seed-exp1",
                       help="preset name or comma-separated learning rates (default: seed-exp1)")
    solve.add_argument("--method", choices=("exact", "grid"), default="exact")
    solve.add_argument("--theta0", type=float, default=0.8)
    solve.add_argument("--discount", type=float, default=1.0)
    solve.add_argument("--regularization", type=float, default=0.0)
    solve.add_argument("--coefficient-bound", type=float, default=2.0)
    solve.add_argument("--json", action="store_true", help="print one JSON object")
    solve.set_defaults(func=cmd_solve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; bad values exit 2 with the error's message."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as error:
        parser.exit(2, f"mesa-gym: error: {error}\n")


if __name__ == "__main__":
    sys.exit(main())
