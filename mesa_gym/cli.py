"""The ``mesa-gym`` command: reproduce the seed, solve schedules, and (later) train and evaluate."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _schedule_arg(text: str):
    """Comma-separated learning rates if they parse as numbers, else a name (preset, "random-step",
    "infinite") that the library validates, so a bad name gets its "unknown schedule preset" error."""
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        return text


def cmd_reproduce(args: argparse.Namespace) -> int:
    from mesa_gym import reproduce

    out = Path(args.out)
    reproduce.write_results(out)
    figures = reproduce.make_figures(out)
    print(reproduce.summary(out))
    print(f"\nwrote {out / reproduce.RESULTS_FILE} and {', '.join(str(f) for f in figures)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from mesa_gym.demo import run_demo

    run_demo(args.out, timesteps=args.timesteps, seed=args.seed)
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


def cmd_train(args: argparse.Namespace) -> int:
    from agents.training import train

    env_kwargs = {key: getattr(args, key) for key in ("reward_scale", "discount", "regularization", "lr", "hazard")
                  if getattr(args, key) is not None}
    result = train(args.algo, args.out, schedule=args.schedule, timesteps=args.timesteps, seed=args.seed,
                   continuation=args.continuation, n_envs=args.n_envs, eval_freq=args.eval_freq,
                   refresh_every=args.refresh_every, tensorboard=args.tensorboard,
                   progress_bar=not args.no_progress, hyperparams=args.hyperparams, env_kwargs=env_kwargs)
    print(f"trained {args.algo} for {result['timesteps']} steps in {result['train_seconds']:.0f} s "
          f"({result['steps_per_second']:.0f} steps/s); wrote {args.out}/model.zip")
    for name, r in result["evaluations"].items():
        print(f"  {name}: coef RMSE {r['coef_rmse']:.4g}, max error {r['coef_max_error']:.4g}, "
              f"exploitability {r['exploitability']:.4g} ({_percent(r['exploitability_rel'])} of agent 0's objective)")
    return 0


def _percent(value) -> str:
    return "n/a" if value is None else f"{100 * value:.3g}%"


def cmd_evaluate(args: argparse.Namespace) -> int:
    from agents.training import evaluate

    result = evaluate(args.model, schedule=args.schedule, theta0=args.theta0)
    if args.json:
        print(json.dumps(result))
        return 0
    keys = ("coef_rmse", "coef_max_error", "exploitability", "exploitability_rel", "agent0_objective_ratio",
            "deception_index", "oracle_deception_index", "base_loss_train", "oracle_base_loss_train",
            "base_loss_deploy", "oracle_base_loss_deploy")
    print(f"{result['algo']} on {result['schedule']} from θ0 = {result['theta0']}")
    for key in keys:
        value = result.get(key)
        print(f"  {key:<24} {'n/a' if value is None else f'{value:.6g}'}")
    with np.printoptions(precision=4, suppress=True, linewidth=100):
        print("  coefficients  ", np.array(result["coefficients"]))
        print("  oracle        ", np.array(result.get("oracle_coefficients", result.get("oracle_coefficient"))))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from agents.sweep import jobs_from_settings, run_sweep

    settings = json.loads(Path(args.settings).read_text())
    jobs = jobs_from_settings(settings)
    rows = run_sweep(jobs, args.out, backend=args.backend, workers=args.workers, progress=not args.no_progress)
    print(f"{len(jobs)} runs in {args.out}/runs; {len(rows)} result rows in {args.out}/results.csv")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mesa-gym", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="the main job: reproduce the seed, train PPO, compare it with the oracle")
    demo.add_argument("--out", default="runs/demo", help="output directory (default: runs/demo)")
    demo.add_argument("--timesteps", type=int, default=100_000, help="PPO's env steps (default: 100000)")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=cmd_demo)

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

    from agents.training import algorithms

    train = sub.add_parser("train", help="train an SB3 learner on the env and measure it against the oracle")
    train.add_argument("algo", choices=sorted(algorithms()))
    train.add_argument("--schedule", type=_schedule_arg, default="seed-exp1",
                       help="preset, 'random-step', 'infinite' (the infinite game), or comma-separated learning "
                            "rates (default: seed-exp1)")
    train.add_argument("--timesteps", type=int, help="env steps (default: the hyperparameter file's n_timesteps)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--continuation", choices=("oracle", "self"), default="oracle",
                       help="who plays later agents: the exact equilibrium, or a snapshot of the learner")
    train.add_argument("--out", required=True, help="run directory (model.zip, config.json, logs, result.json)")
    train.add_argument("--n-envs", type=int, help="parallel envs (default: the hyperparameter file's)")
    train.add_argument("--eval-freq", type=int, help="env steps between oracle evaluations (default: 1/20 of the run)")
    train.add_argument("--refresh-every", type=int, default=2048, help="self-play snapshot refresh, in env steps")
    train.add_argument("--reward-scale", choices=("raw", "theta", "theta-episodes"), help="env reward scale")
    train.add_argument("--discount", type=float, help="γ of the mesa objective (default 1; < 1 for 'infinite')")
    train.add_argument("--regularization", type=float, help="λ: base objective y² + λθ² (default 0)")
    train.add_argument("--lr", type=float, help="learning rate of the infinite game (with --schedule infinite)")
    train.add_argument("--hazard", type=float, help="deployment hazard of the infinite game (default 0)")
    train.add_argument("--hyperparams", help="rl-zoo3-format YAML (default: agents/hyperparams/ALGO.yml)")
    train.add_argument("--tensorboard", action="store_true", help="also log to OUT/tb")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    train.set_defaults(func=cmd_train)

    evaluate = sub.add_parser("evaluate", help="play a trained model through a schedule and compare with the oracle")
    evaluate.add_argument("model", help="model.zip (or its run directory)")
    evaluate.add_argument("--schedule", type=_schedule_arg, help="default: the training schedule")
    evaluate.add_argument("--theta0", type=float, help="default: 0.8")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(func=cmd_evaluate)

    sweep = sub.add_parser("sweep", help="run (or resume) a sweep of training runs from a settings JSON")
    sweep.add_argument("settings", help="JSON with algos {name: {timesteps, ...}}, schedules, continuations, seeds")
    sweep.add_argument("--out", required=True, help="sweep root: runs/<run id>/ and results.csv")
    sweep.add_argument("--backend", choices=("local", "ray"), default="local",
                       help="local processes, or the Ray cluster at RAY_ADDRESS (default: local)")
    sweep.add_argument("--workers", type=int, default=2, help="local worker processes (default: 2)")
    sweep.add_argument("--no-progress", action="store_true")
    sweep.set_defaults(func=cmd_sweep)
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
