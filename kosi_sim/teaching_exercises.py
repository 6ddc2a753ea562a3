"""Which numbers each part of docs/teaching quotes, and how each is computed.

One function per source: the scenario files (:func:`scenario_facts`, no run needed), the
exercises (from the output folders of exercises.md's commands) and the notebook (from the
namespace its code cells leave).  Each adds :class:`~kosi_sim.teaching.Number` entries under
the keys the docs' markers use.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .compare import CLEAR_DECREASE, CLEAR_INCREASE, UNCLEAR
from .teaching import (
    TEACHING,
    Command,
    Numbers,
    add_effect,
    ce_text,
    change_text,
    city_at,
    effects,
    join,
    level_text,
    verdict_summary,
    which_larger,
)

#: the output folder of a command (by its name in exercises.md) -> its path
Folders = Callable[[str], Path]

SCENARIOS = {
    "classroom": "classroom",
    "ageing_town": str(TEACHING / "scenarios" / "ageing_town.toml"),
    "wuppertal": "baseline_wuppertal_lab",
    "dortmund": "baseline_dortmund_lab",
}
ROUND_TABLES = {
    kind: str(TEACHING / "scenarios" / f"round_tables_{kind}.toml")
    for kind in ("facilitated", "unfacilitated")
}
#: the seeds of exercise 3's single runs (the lab report)
E3_SEEDS = (7, 8, 9)


def _money(x: float) -> str:
    return f"{x:,.0f}"


def scenario_facts(n: Numbers) -> None:
    """Sizes, budgets and periods of the towns, straight from their scenario files."""
    from .app.twin import APP_MAX_CITIZENS
    from .scenario import resolve

    for name, ref in SCENARIOS.items():
        scn = resolve(ref)
        src = [f"scenario {ref}"]
        pop = sum(d.population for d in scn.districts)
        if name != "dortmund":  # the same city as Wuppertal's
            n.add(f"facts.{name}.population", pop, f"{pop:,}", src)
            n.add(f"facts.{name}.years", scn.years, str(scn.years), src)
        if scn.intervention_specs:
            budget = sum(s.budget_eur_per_year for s in scn.intervention_specs)
            staff = sum(s.staff_fte for s in scn.intervention_specs)
            n.add(f"facts.{name}.lab_budget", budget, _money(budget), src)
            n.add(f"facts.{name}.lab_staff", staff, f"{staff:g}", src)
    n.add("facts.classroom.seed", 7, str(resolve("classroom").seed), ["scenario classroom"])
    specs = resolve(SCENARIOS["ageing_town"]).intervention_specs
    each = sorted({(s.budget_eur_per_year, s.staff_fte) for s in specs})
    text = (
        f"EUR {_money(each[0][0])} and {each[0][1]:g} posts each"
        if len(each) == 1
        else "different budgets and staff"
    )
    n.add("facts.ageing_town.instrument_share", [list(x) for x in each], text, ["ageing_town"])
    n.add("facts.app_max_citizens", APP_MAX_CITIZENS, f"{APP_MAX_CITIZENS:,}", ["kosi_sim.app"])
    # the round tables' rule (M12): the declared defaults the scenario files keep
    from .interventions.registry import REGISTRY

    values = {p.name: p.default for p in REGISTRY["round_tables"].params}
    values.update(resolve(ROUND_TABLES["facilitated"]).intervention_specs[0].params)
    src = ["kosi-sim params (round_tables)"]
    for name in ("base_convergence", "facilitation_effect", "mandate_effect", "clash_effect"):
        n.add(f"e3.param.{name}", values[name], f"{values[name]:.0%}", src)


def replications(n: Numbers, key: str, cmd: Command) -> None:
    r = int(cmd.args[cmd.args.index("--replications") + 1])
    n.add(key, r, str(r), [cmd.line])


# --- exercise 1 -------------------------------------------------------------------------------

E1_ROWS = (
    "population",
    "share_65plus",
    "engaged_share",
    "hours_mean",
    "trust_share",
    "coverage_mean",
    "coverage_care",
    "housing_vacancy",
    "premises_vacancy",
    "budget_balance",
)
#: how a change under pressure is put into words: metric -> (template, up, down)
E1_CHANGES = {
    "population": ("{n} {w}", "more", "fewer"),
    "engaged_share": ("{n} percentage points {w}", "higher", "lower"),
    "hours_mean": ("{n} hours a week {w}", "more", "less"),
    "trust_share": ("{n} percentage points {w}", "higher", "lower"),
    "coverage_mean": ("{n} {w}", "higher", "lower"),
    "budget_balance": ("EUR {n} a month {w}", "higher", "lower"),
}
DOMAINS = {
    "coverage_care": "care",
    "coverage_mobility": "mobility",
    "coverage_social": "social life",
    "coverage_space": "public space",
}


def exercise1(n: Numbers, out: Folders, cmds: dict[str, Command]) -> None:
    calm_cmd, shrink_cmd = cmds["e1-calm"], cmds["e1-shrinking"]
    both = [calm_cmd.line, shrink_cmd.line]
    calm, shrink = city_at(out("e1-calm")), city_at(out("e1-shrinking"))
    start = city_at(out("e1-calm"), 0)
    for metric in E1_ROWS:
        for case, values, cmd in (("calm", calm, calm_cmd), ("shrinking", shrink, shrink_cmd)):
            v = values[metric]
            n.add(f"e1.{metric}.{case}", v, level_text(metric, v), [cmd.line])
    for metric in ("population", "share_65plus"):
        n.add(
            f"e1.{metric}.start", start[metric], level_text(metric, start[metric]), [calm_cmd.line]
        )
    for metric, (template, up, down) in E1_CHANGES.items():
        diff = shrink[metric] - calm[metric]
        n.add(f"e1.change.{metric}", diff, change_text(metric, diff, template, up, down), both)
    diffs = {k: shrink[k] - calm[k] for k in DOMAINS}
    worst = min(diffs, key=diffs.get)
    n.add("e1.most_lost_domain", DOMAINS[worst], DOMAINS[worst], both)
    n.add("e1.most_lost_domain.change", diffs[worst], f"{diffs[worst]:+.3f}", both)


# --- exercise 2 -------------------------------------------------------------------------------

E2_COLUMNS = (
    "coverage_mean",
    "coverage_care",
    "engaged_share",
    "initiatives_active",
    "burnout_mean",
)
E2_INSTRUMENTS = {
    "matching": "volunteer brokerage",
    "small_grants": "the neighbourhood fund",
    "capacity_building": "training",
    "contact_point": "the contact point",
    "space_provision": "vacant premises",
}
E2_LABELS = {
    "coverage_mean": "service coverage",
    "coverage_care": "care coverage",
    "engaged_share": "the engaged share",
    "initiatives_active": "the number of producing initiatives",
    "burnout_mean": "burnout",
}


def exercise2(n: Numbers, out: Folders, cmds: dict[str, Command]) -> None:
    replications(n, "e2.replications", cmds["e2-all"])
    for row in ("all", *E2_INSTRUMENTS):
        e, src = effects(out(f"e2-{row}")), [cmds[f"e2-{row}"].line]
        for col in E2_COLUMNS:
            add_effect(n, f"e2.{row}.{col}", e, col, src)
    whole, src = effects(out("e2-all")), [cmds["e2-all"].line]
    summary = verdict_summary(whole, E2_LABELS)
    n.add("e2.all.summary", summary, summary, src)
    best = max(DOMAINS, key=lambda k: whole.at[k, "effect"])
    n.add("e2.all.best_domain", DOMAINS[best], DOMAINS[best], src)
    n.add("e2.all.best_domain.verdict", whole.at[best, "verdict"], whole.at[best, "verdict"], src)
    v = float(whole.at["willing_inactive_share", "without_lab"])
    n.add("e2.willing_inactive.without", v, level_text("willing_inactive_share", v), src)
    add_effect(n, "e2.all.best_domain.effect", whole, best, src)
    calls: dict[str, list[str]] = {CLEAR_INCREASE: [], CLEAR_DECREASE: [], UNCLEAR: []}
    for name, label in E2_INSTRUMENTS.items():
        calls[effects(out(f"e2-{name}")).at["coverage_mean", "verdict"]].append(label)
    all_src = [cmds[f"e2-{name}"].line for name in E2_INSTRUMENTS]
    for call, key in (
        (CLEAR_INCREASE, "increase"),
        (CLEAR_DECREASE, "decrease"),
        (UNCLEAR, "unclear"),
    ):
        names = calls[call]
        n.add(f"e2.adds.{key}", names, join(names) if names else "none of them", all_src)


# --- exercise 3 -------------------------------------------------------------------------------


def lab_report(scenario: str, seeds: tuple[int, ...]) -> dict[str, list[float]]:
    """The round tables' counts over single runs of the scenario's whole period, per seed."""
    from .model import CityModel
    from .scenario import resolve

    scn = resolve(scenario)
    out: dict[str, list[float]] = {"meetings": [], "tables_converged": [], "tables_failed": []}
    for seed in seeds:
        model = CityModel(scn, rng=seed)
        model.run(scn.years * 12)
        sums = model.interventions_frame().groupby("metric")["value"].sum()
        for key, values in out.items():
            values.append(float(sums.get(key, 0.0)))
    return out


def _more(a: float, b: float) -> str:
    return "more" if a > b else "fewer" if a < b else "as many"


def exercise3(n: Numbers, out: Folders, cmds: dict[str, Command]) -> None:
    replications(n, "e3.replications", cmds["e3-facilitated"])
    reports = {}
    for kind, scenario in ROUND_TABLES.items():
        folder, src = out(f"e3-{kind}"), [cmds[f"e3-{kind}"].line]
        e = effects(folder)
        for col in ("initiatives_active", "coverage_mean", "trust_share"):
            add_effect(n, f"e3.{kind}.{col}", e, col, src)
        if kind == "facilitated":  # the same town without the lab in both files
            v = float(e.at["initiatives_active", "without_lab"])
            n.add("e3.initiatives_without", v, level_text("initiatives_active", v), src)
        n.add(f"e3.{kind}.cost_per_point", *ce_text(folder, "eur_per_coverage_point_per_year"), src)
        seeds = ", ".join(map(str, E3_SEEDS))
        code = [
            f"CityModel(resolve({Path(scenario).name!r}), rng=seed), its whole period, seed {seeds}"
        ]
        reports[kind] = lab_report(scenario, E3_SEEDS)
        for key in ("tables_converged", "tables_failed"):
            values = reports[kind][key]
            n.add(f"e3.{kind}.{key}", values, join([f"{x:,.0f}" for x in values]), code)
        meetings = float(np.mean(reports[kind]["meetings"]))
        n.add(f"e3.{kind}.meetings_mean", meetings, f"{meetings:,.0f}", code)
    seeds = list(E3_SEEDS)
    n.add("e3.seeds", seeds, join([str(x) for x in seeds]), ["kosi_sim.teaching_exercises"])
    f, u = reports["facilitated"], reports["unfacilitated"]
    code = ["the lab reports of exercise 3's single runs"]
    for key in ("tables_converged", "tables_failed", "meetings"):
        word = _more(sum(u[key]), sum(f[key]))
        n.add(f"e3.unfacilitated.{key}.compared", word, word, code)


# --- exercise 4 and the notebook --------------------------------------------------------------

GROUPS = {
    ("altruist", False): "altruists who do not lead",
    ("altruist", True): "altruists who lead",
    ("conditional cooperator", False): "conditional cooperators who do not lead",
    ("conditional cooperator", True): "conditional cooperators who lead",
}


def notebook_numbers(n: Numbers, ns: dict[str, Any]) -> None:
    """From the namespace the notebook's code cells leave (section 3: who volunteers)."""
    src = ["docs/teaching/tutorial.ipynb (its code cells, run as shipped)"]
    hours, top = ns["hours"], ns["top"]
    share = float(hours[:top].sum() / hours.sum())
    n.add("nb.top_fifth_share", share, f"{share:.0%}", src)
    people: pd.DataFrame = ns["people"]
    n.add("nb.engaged", len(people), f"{len(people):,}", src)
    by = people.groupby(["type", "leads"])
    table = by[["hours_per_week", "load", "burnout"]].mean().assign(count=by.size())
    for kind, leads in GROUPS:
        key = f"nb.{kind.split()[0]}.{'leads' if leads else 'follows'}"
        row = table.loc[(kind, leads)] if (kind, leads) in table.index else None
        for col, fmt in (("count", "{:,.0f}"), ("hours_per_week", "{:.2f}"), ("load", "{:.2f}")):
            v = float(row[col]) if row is not None else 0.0
            n.add(f"{key}.{col}", v, fmt.format(v) if row is not None else "-", src)
        v = float(row["burnout"]) if row is not None else float("nan")
        n.add(f"{key}.burnout", v, f"{v:.3f}" if row is not None else "-", src)
    for col, key in (("burnout", "nb.highest_burnout"), ("hours_per_week", "nb.most_hours")):
        group = GROUPS[table[col].idxmax()]
        n.add(key, group, group, src)


