"""``kosi-sim calibrate``: a scenario against public statistics, optionally fitted first."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from ..scenario import MAX_YEARS, resolve
from . import calibrate_posterior
from .common import (
    UsageError,
    _overrides,
    _scenario,
    add_force,
    add_out,
    add_scenario_args,
    check_option,
    check_window,
    output_folder,
)


def register(subparsers) -> None:
    cal = subparsers.add_parser(
        "calibrate",
        help="check a scenario against public statistics (exit 1 if a target fails)",
        description="Run replicates of a scenario and compare engagement, hours, "
        "willingness, trust, vacancy, births, deaths, life expectancy and Verein density with "
        "their targets over the first months, then go on over the scenario's whole period "
        "and check the long-run patterns (vacancy in [0, 1], housing shortage, district age "
        "differences, deficit and initiatives in their bands). With --fit, first tune the "
        "free behavioural parameters to the targets and write the fitted scenario file.",
    )
    add_scenario_args(cal)
    cal.add_argument("--replications", type=int, default=3, help="replicates (default 3)")
    cal.add_argument("--scale", type=float, help="simulated citizens per inhabitant")
    cal.add_argument(
        "--window",
        type=int,
        default=24,
        help=f"months measured from the start, at most {MAX_YEARS * 12} (default 24)",
    )
    cal.add_argument(
        "--no-long-run",
        dest="long_run",
        action="store_false",
        help="stop after the window: skip the long-run checks over the whole period",
    )
    cal.add_argument("--fit", action="store_true", help="tune the free parameters first")
    cal.add_argument(
        "--instruments",
        action="store_true",
        help="instead of the city targets, run each lab instrument alone in the scenario's "
        "city (whole years covering --window) and check what it achieves against published "
        "figures (kosi_sim/data/instrument_targets.csv); default folder "
        "results/<name>-instruments",
    )
    cal.add_argument(
        "--max-evaluations",
        type=int,
        default=60,
        help="most objective evaluations of the fit (default 60)",
    )
    calibrate_posterior.add_arguments(cal)
    add_out(
        cal,
        "output folder (default results/<name>-calibration; with --posterior "
        "results/<name>-posterior)",
    )
    add_force(cal)
    cal.set_defaults(func=cmd_calibrate)


def target_table(table, title: str, simulated: tuple[str, ...], cells) -> Table:
    """A table of targets: label, value, tolerance, the ``simulated`` columns (their
    cells from ``cells(row)``) and pass/FAIL."""
    out = Table(title=title)
    for col in ("target", "value", "tolerance", *simulated, "result"):
        out.add_column(col, justify="left" if col == "target" else "right")
    for r in table.itertuples():
        value = "shape" if r.shape_rule else f"{r.value:.4g}"
        tol = "" if r.shape_rule else f"+-{r.tolerance:.3g}"
        result = "[green]pass[/green]" if r.passed else "[red]FAIL[/red]"
        out.add_row(r.label, value, tol, *cells(r), result)
    return out


def _calibration_table(table, title: str) -> Table:
    return target_table(
        table,
        title,
        ("simulated", "spread (sd)"),
        lambda r: (f"{r.simulated_mean:.4g}", f"{r.simulated_sd:.2g}"),
    )


def cmd_calibrate(args) -> int:
    from ..calibration import evaluate
    from ..outdir import RESULT, claim

    if args.posterior and args.instruments:
        raise UsageError(
            "--posterior and --instruments are different calibrations; give one of them"
        )
    if args.posterior:
        return calibrate_posterior.cmd_posterior(args)
    if args.resume:
        raise UsageError("--resume continues a calibration with --posterior; add --posterior")
    check_option("--replications", args.replications, 1)
    check_option("--window", args.window, 1, MAX_YEARS * 12)  # the longest run a scenario has
    if args.fit:
        check_option("--max-evaluations", args.max_evaluations, 1)
    scn = _scenario(args)
    if args.instruments:
        from .calibrate_instruments import cmd_instruments

        return cmd_instruments(args, scn)
    check_window(args, scn)
    with claim(output_folder(args.out, scn.name, "-calibration"), RESULT, args.force) as target:
        fitted_doc = None
        if args.fit:
            scn, fitted_doc = _fit(scn, args)
        t0 = time.perf_counter()
        months = scn.years * 12 if args.long_run else None
        table = evaluate(scn, args.replications, args.window, months=months)
        long_run = table.attrs.pop("long_run", None)
        seconds = time.perf_counter() - t0
        target.commit(_calibration_filler(scn, args, table, long_run, fitted_doc, seconds))
    out = target.label
    console = Console()
    console.print(
        _calibration_table(
            table,
            f"{scn.name}: calibration at scale {scn.scale:g}, {args.replications} "
            f"replicates, first {args.window} months",
        )
    )
    failed = int((~table["passed"]).sum())
    summary = f"{len(table) - failed} of {len(table)} targets pass"
    if long_run is not None:
        console.print(
            _long_run_table(long_run, f"long-run checks over {scn.years} years, every replicate")
        )
        broken = int((~long_run["passed"]).sum())
        failed += broken
        summary += f"; {len(long_run) - broken} of {len(long_run)} long-run checks pass"
    print(
        f"{summary}; results written to {out}/"
        + (f" (fitted scenario: {out}/{scn.name}_fitted.toml)" if fitted_doc else "")
    )
    return 0 if failed == 0 else 1


def _long_run_table(table, title: str) -> Table:
    out = Table(title=title)
    for col in ("check", "band", "simulated (mean)", "range over replicates", "result"):
        out.add_column(col, justify="left" if col == "check" else "right")
    for r in table.itertuples():
        band = f"{r.low:.3g} to {r.high:.3g}" if np.isfinite(r.high) else f">= {r.low:.3g}"
        if not r.applies:
            out.add_row(r.label, band, "", "", "does not apply")
            continue
        out.add_row(
            r.label,
            band,
            f"{r.simulated_mean:.3g}",
            f"{r.simulated_min:.3g} to {r.simulated_max:.3g}",
            "[green]pass[/green]" if r.passed else "[red]FAIL[/red]",
        )
    return out


def _fit(scn, args):
    """Tune the free parameters; the fitted scenario and the document to write for it."""
    from ..calibration import FREE, fit
    from ..scenario import describe_overrides, from_dict

    console = Console()
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
            keep = {k: v for k, v in doc[sec].items() if f"{sec}.{k}" in describe_overrides(scn)}
            doc[sec] = keep
            if not keep:
                del doc[sec]
    doc["description"] = doc.get("description", "") + " (fitted by kosi-sim calibrate --fit)"
    doc["scale"] = resolve(args.scenario, *_overrides(args.set)).scale  # not the fit's scale
    fitted_doc = {k: v for k, v in doc.items() if v not in ({}, [], None)}
    from_dict(fitted_doc, "fitted")  # what we write must validate
    return scn, fitted_doc


def _calibration_filler(scn, args, table, long_run, fitted_doc, seconds):
    """What fills the calibration folder: the table, its chart, the fitted scenario, the
    manifest."""
    import json

    import tomli_w

    from ..plots import calibration_chart
    from ..results import manifest_base

    def fill(tmp: Path) -> None:
        table.to_csv(tmp / "calibration.csv", index=False)
        table.to_parquet(tmp / "calibration.parquet", index=False)
        if long_run is not None:
            long_run.to_csv(tmp / "long_run.csv", index=False)
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
                "all_passed": bool(table["passed"].all())
                and (long_run is None or bool(long_run["passed"].all())),
                "long_run_months": scn.years * 12 if long_run is not None else None,
                "wall_time_s": round(seconds, 3),
            },
        )
        (tmp / "manifest.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")

    return fill
