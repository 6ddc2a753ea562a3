"""``kosi-sim validate``, ``kosi-sim params`` and ``kosi-sim scenarios``: facts about
scenarios and parameters, nothing simulated."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from ..catalog import CATALOG
from ..scenario import builtin_names, resolve
from .common import UsageError, _scenario, add_scenario_args


def register(subparsers) -> None:
    """Add ``validate`` and ``params``; ``scenarios`` comes last in the help, after ``app``,
    so it has its own :func:`register_scenarios`."""
    val = subparsers.add_parser(
        "validate",
        help="check a scenario file",
        description="Validate a scenario file; exit 0 if valid, 2 if not.",
    )
    add_scenario_args(val)
    val.set_defaults(func=cmd_validate)

    par = subparsers.add_parser("params", help="list all parameters with units, ranges and sources")
    par.add_argument("--section", help="only this section")
    par.add_argument(
        "--format",
        choices=("table", "markdown", "csv"),
        default="table",
        help="output format (default: a table for the terminal)",
    )
    par.set_defaults(func=cmd_params)


def register_scenarios(subparsers) -> None:
    scs = subparsers.add_parser("scenarios", help="list the built-in scenarios")
    scs.set_defaults(func=cmd_scenarios)


def cmd_validate(args) -> int:
    scn = _scenario(args)
    n = sum(d.population for d in scn.districts)
    print(
        f"{args.scenario}: valid scenario {scn.name!r}: {len(scn.districts)} districts, "
        f"{n:,} inhabitants, {scn.years} years, scale {scn.scale:g}, "
        f"{len(scn.interventions)} interventions"
    )
    return 0


def cmd_params(args) -> int:
    from ..catalog import markdown_table

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
