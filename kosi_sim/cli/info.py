"""``kosi-sim validate``, ``kosi-sim params`` and ``kosi-sim scenarios``: facts about
scenarios and parameters, nothing simulated."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from ..evidence import COLUMNS, Grade
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

    par = subparsers.add_parser(
        "params",
        help="list all parameters with units, ranges, evidence and sources",
        description="List every declared parameter: the model's sections and each lab "
        "instrument's own parameters (section 'instrument.<type>'), with default, unit, "
        "range, meaning, and from the evidence register (kosi_sim/data/evidence.csv) "
        "the evidence grade (measured, literature, assumption), prior and source.  "
        "Scenario files set them under their section; instruments' parameters go into "
        "their [[interventions]] entry.",
    )
    par.add_argument("--section", help="only this section")
    par.add_argument(
        "--grade",
        choices=tuple(Grade),
        help="only the parameters with this evidence grade",
    )
    par.add_argument(
        "--format",
        choices=("table", "markdown", "csv"),
        default="table",
        help="output format (default: a table for the terminal)",
    )
    par.set_defaults(func=cmd_params)


def register_scenarios(subparsers) -> None:
    scs = subparsers.add_parser(
        "scenarios",
        help="list the built-in scenarios",
        description="List the built-in scenarios by name with a line on each; any of the "
        "names can be given where a command takes a SCENARIO.",
    )
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
    from ..catalog import listed_sections
    from ..parameters import Section

    everything = listed_sections()
    sections = [s for s in everything if not args.section or s.name == args.section]
    if not sections:
        raise UsageError(
            f"unknown section {args.section!r}; valid sections: "
            + ", ".join(s.name for s in everything)
        )
    if args.grade:
        sections = [
            Section(s.name, s.doc, [p for p in s.params if p.evidence.grade == args.grade])
            for s in sections
        ]
        sections = [s for s in sections if s.params]
    if args.format == "markdown":
        for sec in sections:
            print(f"### [{sec.name}] {sec.doc}\n\n{_markdown(sec)}\n")
        return 0
    if args.format == "csv":
        import csv

        evidence_cols = COLUMNS[2:]  # grade, prior_*, source, url, note
        w = csv.writer(sys.stdout)
        w.writerow(["section", "name", "default", "unit", "min", "max", "meaning", *evidence_cols])
        for sec in sections:
            for p in sec.params:
                lo, hi = p.bounds if p.bounds else ("", "")
                row = p.evidence.row(sec.name, p.name)
                ev = [row[c] for c in evidence_cols]
                w.writerow([sec.name, p.name, p.default, p.unit, lo, hi, p.doc, *ev])
        return 0
    console = Console()
    if console.width < TABLE_MIN_WIDTH:  # a narrow terminal or a pipe: one record per parameter
        print("\n\n".join(_records(sec, console.width) for sec in sections))
        return 0
    for sec in sections:
        table = Table(title=f"[{sec.name}] {sec.doc}", title_justify="left")
        table.add_column("name", no_wrap=True)
        for col in ("default", "unit", "range", "grade", "prior", "meaning", "source"):
            table.add_column(col)  # wrapped between words
        for p in sec.params:
            ev = p.evidence
            row = (str(p.default), p.unit, _range(p), ev.grade, str(ev.prior), p.doc, ev.source)
            table.add_row(p.name, *row)
        console.print(table)
    return 0


def _markdown(sec) -> str:
    """A section's table as Markdown; a --grade filter keeps only some rows of it."""
    from ..catalog import markdown_table

    names = {p.name for p in sec.params}
    lines = markdown_table(sec.name).splitlines()
    keep = lines[:2] + [ln for ln in lines[2:] if ln.split("`")[1] in names]
    return "\n".join(keep)


#: below this width (a narrow terminal, or a pipe, which rich treats as 80 columns) the
#: parameters are listed as records instead of a table, so that no word is cut
TABLE_MIN_WIDTH = 140


def _range(p) -> str:
    if p.choices:
        return ", ".join(p.choices)
    return "" if p.bounds is None else f"{p.bounds[0]:g} .. {p.bounds[1]:g}"


def _records(sec, width: int) -> str:
    """A section as plain text: a line per parameter, its meaning and source indented and
    wrapped between words (never inside one)."""
    import textwrap

    wrap = textwrap.TextWrapper(
        width=max(width, 60),
        initial_indent="      ",
        subsequent_indent="      ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    lines = [f"[{sec.name}] {sec.doc}"]
    for p in sec.params:
        unit = f" {p.unit}" if p.unit else ""
        ev = p.evidence
        lines.append(f"  {p.name} = {p.default}{unit}, allowed {_range(p)}")
        lines += wrap.wrap(p.doc)
        lines += wrap.wrap(f"evidence: {ev.grade}, prior {ev.prior}")
        lines += wrap.wrap(f"source: {ev.source}" + (f" {ev.url}" if ev.url else ""))
    return "\n".join(lines)


def cmd_scenarios(args) -> int:
    names = builtin_names()
    width = max(map(len, names))
    for name in names:
        print(f"{name:{width}s}  {resolve(name).description}")
    return 0
