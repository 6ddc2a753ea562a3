"""``kosi-sim run``: one scenario, one results folder."""

from __future__ import annotations

import sys
import time

from rich.console import Console

from .common import (
    _scenario,
    _summary_table,
    add_force,
    add_out,
    add_quiet,
    add_scenario_args,
    add_years,
    output_folder,
    transient_progress,
)


def register(subparsers) -> None:
    run = subparsers.add_parser(
        "run",
        help="run one scenario and write a results folder",
        description="Run a scenario month by month and write tidy Parquet "
        "tables, a JSON manifest and plots into a results folder.",
    )
    add_scenario_args(run)
    run.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    add_years(run)
    run.add_argument(
        "--scale", type=float, help="simulated citizens per inhabitant, 0 < scale <= 1"
    )
    add_out(run, "results folder (default results/<name>)")
    add_force(run, "replace an existing results folder that kosi-sim wrote")
    add_quiet(run)
    run.set_defaults(func=cmd_run)


def cmd_run(args) -> int:
    from ..model import CityModel
    from ..outdir import RESULT, claim
    from ..plots import run_plots
    from ..results import run_filler

    scn = _scenario(args)
    # the folder is checked, locked and its temporary sibling made before anything is computed
    with claim(output_folder(args.out, scn.name), RESULT, args.force) as target:
        console = Console(stderr=True)
        t0 = time.perf_counter()
        model = CityModel(scn)
        months = scn.years * 12
        big = sum(d.population for d in scn.districts) * scn.scale * months > 3e6
        if big and not args.quiet:
            with transient_progress(console) as progress:
                task = progress.add_task(f"{scn.name}: months", total=months)
                model.run(months, progress=lambda: progress.advance(task))
        else:
            model.run(months)
        seconds = time.perf_counter() - t0
        title = f"{scn.name} (seed {scn.seed})"
        extra = {"command": " ".join(sys.argv), "wall_time_s": round(seconds, 3)}
        target.commit(
            run_filler(model, extra, plots=lambda df, folder: run_plots(df, folder, title))
        )
    if not args.quiet:
        _summary_table(model, Console(), seconds)
        print(
            f"results written to {target.label}/ (metrics.parquet, initiatives.parquet, "
            "associations.parquet, manifest.json, plots/)"
        )
    return 0
