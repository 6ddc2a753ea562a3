"""The debrief: decisions over the years next to outcomes, the difference to the twin with
its uncertainty, moments worth discussing; and the room's export folder.

Uncertainty.  The room's own pair (played city and twin on one seed) gives one paired
difference per indicator and year; it says nothing about chance.  At debrief time the
facilitator can run ``R`` more pairs on other seeds (:func:`kosi_sim.compare.replicate_seeds`
from the room's seed), each replaying the class's decision log year by year against its
own default twin.  The difference is then the mean over the R + 1 pairs with its t-based
95% interval (:func:`kosi_sim.compare.mean_ci95`), and a plain verdict
(:func:`kosi_sim.compare.verdict`).  Assumption: the class's decisions are replayed as
they were, although the class took them looking at its own city.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..compare import indicator_formats, mean_ci95, replicate_seeds, verdict
from ..scenario import Scenario
from . import words
from .game import CITY, INDICATORS, Game, Row

#: indicators of the debrief's effect table
EFFECTS = (
    "engaged_share",
    "trust_share",
    "coverage_mean",
    "initiatives_active",
    "associations",
    "deficit_per_inhabitant",
)


def frame(rows: Iterable[Row]) -> pd.DataFrame:
    return pd.DataFrame(
        [vars(r) for r in rows], columns=["turn", "side", "district", "metric", "value"]
    )


def differences(rows: Iterable[Row]) -> pd.DataFrame:
    """City values per turn and indicator: played, twin and their difference."""
    df = frame(rows)
    df = df[df["district"] == CITY]
    wide = df.pivot_table(index=["turn", "metric"], columns="side", values="value").reset_index()
    wide["difference"] = wide["played"] - wide["twin"]
    return wide


def replicate_differences(
    scn: Scenario, seed: int, active: list[str], log: list[Mapping[str, Any]], replicates: int
) -> pd.DataFrame:
    """Played minus twin per turn and indicator for ``replicates`` pairs on other seeds,
    each replaying ``log``: columns replicate, turn, metric, difference."""
    out = []
    for k, s in enumerate(replicate_seeds(seed, replicates)):
        g = Game(scn, s, active)
        g.replay(log)
        d = differences(g.rows)
        d.insert(0, "replicate", k + 1)
        out.append(d[["replicate", "turn", "metric", "difference"]])
    return (
        pd.concat(out, ignore_index=True)
        if out
        else pd.DataFrame(columns=["replicate", "turn", "metric", "difference"])
    )


def effects(rows: list[Row], reps: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """The difference to the twin at the last turn for :data:`EFFECTS`: the room's own
    pair, and, with replicates, the mean over all pairs, its 95% interval and a verdict."""
    own = differences(rows)
    last = int(own["turn"].max())
    out = []
    for m in EFFECTS:
        d0 = own[(own["turn"] == last) & (own["metric"] == m)]["difference"].to_numpy()
        if not len(d0):
            continue
        row = {
            "metric": m,
            "turn": last,
            "room_pair": float(d0[0]),
            "pairs": 1,
            "mean": np.nan,
            "low": np.nan,
            "high": np.nan,
            "verdict": words.t("no_interval", lang),
        }
        if reps is not None and len(reps):
            r = reps[(reps["turn"] == last) & (reps["metric"] == m)]["difference"].to_numpy()
            all_d = np.concatenate([d0, r])
            mean, lo, hi = mean_ci95(all_d)
            row.update(
                pairs=len(all_d),
                mean=float(mean),
                low=float(lo),
                high=float(hi),
                verdict=words.verdict(verdict(float(lo), float(hi)), lang),
            )
        out.append(row)
    return pd.DataFrame(out)


def effect_line(row: Mapping[str, Any], lang: str) -> str:
    """One effect as words: level change with interval and verdict, never a ratio."""
    change = indicator_formats(row["metric"])[1]
    name = words.indicator(row["metric"], lang)
    if row["pairs"] < 2:
        return f"{name}: {change(row['room_pair'])} ({words.t('no_interval', lang)})"
    return (
        f"{name}: {change(row['mean'])} [{change(row['low'])}, {change(row['high'])}], "
        f"{row['pairs']} {words.t('pairs', lang)}: {row['verdict']}"
    )


def moments(rows: list[Row], lang: str) -> list[str]:
    """A few automatically chosen moments: the year of the largest change of service
    coverage in the played city, the year the gap to the twin grew most, and the district
    that fell furthest behind its twin."""
    df = frame(rows)
    if df["turn"].max() < 1:
        return []
    out = []
    city = df[(df["district"] == CITY) & (df["metric"] == "coverage_mean")]
    played = city[city["side"] == "played"].set_index("turn")["value"].sort_index()
    twin = city[city["side"] == "twin"].set_index("turn")["value"].sort_index()
    step = played.diff().dropna()
    if len(step):
        y = int(step.abs().idxmax())
        out.append(words.t("moment_change", lang).format(year=y, change=f"{step[y]:+.3f}"))
    gap = (played - twin).diff().dropna()
    if len(gap):
        y = int(gap.abs().idxmax())
        out.append(words.t("moment_gap", lang).format(year=y, change=f"{gap[y]:+.3f}"))
    last = int(df["turn"].max())
    dist = df[(df["district"] != CITY) & (df["metric"] == "coverage_mean") & (df["turn"] == last)]
    by = dist.pivot_table(index="district", columns="side", values="value")
    if len(by):
        gaps = by["played"] - by["twin"]
        d = str(gaps.idxmin())
        out.append(words.t("moment_district", lang).format(district=d, change=f"{gaps[d]:+.3f}"))
    return out


# -- export -------------------------------------------------------------------------------
def figure_pngs(rows: list[Row], lang: str) -> dict[str, bytes]:
    """One PNG per indicator: the played city and the twin over the years."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = frame(rows)
    df = df[df["district"] == CITY]
    out = {}
    for m in INDICATORS:
        sub = df[df["metric"] == m]
        if sub.empty:
            continue
        fig, ax = plt.subplots(figsize=(5, 3), dpi=100)
        for side, style in (("played", "-o"), ("twin", "--s")):
            s = sub[sub["side"] == side].sort_values("turn")
            ax.plot(s["turn"], s["value"], style, label=words.t(side, lang), markersize=3)
        ax.set_xlabel(words.t("year", lang))
        ax.set_title(words.indicator(m, lang))
        ax.legend()
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        out[m] = buf.getvalue()
    return out


