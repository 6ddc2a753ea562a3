"""``kosi-sim calibrate SCENARIO --instruments``: what each lab instrument achieves, run alone
in the scenario's city, against published figures (:mod:`kosi_sim.instrument_targets`)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .common import UsageError, output_folder, transient_progress


def _table(table, title: str) -> Table:
    out = Table(title=title)
    for col in ("instrument", "metric", "target", "simulated (sd)", "result"):
        out.add_column(col, justify="left" if col in ("instrument", "metric") else "right")
    for r in table.itertuples():
        out.add_row(
            r.instrument,
            r.metric,
            f"{r.target:.3g} ± {r.tolerance:.2g}",
            f"{r.simulated_mean:.3g} ({r.simulated_sd:.2g})",
            _result(r),
        )
    return out


def _result(r) -> str:
    if r.runs_measured == 0:  # e.g. no round table ended: nothing to compare
        return "[yellow]not measured[/yellow]"
    return "[green]pass[/green]" if r.passed else "[red]FAIL[/red]"


def cmd_instruments(args, scn) -> int:
    """Run the instrument checks and write ``instrument_targets.csv``/``.parquet`` and the
    manifest to the output folder (default ``results/<name>-instruments``)."""
    from .. import instrument_targets
    from ..catalog import illustrative_in
    from ..interventions.registry import REGISTRY
    from ..outdir import RESULT, claim
    from ..results import manifest_base

    if args.fit:
        raise UsageError("--fit and --instruments cannot be combined; run them one at a time")
    targets = instrument_targets.load()
    runs = len({t.instrument for t in targets}) * args.replications
    months = 12 * -(-args.window // 12)
    console = Console()
    with claim(output_folder(args.out, scn.name, "-instruments"), RESULT, args.force) as target:
        t0 = time.perf_counter()
        with transient_progress(console) as bar:
            task = bar.add_task("instruments", total=runs)
            table = instrument_targets.evaluate(
                scn, args.replications, months, targets, lambda: bar.advance(task)
            )
        seconds = time.perf_counter() - t0
        without = [k for k in REGISTRY if k not in set(table["instrument"])]

        def fill(tmp: Path) -> None:
            table.to_csv(tmp / "instrument_targets.csv", index=False)
            table.to_parquet(tmp / "instrument_targets.parquet", index=False)
            doc = manifest_base(
                scn,
                {
                    "command": " ".join(sys.argv),
                    "check": "instrument targets",
                    "replications": args.replications,
                    "months": months,
                    "all_passed": bool(table["passed"].all()),
                    "instruments_without_target": without,
                    "illustrative_instruments": illustrative_in(REGISTRY),
                    "wall_time_s": round(seconds, 3),
                },
            )
            (tmp / "manifest.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")

        target.commit(fill)
    console.print(
        _table(
            table,
            f"{scn.name}: each instrument alone at scale {scn.scale:g}, "
            f"{args.replications} replicates, {months} months",
        )
    )
    failed = int((~table["passed"]).sum())
    unmeasured = table[table["runs_measured"] == 0]
    if len(unmeasured):
        print(
            "not measured (no run had anything to count; a larger --scale or --window helps): "
            + ", ".join(f"{r.instrument} {r.metric}" for r in unmeasured.itertuples())
        )
    if without:
        print(
            "no published target (flagged illustrative where no parameter has evidence): "
            + ", ".join(without)
        )
    print(
        f"{len(table) - failed} of {len(table)} instrument targets pass; results written to "
        f"{target.label}/"
    )
    return 0 if failed == 0 else 1
