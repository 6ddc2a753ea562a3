"""Write docs/sensitivity.md and kosi_sim/data/influential.csv from the analysed results of
the lab-effect sensitivity studies (nothing in them is typed by hand).

    for s in all stage2 sections; do
        kosi-sim sweep experiments/lab_effect_sensitivity_$s.toml --out results/les_$s
        kosi-sim analyze results/les_$s
    done
    kosi-sim compare baseline_wuppertal_lab --set scale=0.1 --years 8 --out results/les_chance
    .venv/bin/python scripts/sensitivity_docs.py --chance results/les_chance \
        results/les_all results/les_stage2 results/les_sections

The first folder must hold a study with one factor per parameter (its ranking goes into
kosi_sim/data/influential.csv, which ``calibrate --posterior`` can read); the others, in
the order given, are documented after it; the first two per-parameter studies are compared.
``--chance`` (optional) names a compare folder that gives each response's chance floor of mu*.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pandas as pd
from scipy import stats

from kosi_sim.catalog import evidence
from kosi_sim.draws import param_of
from kosi_sim.experiments.prior_sensitivity import EFFECTS, influential_rows
from kosi_sim.experiments.sensitivity import MIN_MORRIS_TRAJECTORIES

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "sensitivity.md"
DATA = ROOT / "kosi_sim" / "data" / "influential.csv"
#: how many factors per outcome the docs list
SHOWN = 15
OUTCOMES = {
    "effect_engaged_share": "engaged share (paired effect, share of people aged 14+)",
    "effect_coverage_mean": "service coverage (paired effect, mean of the four services)",
    "effect_trust_share": "trust share (paired effect)",
    "engaged_per_eur100k": "additional engaged citizens per EUR 100,000 of lab spending a year",
}


def study(root: Path) -> tuple[dict, pd.DataFrame, list[str]]:
    manifest = json.loads((root / "manifest.json").read_text())
    analysis = json.loads((root / "analysis" / "manifest.json").read_text())
    ranking = pd.read_csv(root / "analysis" / "prior_ranking.csv")
    return manifest, ranking, analysis.get("notes", [])


def grade(factor: str, grouped: bool) -> str:
    if grouped:
        return ""
    return str(evidence(param_of(factor.removeprefix("prior."))).grade)


def table(ranking: pd.DataFrame, outcome: str, grouped: bool) -> list[str]:
    part = ranking[ranking["outcome"] == outcome].head(SHOWN)
    head = "| rank (90% interval) | " + ("section (parameters)" if grouped else "parameter")
    head += " | mu* ± 95% half-width | sigma |" + ("" if grouped else " evidence |")
    lines = [head, "|" + "---|" * (4 if grouped else 5)]
    for row in part.itertuples():
        name = row.factor.removeprefix("prior.")
        name = f"{name} ({row.keys})" if grouped else f"`{name}`"
        cells = [
            f"{row.rank} ({row.rank_low}-{row.rank_high})",
            name,
            f"{row.mu_star:.3g} ± {row.mu_star_conf:.2g}",
            f"{row.sigma:.3g}",
        ]
        if not grouped:
            cells.append(grade(row.factor, grouped))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def verdict(ranking: pd.DataFrame, outcome: str, floor: float | None = None) -> str:
    """How uncertain the ranking is, in words, from the rank intervals."""
    part = ranking[ranking["outcome"] == outcome]
    n = len(part)
    top = part.head(5)
    widths = (top["rank_high"] - top["rank_low"]).tolist()
    r = int(part["trajectories"].iloc[0])
    zero = int((part["mu_star"] == 0).sum())
    first = part.iloc[0]
    alone = first["rank_high"] == 1
    text = (
        f"Of {n} factors, the 90% rank intervals of the top five cover {min(widths) + 1} to "
        f"{max(widths) + 1} ranks. "
    )
    if alone:
        name = first["factor"].removeprefix("prior.")
        text += f"`{name}` is first in at least 95% of the resamples. "
    else:
        text += (
            f"Even the first place is uncertain (`{first['factor'].removeprefix('prior.')}` "
            f"ranks {first['rank_low']} to {first['rank_high']}). "
        )
    if zero:
        verb = "has" if zero == 1 else "have"
        text += f"{zero} of the factors {verb} mu* = 0 exactly (they change nothing here). "
    if floor is not None:
        above = int((part["mu_star"] > floor).sum())
        text += (
            f"{above} of the {n} factors {'has' if above == 1 else 'have'} mu* above the "
            f"chance floor ({floor:.3g}, see above). "
        )
    if r < MIN_MORRIS_TRAJECTORIES:
        text += (
            f"With {r} trajectories (fewer than {MIN_MORRIS_TRAJECTORIES}) the resampled "
            "intervals are themselves rough and likely too narrow: read the order of "
            "neighbouring ranks as unknown."
        )
    return text.rstrip()


def section(root: Path, grouped: bool, floor: dict[str, float]) -> list[str]:
    manifest, ranking, notes = study(root)
    r = int(ranking["trajectories"].iloc[0])
    planned = int(manifest["design_options"]["samples"])
    factors = len(manifest["priors"]["groups"])
    lines = [
        f"### {manifest['experiment']}: "
        + ("parameters grouped by section" if grouped else "one factor per parameter"),
        "",
        f"`{Path(manifest['experiment_file']).name}`: Morris, {factors} factors, {r} complete "
        f"trajectories of the {planned} planned ({r * (factors + 1) * 2:,} of "
        f"{manifest['runs']:,} runs), base scenario {manifest['base_scenario']}, "
        f"{_years_scale(manifest)}, git {str(manifest.get('git_commit'))[:10]}.",
        "",
    ]
    notes = [n for n in notes if "trajectories" in n]
    lines += [f"- {n}" for n in notes] + ([""] if notes else [])
    for outcome, words in OUTCOMES.items():
        if outcome not in set(ranking["outcome"]):
            continue
        lines += [f"#### {words}", "", verdict(ranking, outcome, floor.get(outcome)), ""]
        lines += [*table(ranking, outcome, grouped), ""]
    return lines


def _years_scale(manifest: dict) -> str:
    import tomllib

    doc = tomllib.loads(manifest["experiment_text"])
    years = doc.get("years", "the scenario's")
    scale = f"{doc['scale']:.0%}" if "scale" in doc else "the scenario's"
    return f"{years} years at {scale} scale"


def chance_floor(root: Path) -> tuple[dict[str, float], str]:
    """From a ``kosi-sim compare`` folder (paired replicates of the base scenario at the
    studies' scale and years): per response, the mu* that chance alone gives.  Between two
    draws the random paths diverge, so chance adds independent errors of sd s (the replicates'
    sd of the paired effect) to each point's effect: an elementary effect (e2 - e1) / (2/3)
    from chance alone has mean absolute value 2 s / sqrt(pi) / (2/3), about 1.7 s."""
    manifest = json.loads((root / "manifest.json").read_text())
    n = int(manifest["replications"])
    effects = pd.read_csv(root / "effects.csv").set_index("indicator")
    half = (effects["ci95_high"] - effects["ci95_low"]) / 2
    sd = half / stats.t.ppf(0.975, n - 1) * math.sqrt(n)
    floor = {r: float(sd[m] * 2 / math.sqrt(math.pi) / (2 / 3)) for r, m in EFFECTS.items()}
    words = (
        f"Chance alone: `kosi-sim compare` of the base scenario, {n} paired replicates "
        f"({manifest['scenario_document']['years']} years at {manifest['scale']:.0%} scale), "
        "gives the sd of the paired "
        "effect between seeds; an elementary effect made of chance alone has a mean absolute "
        "value of about 1.7 sd (2 sd / sqrt(pi) per step of 2/3). A factor whose mu* is not "
        "above that floor cannot be told from chance at this scale; one above it is not "
        "thereby shown to matter (mu* over few trajectories varies too). No floor is given "
        "for the engaged citizens per EUR 100,000 (a ratio of two noisy quantities)."
    )
    return floor, words


def agreement(first: Path, second: Path) -> list[str]:
    """How two independent per-parameter designs agree on the parameters both rank: the
    Spearman correlation of their mu* and how many of one's top ten are in the other's."""
    m1, r1, _ = study(first)
    m2, r2, _ = study(second)
    shared = sorted(set(r1["factor"]) & set(r2["factor"]))
    lines = [
        f"### Do two independent designs agree? {m1['experiment']} and {m2['experiment']}",
        "",
        f"Both rank the same {len(shared)} parameters, from different Morris trajectories "
        "(different factors, so different points and steps). Where their orders of these "
        "parameters agree, the ranking is not an artefact of one design's draws; where they "
        "do not, it is.",
        "",
        "| response | Spearman correlation of mu* | shared top ten |",
        "|---|---|---|",
    ]
    for outcome, words in OUTCOMES.items():
        a = r1[r1["outcome"] == outcome].set_index("factor").loc[shared]
        b = r2[r2["outcome"] == outcome].set_index("factor").loc[shared]
        if a.empty or b.empty:
            continue
        rho = a["mu_star"].corr(b["mu_star"], method="spearman")
        top_a = set(a["mu_star"].nlargest(10).index)
        top_b = set(b["mu_star"].nlargest(10).index)
        lines.append(f"| {words} | {rho:.2f} | {len(top_a & top_b)} of 10 |")
    return [*lines, ""]


def main(argv: list[str]) -> int:
    floor, chance_words = {}, ""
    if len(argv) >= 2 and argv[0] == "--chance":
        floor, chance_words = chance_floor(Path(argv[1]))
        argv = argv[2:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    roots = [Path(a) for a in argv]
    grouped = {r: study(r)[0]["priors"]["group_by"] != "parameter" for r in roots}
    if grouped[roots[0]]:
        print("the first study must have one factor per parameter", file=sys.stderr)
        return 2
    lines = [
        "# Which assumptions matter for the lab's effect",
        "",
        "<!-- generated by scripts/sensitivity_docs.py from the analysed study results; "
        "do not edit -->",
        "",
        "A Morris screening (elementary effects, SALib) over the priors of the evidence "
        "register ranks the parameters by their influence on the lab's *paired* effect: each "
        "draw of the priors runs with and without the lab on the same seed, and the response "
        "is the difference (engaged share, service coverage, trust) and the additional engaged "
        "citizens per EUR 100,000 of lab spending a year (the inverse of the cost per "
        "additional engaged citizen, which is undefined where a draw makes the effect zero or "
        "negative). A factor is a parameter's quantile u in [0, 1] mapped onto its prior; mu* "
        "is the mean absolute elementary effect, the change of the response over a Morris "
        "step of u (2/3) divided by that step: the response's units per whole quantile "
        "range; sigma is the spread of the elementary effects (interaction or "
        "non-linearity, and chance: one replicate per point). The rank interval is the 5% to "
        "95% range of the factor's rank over 1,000 resamples of the trajectories.",
        "",
        "Why Morris: with about 150 uncertain parameters a Sobol study needs N x 152 runs "
        "with N in the hundreds; Morris ranks them with r x 155 unit points (two runs each). "
        "The full study, `experiments/lab_effect_sensitivity.toml` (20 trajectories at 20% "
        "scale over 10 years, 6,200 runs), is a job for a cluster. The results below come "
        "from reduced versions run on a shared 2-core machine (10% scale, 8 years): first "
        "every parameter as its own factor with fewer trajectories (its ranking is "
        "`kosi_sim/data/influential.csv`, each response's top ten, for the calibration); then, "
        "where given, the same for the parameters of the sections that ranked highest in a "
        "screening of the parameters grouped by section (a second, independent design: how "
        "far the two agree says how much the ranking depends on the draws), and that "
        "grouped screening itself (each group moves all its parameters to the same quantile "
        "of their own priors). The ranks are as uncertain as their intervals say.",
        "",
        *([chance_words, ""] if chance_words else []),
        "## Results",
        "",
    ]
    for root in roots:
        lines += section(root, grouped[root], floor)
    per_parameter = [r for r in roots if not grouped[r]]
    if len(per_parameter) > 1:
        lines += agreement(per_parameter[0], per_parameter[1])
    DOC.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    _, ranking, _ = study(roots[0])
    influential_rows(ranking).to_csv(DATA, index=False)
    print(f"wrote {DOC} and {DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