def fill_export(
    folder: Path,
    room: Mapping[str, Any],
    rows: list[Row],
    log_rows: list[dict],
    reps: pd.DataFrame | None,
    lang: str,
) -> None:
    """Write the room's export into ``folder`` (an empty folder)."""
    (folder / "figures").mkdir()
    log = pd.DataFrame(log_rows, columns=["turn", "role", "decision", "source"])
    log.to_csv(folder / "decisions.csv", index=False)
    m = frame(rows)
    m.to_parquet(folder / "metrics.parquet", index=False)
    m.to_csv(folder / "metrics.csv", index=False)
    if reps is not None:
        reps.to_parquet(folder / "replicates.parquet", index=False)
    eff = effects(rows, reps, lang)
    eff.to_csv(folder / "effects.csv", index=False)
    pngs = figure_pngs(rows, lang)
    for name, data in pngs.items():
        (folder / "figures" / f"{name}.png").write_bytes(data)
    (folder / "debrief.html").write_text(
        page(
            room,
            rows,
            log_rows,
            eff,
            moments(rows, lang),
            lang,
            images=[f"figures/{n}.png" for n in pngs],
        ),
        encoding="utf-8",
    )
    manifest = {
        "kosi_sim_classroom": 1,
        "room": room["code"],
        "seed": room["seed"],
        "turns": int(room["turn"]),
        "roles": room["roles"],
        "scenario": room["scenario"].get("name"),
        "replicate_pairs": 0 if reps is None else int(reps["replicate"].nunique()),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))


def page(
    room: Mapping[str, Any],
    rows: list[Row],
    log_rows: list[dict],
    eff: pd.DataFrame,
    notes: list[str],
    lang: str,
    images: list[str],
) -> str:
    """The printable debrief page (plain HTML, no scripts)."""
    e = html.escape
    t = lambda k: e(words.t(k, lang))  # noqa: E731
    d = differences(rows)
    table = d[d["metric"].isin(EFFECTS)].pivot_table(
        index="turn", columns="metric", values="difference"
    )
    head = "".join(f"<th>{e(words.indicator(c, lang))}</th>" for c in table.columns)
    body = "".join(
        f"<tr><td>{int(i)}</td>"
        + "".join(f"<td>{e(indicator_formats(c)[1](v))}</td>" for c, v in r.items())
        + "</tr>"
        for i, r in table.iterrows()
    )
    decisions = "".join(
        f"<tr><td>{r['turn']}</td><td>{e(words.role(r['role'], lang))}</td>"
        f"<td>{e(r['source'])}</td>"
        f"<td><code>{e(words.decision_summary(r['role'], json.loads(r['decision'])))}</code>"
        "</td></tr>"
        for r in log_rows
    )
    effs = "".join(f"<li>{e(effect_line(r, lang))}</li>" for r in eff.to_dict("records"))
    mom = "".join(f"<li>{e(n)}</li>" for n in notes)
    imgs = "".join(f'<img src="{e(s)}" alt="" style="width:48%">' for s in images)
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{t('debrief')} {e(room['code'])}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}table{border-collapse:collapse}"
        "@media print{img{page-break-inside:avoid}}</style></head><body>"
        f"<h1>{t('debrief')}: {e(room['code'])}</h1><p>{t('debrief_intro')}</p>"
        f"<h2>{t('effects')}</h2><ul>{effs}</ul><p>{t('uncertainty_how')}</p>"
        f"<h2>{t('moments')}</h2><ul>{mom}</ul>"
        f"<h2>{t('difference_by_year')}</h2><table><tr><th>{t('year')}</th>{head}</tr>{body}</table>"
        f"<h2>{t('decisions')}</h2><table><tr><th>{t('year')}</th><th>{t('role')}</th>"
        f"<th>{t('source')}</th><th>{t('decision')}</th></tr>{decisions}</table>"
        f"<h2>{t('figures')}</h2>{imgs}</body></html>"
    )
