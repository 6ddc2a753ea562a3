"""``kosi-sim compare``: the effect of the lab from paired runs with and without it."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..catalog import illustrative_text
from ..compare import UNCLEAR, indicator_formats
from .common import (
    UsageError,
    _scenario,
    add_force,
    add_out,
    add_quiet,
    add_scenario_args,
    add_years,
    check_option,
    output_folder,
    transient_progress,
)


def register(subparsers) -> None:
    cmp_ = subparsers.add_parser(
        "compare",
        help="effect of the lab: paired runs with and without it",
        description="Run every replicate with and without the scenario's interventions (or "
        "without the named ones) on common random numbers; report effects with 95% "
        "confidence intervals, cost-effectiveness, tables and plots.",
    )
    add_scenario_args(cmp_)
    cmp_.add_argument("--replications", type=int, default=10, help="paired replicates (default 10)")
    cmp_.add_argument(
        "--without",
        action="append",
        metavar="NAME",
        help="leave out only this intervention (label or type); repeatable; default: all",
    )
    cmp_.add_argument(
        "--uncertainty",
        choices=("none", "prior", "posterior"),
        default="none",
        help="none (default): chance only; prior: also parameter draws from the evidence "
        "register's priors; posterior: also draws from a posterior file",
    )
    cmp_.add_argument(
        "--draws",
        type=int,
        metavar="K",
        help="parameter draws with --uncertainty prior|posterior (default 8), each run "
        "--replications times",
    )
    cmp_.add_argument(
        "--posterior",
        metavar="FILE",
        help="posterior file (.parquet from calibrate --posterior) for --uncertainty posterior",
    )
    cmp_.add_argument(
        "--design",
        metavar="FOLDER:ID",
        help="add the lab design ID of an optimisation folder (kosi-sim optimize) to the "
        "scenario and evaluate it",
    )
    add_years(cmp_)
    cmp_.add_argument("--workers", type=int, default=1, help="processes to use (default 1)")
    add_out(cmp_, "output folder (default results/<name>-compare)")
    add_force(cmp_)
    add_quiet(cmp_)
    cmp_.set_defaults(func=cmd_compare)


def cmd_compare(args) -> int:
    from ..compare import cost_effectiveness
    from ..outdir import RESULT, claim

    check_option("--workers", args.workers, 1)
    scn = _scenario(args)
    if args.design:
        scn = with_design(scn, args.design)
    if not scn.intervention_specs:
        raise UsageError(f"{args.scenario}: the scenario has no [[interventions]] to evaluate")
    scn.without_interventions(args.without)  # validates the names early
    if args.replications < 2:
        raise UsageError("--replications must be at least 2 for a confidence interval")
    if args.uncertainty != "none":
        from .compare_uncertain import cmd_compare_uncertain

        return cmd_compare_uncertain(scn, args)
    for option in ("draws", "posterior"):
        if getattr(args, option) is not None:
            raise UsageError(f"--{option} needs --uncertainty prior or posterior")
    with claim(output_folder(args.out, scn.name, "-compare"), RESULT, args.force) as target:
        result, seconds = _paired_runs(scn, args)
        ce = cost_effectiveness(result)
        target.commit(_compare_filler(scn, args, result, ce, seconds))
    if not args.quiet:
        table = Table(
            title=f"{scn.name}: effect of "
            f"{'the lab' if not args.without else ', '.join(args.without)} "
            f"({args.replications} paired replicates, mean of the last 12 months)"
        )
        for col in ("indicator", "without", "with", "effect", "95% interval", "verdict"):
            table.add_column(col, justify="left" if col in ("indicator", "verdict") else "right")
        for row in result.effects.itertuples():
            level, change = indicator_formats(row.indicator)
            table.add_row(
                row.label,
                level(row.without_lab),
                level(row.with_lab),
                change(row.effect),
                f"[{change(row.ci95_low)}, {change(row.ci95_high)}]",
                SHORT_VERDICT.get(row.verdict, row.verdict),
            )
        Console().print(table)
        print(
            "verdict: clear when the 95% interval excludes zero; 'no clear effect' when it "
            "includes zero (pp = percentage points)"
        )
        print_footer(scn, ce, _ce_value, target.label)
    return 0


def print_footer(scn, ce, value_text, folder: str) -> None:
    """Cost-effectiveness (each row written by ``value_text``), the illustrative flag and
    where the results are."""
    for row in ce.itertuples():
        print(f"{CE_LABELS[row.measure]}: {value_text(row)}")
    shown = _illustrative(scn)
    if shown:
        print(illustrative_text(shown))
    print(f"results written to {folder}/")


#: the terminal table's verdicts (the files keep the full wording)
SHORT_VERDICT = {UNCLEAR: "no clear effect"}

CE_LABELS = {
    "lab_cost_eur_per_year": "lab cost per year (months the lab runs)",
    "eur_per_additional_engaged_citizen_per_year": "EUR per additional engaged citizen a year",
    "eur_per_coverage_point_per_year": "EUR per point (0.01) of service coverage a year",
}


def _illustrative(scn) -> list[str]:
    """The scenario's instruments without published evidence."""
    from ..catalog import illustrative_in

    return illustrative_in(spec.type for spec in scn.intervention_specs)