def exercise4(n: Numbers, out: Folders, cmds: dict[str, Command]) -> None:
    replications(n, "e4.replications", cmds["e4"])
    e, src = effects(out("e4")), [cmds["e4"].line]
    for col in ("burnout_mean", "engaged_citizens", "engaged_share", "coverage_mean"):
        add_effect(n, f"e4.{col}", e, col, src)
        n.add(f"e4.{col}.verdict", e.at[col, "verdict"], e.at[col, "verdict"], src)
    for case in ("without_lab", "with_lab"):
        v = float(e.at["burnout_mean", case])
        n.add(f"e4.burnout_mean.{case}", v, level_text("burnout_mean", v), src)
    weak = effects(out("e4-weak"))
    both = [cmds["e4"].line, cmds["e4-weak"].line]
    for col in ("engaged_share", "coverage_mean", "burnout_mean"):
        for case, table in (("weak", weak), ("calibrated", e)):
            v = float(table.at[col, "without_lab"])
            n.add(f"e4.{case}.{col}", v, level_text(col, v), both)
    ratio = float(weak.at["burnout_mean", "without_lab"] / e.at["burnout_mean", "without_lab"])
    n.add("e4.weak.burnout_ratio", ratio, f"{ratio:.0%}", both)


# --- exercise 5 -------------------------------------------------------------------------------

