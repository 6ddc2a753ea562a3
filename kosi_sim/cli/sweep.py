"""``kosi-sim sweep`` (a batch parameter study) and ``kosi-sim analyze`` (its results)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from rich.console import Console

from ..outdir import WriteError
from .common import (
    EXIT_INTERRUPTED,
    UsageError,
    add_executor_args,
    add_force,
    add_out,
    add_quiet,
    check_option,
    output_folder,
)


def register(subparsers) -> None:
    sw = subparsers.add_parser(
        "sweep",
        help="run a batch parameter study from an experiment file",
        description="Run every design point and replicate of an experiment file; each "
        "finished run is saved at once, a failing run is recorded with its traceback, and "
        "an interrupted sweep continues with --resume. On a SLURM cluster start a Dask "
        "scheduler and workers (e.g. with dask-jobqueue) and pass --scheduler.",
    )
    sw.add_argument("experiment", metavar="EXPERIMENT", help="experiment file (.toml)")
    add_executor_args(sw, None, "where runs execute (default: the file's, else processes)")
    add_out(sw, "results folder (default results/<name>)")
    sw.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted sweep: run only what is missing",
    )
    add_force(sw, "replace an existing sweep folder")
    sw.add_argument(
        "--dry-run",
        action="store_true",
        help="check the experiment file and say what would run (points, runs, months, "
        "folder); run and write nothing",
    )
    add_quiet(sw, "no progress bar or summary")
    sw.set_defaults(func=cmd_sweep)

    an = subparsers.add_parser(
        "analyze",
        help="figures, sensitivity indices, scenario discovery and a report for a sweep",
        description="Analyse a sweep's results folder: heatmaps over demographic pressure x "
        "civic engagement (with and without the lab, and the difference), trajectories with "
        "bands, Sobol or Morris indices (SALib), PRIM boxes where the lab pays off (EMA "
        "Workbench), an HTML report, and an export for the EMA Workbench.",
    )
    an.add_argument("results", metavar="RESULTS", help="results folder of kosi-sim sweep")
    add_out(an, "output folder (default RESULTS/analysis)")
    an.add_argument(
        "--payoff-metric",
        default="coverage_mean",
        help="outcome whose paired lab effect defines 'pays off' (default coverage_mean)",
    )
    an.add_argument(
        "--payoff-threshold",
        type=float,
        default=0.02,
        help="effect from which the lab pays off (default 0.02)",
    )
    add_quiet(an)
    an.set_defaults(func=cmd_analyze)


def cmd_sweep(args) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from ..experiments.spec import ExperimentError, load
    from ..experiments.sweep import run_sweep

    if args.workers is not None:
        check_option("--workers", args.workers, 1)
    if args.scheduler:
        check_scheduler(args.scheduler)
    try:
        exp = load(args.experiment)
    except ExperimentError as e:
        raise UsageError(str(e)) from None
    out = output_folder(args.out, exp.name)
    if args.resume and not (out / "manifest.json").exists():
        raise UsageError(f"--resume: {out} holds no sweep to resume (no manifest.json)")
    if args.dry_run:
        print(
            f"{args.experiment}: valid experiment {exp.name!r}: {len(exp.points):,} design "
            f"points x {exp.replications} replicates = {exp.n_runs:,} runs of "
            f"{exp.months} months of {exp.scenario.name!r}; results would go to {out}/"
        )
        return 0
    console = Console(stderr=True)
    counts = {"ok": 0, "failed": 0}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,  # the summary line below says what was done
        disable=args.quiet,
    ) as progress:
        task = progress.add_task(f"{exp.name}: runs", total=exp.n_runs, failed=0)

        def on_start(total: int, done: int) -> None:
            progress.update(task, total=total, completed=done)

        def on_result(status: str) -> None:
            counts["ok" if status == "ok" else "failed"] += 1
            progress.update(task, advance=1, failed=counts["failed"])

        try:
            summary = run_sweep(
                exp,
                out,
                executor=args.executor,
                workers=args.workers,
                scheduler=args.scheduler,
                resume=args.resume,
                force=args.force,
                on_result=on_result,
                on_start=on_start,
            )
        except WriteError as e:
            raise WriteError(f"{e}; {_saved(exp, out, args.experiment)}") from None
    done = summary.done_before + summary.ok + summary.failed
    if summary.interrupted:
        print(
            f"kosi-sim: interrupted; {done} of {summary.total} runs are saved in {out}/; "
            f"continue with: kosi-sim sweep {args.experiment} --out {out} --resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if not args.quiet:
        print(
            f"{exp.name}: {summary.ok} runs done, {summary.failed} failed, "
            f"{summary.done_before} done before; results in {out}/ "
            f"(runs.parquet, metrics/, manifest.json)"
        )
    return 0


def _saved(exp, out: Path, experiment: str) -> str:
    """What a failed sweep left: the runs kept and how to continue, or that nothing is kept."""
    from ..experiments.store import Store

    if not (out / "manifest.json").is_file():
        return "nothing was kept"
    done = len(Store(out).done())
    return (
        f"{done} of {exp.n_runs} runs are saved in {out}/; once it can be written, continue "
        f"with: kosi-sim sweep {experiment} --out {out} --resume"
    )


def check_scheduler(address: str, timeout: float = 5.0) -> None:
    """UsageError unless something listens at a TCP scheduler address (``tcp://host:port``
    or ``host:port``; other protocols are left to Dask)."""
    from urllib.parse import urlsplit

    example = "e.g. tcp://host:8786"
    url = urlsplit(address if "://" in address else f"tcp://{address}")
    if url.scheme not in ("tcp", "tls"):
        return
    try:
        host, port = url.hostname, url.port
    except ValueError:
        host = port = None
    if not host or port is None:
        raise UsageError(
            f"--scheduler {address} is not a scheduler address; allowed: host and port, {example}"
        )
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as e:
        raise UsageError(
            f"--scheduler {address}: no scheduler answers there ({e.strerror or 'no answer'}); "
            f"start one (dask scheduler) or give the address of a running one, {example}"
        ) from None


def cmd_analyze(args) -> int:
    from ..experiments.analysis import analyze

    root = Path(args.results)
    out = Path(args.out) if args.out else root / "analysis"
    a = analyze(root, out, args.payoff_metric, args.payoff_threshold)
    for warning in a.warnings:
        print(f"kosi-sim: warning: {warning}", file=sys.stderr)
    if not args.quiet:
        print(
            f"{a.manifest['experiment']}: {len(a.outcomes)} successful runs analysed; "
            f"report: {out / 'report.html'}"
        )
        for note in a.notes:
            print(f"  - {note}")
        print(
            f"  figures: {', '.join(a.figures)}; tables: "
            f"{', '.join(f'{n}.csv' for n in a.tables)}; EMA Workbench export: "
            "ema_results.tar.gz"
        )
    return 0
