"""The ``kosi-sim`` command line.

Every user error (bad scenario, bad value, existing folder, damaged results) ends with one
line on stderr, exit code 2, no traceback and nothing half-written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import __version__
from .catalog import CATALOG
from .results import ResultsError
from .scenario import ScenarioError, builtin_names, parse_assignment, resolve

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

SUMMARY = (
    ("population", "inhabitants", "{:,.0f}"),
    ("share_65plus", "share 65+", "{:.1%}"),
    ("engaged_share", "engaged (14+)", "{:.1%}"),
    ("willing_inactive_share", "willing but inactive (14+)", "{:.1%}"),
    ("hours_mean", "hours/week of the engaged", "{:.2f}"),
    ("trust_share", "trust in the administration", "{:.1%}"),
    ("associations", "Vereine", "{:,.0f}"),
    ("initiatives_active", "initiatives producing", "{:,.0f}"),
    ("coverage_mean", "service coverage (supply/need)", "{:.3f}"),
    ("coverage_care", "care coverage", "{:.3f}"),
    ("housing_vacancy", "housing vacancy", "{:.1%}"),
    ("premises_vacancy", "premises vacancy", "{:.1%}"),
    ("budget_balance", "budget balance (EUR/month)", "{:,.0f}"),
)


class UsageError(Exception):
    """Bad command-line input; the message is one line."""


def _overrides(items: Sequence[str] | None) -> dict:
    out = {}
    for item in items or ():
        key, value = parse_assignment(item)
        out[key] = value
    return out


def _scenario(args):
    overrides = _overrides(args.set)
    if getattr(args, "seed", None) is not None:
        overrides["seed"] = args.seed
    if getattr(args, "years", None) is not None:
        overrides["years"] = args.years
    if getattr(args, "scale", None) is not None:
        overrides["scale"] = args.scale
    return resolve(args.scenario, overrides)


def _summary_table(model, console: Console, seconds: float) -> None:
    rec = model.recorder
    scale = 1.0 / model.scale
    table = Table(
        title=f"{model.spec.name}: {model.month // 12} years "
        f"({model.month} months, seed {model.seed}) in {seconds:.1f} s"
    )
    table.add_column("indicator (city)")
    table.add_column("start", justify="right")
    table.add_column("end", justify="right")
    from .metrics import SCALED

    for name, label, fmt in SUMMARY:
        series = rec.series(name)
        f = scale if name in SCALED else 1.0
        table.add_row(label, fmt.format(series[0] * f), fmt.format(series[-1] * f))
    console.print(table)


def cmd_run(args) -> int:
    from .model import CityModel
    from .plots import run_plots
    from .results import check_target, write_run

    scn = _scenario(args)
    out = Path(args.out) if args.out else Path("results") / scn.name
    check_target(out, args.force)  # fail before computing anything
    console = Console(stderr=True)
    t0 = time.perf_counter()
    model = CityModel(scn)
    months = scn.years * 12
    big = sum(d.population for d in scn.districts) * scn.scale * months > 3e6
    if big and not args.quiet:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task(f"{scn.name}: months", total=months)
            model.run(months, progress=lambda: progress.advance(task))
    else:
        model.run(months)
    seconds = time.perf_counter() - t0
    title = f"{scn.name} (seed {scn.seed})"
    write_run(
        out,
        model,
        force=args.force,
        extra={"command": " ".join(sys.argv), "wall_time_s": round(seconds, 3)},
        plots=lambda df, folder: run_plots(df, folder, title),
    )
    if not args.quiet:
        _summary_table(model, Console(), seconds)
        print(
            f"results written to {out}/ (metrics.parquet, initiatives.parquet, "
            "associations.parquet, manifest.json, plots/)"
        )
    return 0


def cmd_compare(args) -> int:
    import json

    from .compare import INDICATORS, compare, cost_effectiveness, make_executor
    from .plots import effect_bands
    from .results import atomic_folder, check_target, manifest_base

    scn = _scenario(args)
    if not scn.intervention_specs:
        raise UsageError(f"{args.scenario}: the scenario has no [[interventions]] to evaluate")
    scn.without_interventions(args.without)  # validates the names early
    if args.replications < 2:
        raise UsageError("--replications must be at least 2 for a confidence interval")
    out = Path(args.out) if args.out else Path("results") / f"{scn.name}-compare"
    check_target(out, args.force)
    console = Console(stderr=True)
    executor = make_executor(args.workers)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    t0 = time.perf_counter()
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=args.quiet,
        ) as progress:
            task = progress.add_task("paired replicates", total=args.replications)
            result = compare(
                scn,
                args.replications,
                without=args.without,
                months=args.years * 12 if args.years else None,
                executor=executor,
                progress=lambda: progress.advance(task),
            )
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    seconds = time.perf_counter() - t0
    ce = cost_effectiveness(result)
    names = tuple(n for n, _ in INDICATORS if n != "budget_balance")

    def fill(tmp: Path) -> None:
        result.effects.to_csv(tmp / "effects.csv", index=False)
        result.effects.to_parquet(tmp / "effects.parquet", index=False)
        result.over_time.to_parquet(tmp / "effects_over_time.parquet", index=False)
        (tmp / "plots").mkdir()
        effect_bands(
            result.over_time,
            tmp / "plots" / "effects_over_time.png",
            names,
            f"{scn.name}: effect of the lab, {args.replications} paired replicates",
        )
        doc = manifest_base(
            scn,
            {
                "command": " ".join(sys.argv),
                "replications": args.replications,
                "without": args.without or "all",
                "cost_effectiveness": ce,
                "wall_time_s": round(seconds, 3),
            },
        )
        (tmp / "manifest.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")

    atomic_folder(out, fill, args.force)
    if not args.quiet:
        table = Table(
            title=f"{scn.name}: effect of "
            f"{'the lab' if not args.without else ', '.join(args.without)} "
            f"({args.replications} paired replicates, last 12 months)"
        )
        for col in ("indicator", "without", "with", "effect", "95% CI"):
            table.add_column(col, justify="left" if col == "indicator" else "right")
        for row in result.effects.itertuples():
            table.add_row(
                row.label,
                f"{row.without_lab:,.4g}",
                f"{row.with_lab:,.4g}",
                f"{row.effect:+,.3g}",
                f"[{row.ci95_low:+,.3g}, {row.ci95_high:+,.3g}]",
            )
        Console().print(table)
        for key, value in ce.items():
            shown = "n/a (no gain)" if value is None else f"EUR {value:,.0f}"
            print(f"{key.replace('_', ' ')}: {shown}")
        print(f"results written to {out}/")
    return 0


def _calibration_table(table, title: str) -> Table:
    out = Table(title=title)
    for col in ("target", "value", "tolerance", "simulated", "spread (sd)", "result"):
        out.add_column(col, justify="left" if col == "target" else "right")
    for r in table.itertuples():
        value = "shape" if r.shape_rule else f"{r.value:.4g}"
        tol = "" if r.shape_rule else f"+-{r.tolerance:.3g}"
        out.add_row(
            r.label,
            value,
            tol,
            f"{r.simulated_mean:.4g}",
            f"{r.simulated_sd:.2g}",
            "[green]pass[/green]" if r.passed else "[red]FAIL[/red]",
        )
    return out


def cmd_calibrate(args) -> int:
    import json

    import tomli_w

    from .calibration import FREE, evaluate, fit
    from .plots import calibration_chart
    from .results import atomic_folder, check_target, manifest_base
    from .scenario import describe_overrides, from_dict

    scn = _scenario(args)
    if args.replications < 1 or args.window < 1:
        raise UsageError("--replications and --window must be at least 1")
    out = Path(args.out) if args.out else Path("results") / f"{scn.name}-calibration"
    check_target(out, args.force)
    console = Console()
    fitted_doc = None
    if args.fit:
        console.print(
            f"fitting {', '.join(FREE)} to the targets "
            f"(bounded Nelder-Mead, scipy; at most {args.max_evaluations} evaluations)"
        )

        def report(i: int, value: float, values: dict) -> None:
            shown = ", ".join(f"{k}={v:.3g}" for k, v in values.items())
            console.print(f"  evaluation {i:3d}: loss {value:8.3f}   {shown}")

        best, best_loss, _history = fit(
            scn, args.replications, args.window, args.max_evaluations, report
        )
        scn = scn.with_params(best)
        console.print(f"best loss {best_loss:.3f} with {best}")
        doc = scn.to_dict()
        for sec in list(doc):
            if isinstance(doc[sec], dict) and sec not in ("calibration",):
                keep = {
                    k: v for k, v in doc[sec].items() if f"{sec}.{k}" in describe_overrides(scn)
                }
                doc[sec] = keep
                if not keep:
                    del doc[sec]
        doc["description"] = doc.get("description", "") + " (fitted by kosi-sim calibrate --fit)"
        doc["scale"] = resolve(args.scenario, _overrides(args.set)).scale  # not the fit's scale
        fitted_doc = {k: v for k, v in doc.items() if v not in ({}, [], None)}
        from_dict(fitted_doc, "fitted")  # what we write must validate
    t0 = time.perf_counter()
    table = evaluate(scn, args.replications, args.window)
    seconds = time.perf_counter() - t0

    def fill(tmp: Path) -> None:
        table.to_csv(tmp / "calibration.csv", index=False)
        table.to_parquet(tmp / "calibration.parquet", index=False)
        calibration_chart(
            table,
            tmp / "calibration.png",
            f"{scn.name} (scale {scn.scale:g}, {args.replications} replicates)",
        )
        if fitted_doc is not None:
            (tmp / f"{scn.name}_fitted.toml").write_text(tomli_w.dumps(fitted_doc))
        doc = manifest_base(
            scn,
            {
                "command": " ".join(sys.argv),
                "replications": args.replications,
                "window_months": args.window,
                "all_passed": bool(table["passed"].all()),
                "wall_time_s": round(seconds, 3),
            },
        )
        (tmp / "manifest.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")

    atomic_folder(out, fill, args.force)
    console.print(
        _calibration_table(
            table,
            f"{scn.name}: calibration at scale {scn.scale:g}, {args.replications} "
            f"replicates, first {args.window} months",
        )
    )
    failed = int((~table["passed"]).sum())
    print(
        f"{len(table) - failed} of {len(table)} targets pass; results written to {out}/"
        + (f" (fitted scenario: {out}/{scn.name}_fitted.toml)" if fitted_doc else "")
    )
    return 0 if failed == 0 else 1


def cmd_sweep(args) -> int:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from .experiments.spec import ExperimentError, load
    from .experiments.sweep import run_sweep

    try:
        exp = load(args.experiment)
    except ExperimentError as e:
        raise UsageError(str(e)) from None
    out = Path(args.out) if args.out else Path("results") / exp.name
    if args.resume and not (out / "manifest.json").exists():
        raise UsageError(f"--resume: {out} holds no sweep to resume (no manifest.json)")
    if args.workers is not None and args.workers < 1:
        raise UsageError("--workers must be at least 1")
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
        disable=args.quiet,
    ) as progress:
        task = progress.add_task(f"{exp.name}: runs", total=exp.n_runs, failed=0)

        def on_start(total: int, done: int) -> None:
            progress.update(task, total=total, completed=done)

        def on_result(status: str) -> None:
            counts["ok" if status == "ok" else "failed"] += 1
            progress.update(task, advance=1, failed=counts["failed"])

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


def cmd_analyze(args) -> int:
    from .experiments.analysis import analyze

    root = Path(args.results)
    out = Path(args.out) if args.out else root / "analysis"
    a = analyze(root, out, args.payoff_metric, args.payoff_threshold)
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


def cmd_validate(args) -> int:
    scn = resolve(args.scenario, _overrides(args.set))
    n = sum(d.population for d in scn.districts)
    print(
        f"{args.scenario}: valid scenario {scn.name!r}: {len(scn.districts)} districts, "
        f"{n:,} inhabitants, {scn.years} years, scale {scn.scale:g}, "
        f"{len(scn.interventions)} interventions"
    )
    return 0


def cmd_params(args) -> int:
    from .catalog import markdown_table

    sections = [s for s in CATALOG.sections if not args.section or s.name == args.section]
    if not sections:
        raise UsageError(
            f"unknown section {args.section!r}; valid sections: "
            + ", ".join(s.name for s in CATALOG.sections)
        )
    if args.format == "markdown":
        for sec in sections:
            print(f"### [{sec.name}] {sec.doc}\n\n{markdown_table(sec.name)}\n")
        return 0
    if args.format == "csv":
        import csv

        w = csv.writer(sys.stdout)
        w.writerow(["section", "name", "default", "unit", "min", "max", "meaning", "source"])
        for sec in sections:
            for p in sec.params:
                lo, hi = p.bounds if p.bounds else ("", "")
                w.writerow([sec.name, p.name, p.default, p.unit, lo, hi, p.doc, p.source])
        return 0
    console = Console()
    for sec in sections:
        table = Table(title=f"[{sec.name}] {sec.doc}", title_justify="left")
        table.add_column("name", no_wrap=True)
        for col in ("default", "unit", "range", "source"):
            table.add_column(col, overflow="fold")
        for p in sec.params:
            rng = "" if p.bounds is None else f"{p.bounds[0]:g} .. {p.bounds[1]:g}"
            table.add_row(p.name, str(p.default), p.unit, rng, p.source)
        console.print(table)
    return 0


def cmd_scenarios(args) -> int:
    for name in builtin_names():
        scn = resolve(name)
        print(f"{name:18s} {scn.description}")
    return 0


def cmd_app(args) -> int:
    from .app.server import AppError, serve

    try:
        return serve(args.scenario, lang=args.lang, host=args.host, port=args.port)
    except AppError as e:
        raise UsageError(str(e)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kosi-sim",
        description="Agent-based simulation of how a city's administration, citizens, "
        "associations and businesses co-produce local services as the city ages and shrinks, "
        "and what municipal labs of social innovation change.",
        epilog="Scenario files are TOML; see README.md. 'kosi-sim params' lists every "
        "parameter with its unit, range and source.",
    )
    parser.add_argument("--version", action="version", version=f"kosi-sim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def scenario_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "scenario",
            metavar="SCENARIO",
            help="scenario file (.toml) or built-in name (" + ", ".join(builtin_names()) + ")",
        )
        p.add_argument(
            "--set",
            action="append",
            metavar="KEY=VALUE",
            help="override a parameter (name or section.name) or a top-level "
            "setting (seed, years, scale); repeatable",
        )

    run = sub.add_parser(
        "run",
        help="run one scenario and write a results folder",
        description="Run a scenario month by month and write tidy Parquet "
        "tables, a JSON manifest and plots into a results folder.",
    )
    scenario_args(run)
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    run.add_argument("--years", type=int, help="years to simulate (default: the scenario's)")
    run.add_argument(
        "--scale", type=float, help="simulated citizens per inhabitant, 0 < scale <= 1"
    )
    run.add_argument("--out", metavar="DIR", help="results folder (default results/<name>)")
    run.add_argument("--force", action="store_true", help="replace an existing results folder")
    run.add_argument("--quiet", action="store_true", help="print nothing on success")
    run.set_defaults(func=cmd_run)

    cmp_ = sub.add_parser(
        "compare",
        help="effect of the lab: paired runs with and without it",
        description="Run every replicate with and without the scenario's interventions (or "
        "without the named ones) on common random numbers; report effects with 95% "
        "confidence intervals, cost-effectiveness, tables and plots.",
    )
    scenario_args(cmp_)
    cmp_.add_argument("--replications", type=int, default=10, help="paired replicates (default 10)")
    cmp_.add_argument(
        "--without",
        action="append",
        metavar="NAME",
        help="leave out only this intervention (label or type); repeatable; default: all",
    )
    cmp_.add_argument("--years", type=int, help="years to simulate (default: the scenario's)")
    cmp_.add_argument("--workers", type=int, default=1, help="processes to use (default 1)")
    cmp_.add_argument("--out", metavar="DIR", help="output folder (default results/<name>-compare)")
    cmp_.add_argument("--force", action="store_true", help="replace an existing folder")
    cmp_.add_argument("--quiet", action="store_true", help="print nothing on success")
    cmp_.set_defaults(func=cmd_compare)

    cal = sub.add_parser(
        "calibrate",
        help="check a scenario against public statistics (exit 1 if a target fails)",
        description="Run replicates of a scenario and compare engagement, hours, "
        "willingness, trust, vacancy, births, deaths, life expectancy and Verein density with "
        "their targets. With --fit, first tune the free behavioural parameters to the "
        "targets and write the fitted scenario file.",
    )
    scenario_args(cal)
    cal.add_argument("--replications", type=int, default=3, help="replicates (default 3)")
    cal.add_argument("--scale", type=float, help="simulated citizens per inhabitant")
    cal.add_argument(
        "--window", type=int, default=24, help="months measured from the start (default 24)"
    )
    cal.add_argument("--fit", action="store_true", help="tune the free parameters first")
    cal.add_argument(
        "--max-evaluations",
        type=int,
        default=60,
        help="most objective evaluations of the fit (default 60)",
    )
    cal.add_argument(
        "--out", metavar="DIR", help="output folder (default results/<name>-calibration)"
    )
    cal.add_argument("--force", action="store_true", help="replace an existing folder")
    cal.set_defaults(func=cmd_calibrate)

    sw = sub.add_parser(
        "sweep",
        help="run a batch parameter study from an experiment file",
        description="Run every design point and replicate of an experiment file; each "
        "finished run is saved at once, a failing run is recorded with its traceback, and "
        "an interrupted sweep continues with --resume. On a SLURM cluster start a Dask "
        "scheduler and workers (e.g. with dask-jobqueue) and pass --scheduler.",
    )
    sw.add_argument("experiment", metavar="EXPERIMENT", help="experiment file (.toml)")
    sw.add_argument(
        "--executor",
        choices=("serial", "processes", "dask"),
        help="where runs execute (default: the file's, else processes)",
    )
    sw.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    sw.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://host:8786",
    )
    sw.add_argument("--out", metavar="DIR", help="results folder (default results/<name>)")
    sw.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted sweep: run only what is missing",
    )
    sw.add_argument("--force", action="store_true", help="replace an existing results folder")
    sw.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    sw.set_defaults(func=cmd_sweep)

    an = sub.add_parser(
        "analyze",
        help="figures, sensitivity indices, scenario discovery and a report for a sweep",
        description="Analyse a sweep's results folder: heatmaps over demographic pressure x "
        "civic engagement (with and without the lab, and the difference), trajectories with "
        "bands, Sobol or Morris indices (SALib), PRIM boxes where the lab pays off (EMA "
        "Workbench), an HTML report, and an export for the EMA Workbench.",
    )
    an.add_argument("results", metavar="RESULTS", help="results folder of kosi-sim sweep")
    an.add_argument("--out", metavar="DIR", help="output folder (default RESULTS/analysis)")
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
    an.add_argument("--quiet", action="store_true", help="print nothing on success")
    an.set_defaults(func=cmd_analyze)

    val = sub.add_parser(
        "validate",
        help="check a scenario file",
        description="Validate a scenario file; exit 0 if valid, 2 if not.",
    )
    scenario_args(val)
    val.set_defaults(func=cmd_validate)

    par = sub.add_parser("params", help="list all parameters with units, ranges and sources")
    par.add_argument("--section", help="only this section")
    par.add_argument(
        "--format",
        choices=("table", "markdown", "csv"),
        default="table",
        help="output format (default: a table for the terminal)",
    )
    par.set_defaults(func=cmd_params)

    app = sub.add_parser(
        "app",
        help="open the interactive city in the browser (teaching app)",
        description="Serve the teaching app on this computer (no internet needed): the "
        "city with and without its lab side by side, a district map, charts and the "
        "initiatives. Open the printed address in a browser; Ctrl+C stops it.",
    )
    app.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs="?",
        default="classroom",
        help="scenario file (.toml) or built-in name (default: classroom)",
    )
    app.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    app.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only)",
    )
    app.add_argument("--lang", choices=("en", "de"), default="en", help="language (default en)")
    app.set_defaults(func=cmd_app)

    scs = sub.add_parser("scenarios", help="list the built-in scenarios")
    scs.set_defaults(func=cmd_scenarios)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ScenarioError, ResultsError, UsageError) as e:
        print(f"kosi-sim: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("kosi-sim: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