E5_ROWS = (
    "engaged_share",
    "willing_inactive_share",
    "initiatives_active",
    "coverage_mean",
    "coverage_care",
    "trust_share",
    "associations",
)

E5_WITHOUT = (
    "engaged_share",
    "willing_inactive_share",
    "initiatives_active",
    "coverage_mean",
    "associations",
)


def exercise5(n: Numbers, out: Folders, cmds: dict[str, Command]) -> None:
    replications(n, "e5.replications", cmds["e5-wuppertal"])
    tables = {}
    for lab in ("wuppertal", "dortmund"):
        folder, src = out(f"e5-{lab}"), [cmds[f"e5-{lab}"].line]
        tables[lab] = e = effects(folder)
        for col in E5_ROWS:
            add_effect(n, f"e5.{lab}.{col}", e, col, src)
        call = e.at["associations", "verdict"]
        n.add(f"e5.{lab}.associations.verdict", call, call, src)
        n.add(f"e5.{lab}.cost_per_point", *ce_text(folder, "eur_per_coverage_point_per_year"), src)
    w, d = tables["wuppertal"], tables["dortmund"]
    src = [cmds["e5-wuppertal"].line, cmds["e5-dortmund"].line]
    for col in E5_WITHOUT:
        v = float(w.at[col, "without_lab"])  # the same city without a lab in both files
        n.add(f"e5.without.{col}", v, level_text(col, v), src)
    for col in ("coverage_mean", "engaged_share", "initiatives_active"):
        text = which_larger(w.loc[col], d.loc[col], "Wuppertal", "Dortmund")
        n.add(f"e5.larger.{col}", text, text, src)


EXERCISES = (exercise1, exercise2, exercise3, exercise4, exercise5)
