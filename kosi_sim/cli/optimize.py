"""``kosi-sim optimize``: search for robust lab designs (many objectives, many futures)."""

from __future__ import annotations

import sys
import time

from rich.console import Console

from .common import (
    EXIT_INTERRUPTED,
    UsageError,
    add_executor,
    add_force,
    add_out,
    add_quiet,
    check_executor,
    check_option,
    output_folder,
    transient_progress,
)

ALGORITHMS = ("nsga2", "nsga3", "eps-nsga2")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "optimize",
        help="search for robust lab designs across many futures (pymoo; regret, satisficing)",
        description="Search the lab designs of a problem file (budget, staff, instruments, "
        "target districts, start year) for the Pareto set of robust designs: every design "
        "meets the same futures (drivers x parameter draws x replicates, common random "
        "numbers). Checkpoints every generation; --resume continues after a crash. "
        "Analyse the folder with kosi-sim analyze.",
    )
    p.add_argument("problem", metavar="PROBLEM", help="problem file (.toml)")
    p.add_argument("--algorithm", choices=ALGORITHMS, help="search algorithm (default: the file's)")
    p.add_argument("--evaluations", type=int, help="designs to evaluate (default: the file's)")
    add_executor(p)
    p.add_argument(
        "--resume", action="store_true", help="continue from the last complete generation"
    )
    add_out(p, "output folder (default results/<name>)")
    add_force(p, "replace an existing optimisation folder")
    add_quiet(p, "no progress bar or summary")
    p.set_defaults(func=cmd_optimize)


def cmd_optimize(args) -> int:
    from ..optimize.problem import ProblemError, load
    from ..optimize.search import SearchError
    from ..optimize.study import optimize

    check_executor(args)
    if args.evaluations is not None:
        check_option("--evaluations", args.evaluations, 1)
    try:
        problem = load(args.problem)
    except ProblemError as e:
        raise UsageError(str(e)) from None
    out = output_folder(args.out, problem.name)
    console = Console(stderr=True)
    t0 = time.perf_counter()
    with transient_progress(console, disable=args.quiet) as progress:
        task = progress.add_task(f"{problem.name}: runs", total=None)

        def on_generation(state) -> None:
            progress.update(
                task,
                description=f"{problem.name}: generation {state.generations}, "
                f"{state.evaluations} designs",
            )

        try:
            s = optimize(
                problem,
                out,
                args.algorithm,
                args.evaluations,
                args.executor,
                args.workers,
                args.scheduler,
                args.resume,
                args.force,
                on_run=lambda: progress.advance(task),
                on_generation=on_generation,
            )
        except KeyboardInterrupt:
            print(
                f"kosi-sim: interrupted; the last complete generation is saved in {out}/; continue "
                f"with: kosi-sim optimize {args.problem} --out {out} --resume",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        except SearchError as e:
            raise UsageError(str(e)) from None
    minutes = (time.perf_counter() - t0) / 60
    if not args.quiet:
        done = s.evaluations - s.resumed_from
        print(
            f"{problem.name}: {s.evaluations} designs in {s.generations} generations "
            f"({done} now, {s.runs} runs in {minutes:.1f} min: {done / max(minutes, 1e-9):.1f} "
            f"designs per minute); {s.pareto} in the result; folder {out}/ "
            "(pareto.parquet, designs.parquet, outcomes.parquet, convergence.parquet)"
        )
    return 0
