"""``kosi-sim compare --uncertainty prior|posterior``: the lab's effects over parameter draws
and chance (see :mod:`kosi_sim.uncertainty`)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..compare import indicator_formats
from .common import UsageError, _overrides, check_option, output_folder

DEFAULT_DRAWS = 8


def fixed_by_set(items) -> set[str]:
    """The parameters that ``--set`` fixes on purpose: they keep their set value in every
    draw (top-level settings such as scale are not parameters)."""
    from ..draws import DrawError, canonical

    keys = set()
    for key in _overrides(items)[0]:
        try:
            keys.add(canonical(key))
        except DrawError:
            continue  # a setting (seed, years, scale), checked by the scenario already
    return keys


def _draws(scn, args):
    """The parameter draws, or UsageError with the one-line reason."""
    from ..draws import DrawError
    from ..posterior import PosteriorError
    from ..uncertainty import UncertaintyError, parameter_draws

    if args.draws is None:
        args.draws = DEFAULT_DRAWS
    check_option("--draws", args.draws, 2, 10_000)
    if args.uncertainty == "prior" and args.posterior is not None:
        raise UsageError("--posterior needs --uncertainty posterior (not prior)")
    try:
        return parameter_draws(
            scn, args.uncertainty, args.draws, args.posterior, fixed_by_set(args.set)
        )
    except (DrawError, PosteriorError, UncertaintyError) as e:
        raise UsageError(str(e)) from None


def cmd_compare_uncertain(scn, args) -> int:
    from ..outdir import RESULT, claim
    from ..uncertainty import sign_sentences
    from ..uncertainty_ce import cost_effectiveness_uncertain
    from .compare import print_footer

    check_option("--workers", args.workers, 1)
    draws = _draws(scn, args)
    with claim(output_folder(args.out, scn.name, "-compare"), RESULT, args.force) as target:
        result, seconds = _runs(scn, draws, args)
        ce = cost_effectiveness_uncertain(result)
        target.commit(_filler(scn, args, result, ce, seconds))
    if args.quiet:
        return 0
    k, r = args.draws, args.replications
    what = "the lab" if not args.without else ", ".join(args.without)
    table = Table(
        title=f"{scn.name}: effect of {what} over {k} {args.uncertainty} parameter draws x "
        f"{r} paired replicates (mean of the last 12 months)"
    )
    for col in ("indicator", "median", "90% interval", "from parameters", "P(>0)", "verdict"):
        table.add_column(col, justify="left" if col in ("indicator", "verdict") else "right")
    for row in result.effects.itertuples():
        change = indicator_formats(row.indicator)[1]
        share = row.share_parameters
        table.add_row(
            row.label,
            change(row.median),
            f"[{change(row.low90)}, {change(row.high90)}]",
            "-" if share != share else f"{share:.0%}",
            f"{row.p_positive:.0%}",
            row.verdict,
        )
    Console().print(table)
    print(
        "90% interval: over parameter draws and chance together; from parameters: the share "
        "of the effect's variance due to the parameters (the rest is chance); P(>0): share "
        "of paired runs with a positive effect (pp = percentage points)"
    )
    for sentence in sign_sentences(result):
        print(sentence)
    print_footer(scn, ce, _ce_value, target.label)
    return 0


def _ce_value(row) -> str:
    if row.value != row.value:  # NaN: no ratio
        return row.note
    text = f"EUR {row.value:,.0f} (90% interval {row.low90:,.0f} to {row.high90:,.0f})"
    return text if row.measure == "lab_cost_eur_per_year" else f"{text}, {row.note}"


def _runs(scn, draws, args):
    """The draws x replicates pairs and their wall time in seconds."""
    from ..uncertainty import compare_uncertain
    from .compare import with_progress

    return with_progress(
        args,
        len(draws) * args.replications,
        "paired runs",
        lambda executor, advance: compare_uncertain(
            scn,
            draws,
            args.replications,
            args.uncertainty,
            without=args.without,
            months=args.years * 12 if args.years else None,
            executor=executor,
            progress=advance,
        ),
    )


def _filler(scn, args, result, ce, seconds):
    """What fills the folder: the summary, cost-effectiveness, every pair's effect, the
    draws, the figure and the manifest."""
    import numpy as np
    import pandas as pd

    from ..compare import INDICATORS
    from ..plots import effect_distributions
    from .compare import write_manifest

    names = [o.name for o in INDICATORS]
    k, r, n = result.pair_effects.shape
    pairs = pd.DataFrame(
        {
            "draw": np.repeat(np.arange(k), r * n).astype("int32"),
            "replicate": np.tile(np.repeat(np.arange(r), n), k).astype("int32"),
            "indicator": np.tile(names, k * r),
            "effect": result.pair_effects.reshape(-1),
            "lab_cost_eur_per_year": np.repeat(result.pair_costs.reshape(-1), n),
        }
    )
    draws = result.draws.reset_index(drop=True).rename_axis("draw").reset_index()

    def fill(tmp: Path) -> None:
        result.effects.to_csv(tmp / "effects.csv", index=False)
        result.effects.to_parquet(tmp / "effects.parquet", index=False)
        ce.to_csv(tmp / "cost_effectiveness.csv", index=False)
        ce.to_parquet(tmp / "cost_effectiveness.parquet", index=False)
        pairs.to_parquet(tmp / "pair_effects.parquet", index=False)
        draws.to_parquet(tmp / "draws.parquet", index=False)
        (tmp / "plots").mkdir()
        effect_distributions(
            result.pair_effects,
            result.effects,
            tmp / "plots" / "effect_distributions.png",
            tuple(x for x in names if x != "budget_balance"),
            f"{scn.name}: effect of the lab over {k} {args.uncertainty} draws x {r} replicates",
        )
        write_manifest(
            tmp,
            scn,
            args,
            ce,
            seconds,
            uncertainty=args.uncertainty,
            draws=k,
            posterior=args.posterior,
            drawn_parameters=list(result.draws.columns),
        )

    return fill