def _ce_value(row) -> str:
    if row.value != row.value:  # NaN: no ratio for this effect
        return row.note
    if row.measure == "lab_cost_eur_per_year":
        return f"EUR {row.value:,.0f}"
    high = "unbounded" if row.ci95_high == float("inf") else f"{row.ci95_high:,.0f}"
    return f"EUR {row.value:,.0f} (95% interval {row.ci95_low:,.0f} to {high})"


def _paired_runs(scn, args):
    """The paired replicates (with and without the lab) and their wall time in seconds."""
    from ..compare import compare

    return with_progress(
        args,
        args.replications,
        "paired replicates",
        lambda executor, advance: compare(
            scn,
            args.replications,
            without=args.without,
            months=args.years * 12 if args.years else None,
            executor=executor,
            progress=advance,
        ),
    )


def with_progress(args, total: int, label: str, run):
    """``run(executor, advance)`` on the executor of ``--workers`` with a progress bar of
    ``total`` steps; (its result, the wall time in seconds)."""
    from ..compare import make_executor

    console = Console(stderr=True)
    executor = make_executor(args.workers)
    t0 = time.perf_counter()
    try:
        with transient_progress(console, disable=args.quiet) as progress:
            task = progress.add_task(label, total=total)
            result = run(executor, lambda: progress.advance(task))
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    return result, time.perf_counter() - t0


def write_manifest(tmp: Path, scn, args, ce, seconds: float, **extra) -> None:
    """The compare folder's manifest.json: the command, its settings and ``extra``."""
    import json

    from ..results import manifest_base

    doc = manifest_base(
        scn,
        {
            "command": " ".join(sys.argv),
            **extra,
            "replications": args.replications,
            "without": args.without or "all",
            "illustrative_instruments": _illustrative(scn),
            "cost_effectiveness": ce.astype(object).where(ce.notna(), None).to_dict("records"),
            "wall_time_s": round(seconds, 3),
        },
    )
    (tmp / "manifest.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")


def _compare_filler(scn, args, result, ce, seconds):
    """What fills the compare folder: effects, effects over time, the plot, the manifest."""

    from ..compare import INDICATORS
    from ..plots import effect_bands

    names = tuple(o.name for o in INDICATORS if o.name != "budget_balance")

    def fill(tmp: Path) -> None:
        result.effects.to_csv(tmp / "effects.csv", index=False)
        result.effects.to_parquet(tmp / "effects.parquet", index=False)
        ce.to_csv(tmp / "cost_effectiveness.csv", index=False)
        ce.to_parquet(tmp / "cost_effectiveness.parquet", index=False)
        result.over_time.to_parquet(tmp / "effects_over_time.parquet", index=False)
        (tmp / "plots").mkdir()
        effect_bands(
            result.over_time,
            tmp / "plots" / "effects_over_time.png",
            names,
            f"{scn.name}: effect of the lab, {args.replications} paired replicates",
            replications=args.replications,
            start_month=min(s.start for s in scn.intervention_specs),
        )
        write_manifest(tmp, scn, args, ce, seconds)

    return fill


def with_design(scn, spec: str):
    """``scn`` with the lab design ``FOLDER:ID`` of an optimisation folder added."""
    from ..optimize.evaluate import design_row
    from ..scenario import from_dict

    design, indicator = design_row(spec)
    if not design.shares:
        raise UsageError(f"--design {spec}: that design uses no instrument (it is 'no lab')")
    doc = scn.to_dict()
    levels = {d.name: getattr(d, indicator) for d in scn.districts}
    doc["interventions"] = [*doc.get("interventions", []), *design.interventions(levels)]
    return from_dict(doc, f"{scn.source} with design {spec}")
