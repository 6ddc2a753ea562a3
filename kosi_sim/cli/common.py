"""What the sub-commands share: the usage error, exit codes, argument helpers, the scenario
from the command line and the summary table."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..inputs import clip
from ..scenario import builtin_names, parse_assignment, resolve

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
#: the reader of the output went away (``| head``): quietly, with the code of Python's
#: recipe for this case, which rich's console (the tables) uses as well
EXIT_BROKEN_PIPE = 1

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


# --- argument helpers -------------------------------------------------------------------


def add_scenario_args(p: argparse.ArgumentParser) -> None:
    """The SCENARIO positional and the repeatable --set KEY=VALUE."""
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


def add_server_args(p: argparse.ArgumentParser, port: int, host_help: str) -> None:
    """SCENARIO (optional, default classroom), --port, --host and --lang of a local server."""
    p.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs="?",
        default="classroom",
        help="scenario file (.toml) or built-in name (default: classroom)",
    )
    p.add_argument("--port", type=int, default=port, help=f"port (default {port})")
    p.add_argument("--host", default="127.0.0.1", help=host_help)
    p.add_argument("--lang", choices=("en", "de"), default="en", help="language (default en)")


def add_years(p: argparse.ArgumentParser) -> None:
    p.add_argument("--years", type=int, help="years to simulate (default: the scenario's)")


def add_executor_args(p, default: str | None, help: str) -> None:
    """--executor, --workers and --scheduler (kosi_sim.experiments.executors)."""
    p.add_argument(
        "--executor", choices=("serial", "processes", "dask"), default=default, help=help
    )
    p.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://host:8786",
    )


def add_out(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument("--out", metavar="DIR", help=help)


def add_executor(p: argparse.ArgumentParser) -> None:
    """--executor, --workers and --scheduler of a batch command whose default comes from
    its file (sweep, optimize)."""
    add_executor_args(p, None, "where runs execute (default: the file's, else processes)")


def check_executor(args) -> None:
    """UsageError for a --workers below 1 or a --scheduler where nothing answers."""
    from .sweep import check_scheduler

    if args.workers is not None:
        check_option("--workers", args.workers, 1)
    if args.scheduler:
        check_scheduler(args.scheduler)


def output_folder(out: str | None, name: str, suffix: str = "") -> Path:
    """--out as given, else results/<name><suffix> (``name`` checked as a folder name)."""
    from ..outdir import default_folder

    return Path(out) if out else default_folder(name, suffix)


def add_force(
    p: argparse.ArgumentParser, help: str = "replace an existing folder that kosi-sim wrote"
) -> None:
    p.add_argument("--force", action="store_true", help=help)


def add_quiet(p: argparse.ArgumentParser, help: str = "print nothing on success") -> None:
    p.add_argument("--quiet", action="store_true", help=help)


# --- the scenario from the command line -------------------------------------------------


def _overrides(items: Sequence[str] | None) -> tuple[dict, dict]:
    """The ``--set`` overrides and, for messages, how each was written."""
    values, labels = {}, {}
    for item in items or ():
        key, value = parse_assignment(item)
        values[key], labels[key] = value, f"--set {clip(item)}"
    return values, labels


def _scenario(args):
    """The scenario with ``--set`` and the options --seed, --years, --scale applied."""
    values, labels = _overrides(args.set)
    for option in ("seed", "years", "scale"):
        if getattr(args, option, None) is not None:
            values[option] = getattr(args, option)
            labels[option] = f"--{option} {values[option]}"
    return resolve(args.scenario, values, labels)


def check_option(option: str, value: int, lo: int, hi: int | None = None) -> None:
    """UsageError unless the whole-number option lies from ``lo`` to ``hi``."""
    if value < lo or (hi is not None and value > hi):
        allowed = f"from {lo} to {hi}" if hi is not None else f"of at least {lo}"
        raise UsageError(f"{option} {value} is not allowed; allowed: a whole number {allowed}")


def check_window(args, scn) -> None:
    """The calibration window fits the scenario's period and, with the long-run checks,
    leaves months after it to check (both modes of ``calibrate``)."""
    months = scn.years * 12
    check_option("--window", args.window, 1, months)
    if args.long_run and args.window >= months:
        raise UsageError(
            f"--window {args.window} leaves none of {scn.name}'s {months} months for the "
            f"long-run checks; allowed: a --window below {months}, or --no-long-run"
        )


# --- output -----------------------------------------------------------------------------


def transient_progress(console: Console, disable: bool = False):
    """A progress bar (description, bar, n of m, time left) that vanishes when done."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=disable,
    )


def _summary_table(model, console: Console, seconds: float) -> None:
    rec = model.recorder
    scale = 1.0 / model.scale
    table = Table(
        title=f"{model.spec.name}: {model.month // 12} years "
        f"({model.month} months, seed {model.seed}) in {seconds:.1f} s"
    )
    table.add_column("indicator (city)")
    table.add_column("month 0 (after spin-up)", justify="right")
    table.add_column(f"month {model.month}", justify="right")
    from ..metrics import SCALED

    for name, label, fmt in SUMMARY:
        series = rec.series(name)
        f = scale if name in SCALED else 1.0
        table.add_row(label, fmt.format(series[0] * f), fmt.format(series[-1] * f))
    console.print(table)
