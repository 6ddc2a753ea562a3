"""What the app shows, as plain data and pictures (testable without a browser).

* :func:`city_map`: districts coloured by an indicator, initiatives as markers (colour =
  domain, shape = stage), for one of the two cities of a :class:`~kosi_sim.app.twin.CityPair`,
  as PNG bytes (:mod:`kosi_sim.app.mapimage`);
* :func:`chart_options`: engagement, coverage, trust, initiatives, budget, population, who
  volunteers and burnout over time as ECharts options, the city with its lab as solid
  lines, without as dashed lines;
* :func:`initiative_rows`: the open initiatives as table rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..agents.initiatives import STAGES
from ..catalog import evidenced_share, illustrative
from ..metrics import INDEX, SCALED
from ..services import SERVICE_DOMAINS
from . import i18n, mapimage, numbers
from .geometry import DistrictMap

DOMAIN_COLOURS = dict(
    zip(SERVICE_DOMAINS, ("#d62728", "#1f77b4", "#9467bd", "#2ca02c"), strict=True)
)
#: share-type indicators are drawn on a fixed 0..1 scale, coverage on 0..1.5
FIXED_RANGES = {"coverage": (0.0, 1.5)}
MONTHS_PER_YEAR = 12


def district_values(model, metric: str) -> np.ndarray:
    """This month's value of ``metric`` per district."""
    return model.recorder.history[-1][INDEX[metric], : model.n_districts]


def value_range(metric: str, values: np.ndarray) -> tuple[float, float]:
    if metric.startswith("coverage"):
        return FIXED_RANGES["coverage"]
    hi = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    return 0.0, max(hi * 1.2, 0.05) if hi < 0.5 else 1.0


def city_map(
    model, dmap: DistrictMap, metric: str, lang: str, title: str = "", vmax: float | None = None
) -> bytes:
    """One city as a PNG: districts coloured by ``metric``, open initiatives as markers."""
    values = district_values(model, metric)
    lo, hi = value_range(metric, values)
    if vmax is not None:
        hi = vmax
    t = model.initiatives
    rows = t.open_rows()
    stage_index = {s: k for k, s in enumerate(mapimage.SHAPES)}
    markers = (
        dmap.points(t.district[rows], rows),
        t.domain[rows],
        np.array([stage_index[STAGES[s]] for s in t.stage[rows]], dtype=np.int64),
    )
    legend = {d: i18n.domain(d, lang) for d in SERVICE_DOMAINS}
    legend |= {s: i18n.stage(s, lang) for s in mapimage.SHAPES}
    return mapimage.render(
        dmap,
        values,
        (lo, hi),
        model.district_names,
        markers,
        DOMAIN_COLOURS,
        legend,
        title,
        i18n.indicator(metric, lang),
        lambda x: numbers.metric_value(metric, x, lang),
    )


CHARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("engagement", ("engaged_share",)),
    ("coverage", ("coverage_mean", *(f"coverage_{d}" for d in SERVICE_DOMAINS))),
    ("trust", ("trust_share",)),
    ("initiatives", ("initiatives_active",)),
    ("budget", ("budget_balance",)),
    ("population", ("population",)),
    ("by_age", tuple(i18n.AGE_GROUPS)),
    ("burnout", ("burnout_mean",)),
    ("hours", ("hours_share_6plus",)),
)


def series_values(model, metric: str) -> np.ndarray:
    """A city-wide metric over the months so far, in real-city units."""
    values = model.recorder.series(metric)
    return values / model.scale if metric in SCALED else values


def chart_options(pair, lang: str) -> list[dict]:
    """One ECharts option per chart; solid = with lab, dashed = without lab.

    The browser draws them (ECharts is served with the app's assets), so a step costs the
    server only these small dictionaries, not a picture.
    """
    years = [round(m / MONTHS_PER_YEAR, 3) for m in pair.with_lab.recorder.months]
    colours = ["#222222", *DOMAIN_COLOURS.values()]
    with_name, without_name = i18n.t("with_lab", lang), i18n.t("without_lab", lang)
    out = []
    for name, metrics in CHARTS:
        series = []
        for colour, metric in zip(colours, metrics, strict=False):
            label = _series_label(name, metric, lang)
            for side, model, dash in (
                (with_name, pair.with_lab, "solid"),
                (without_name, pair.without_lab, "dashed"),
            ):
                values = series_values(model, metric)
                series.append(
                    {
                        "name": label if label and dash == "solid" else f"{label} ({side})".strip(),
                        "type": "line",
                        "showSymbol": False,
                        "data": [[x, _finite(y)] for x, y in zip(years, values, strict=True)],
                        "lineStyle": {"type": dash, "width": 2 if dash == "solid" else 1.4},
                        "itemStyle": {"color": colour},
                    }
                )
        many = len(metrics) > 1
        legend = {
            "data": [s["name"] for s in series[::2]],  # the solid (with lab) lines
            "bottom": 0,
            "textStyle": {"fontSize": 9},
            "itemWidth": 14,
        }
        out.append(
            {
                "title": {"text": i18n.chart(name, lang), "textStyle": {"fontSize": 12}},
                "animation": False,
                "tooltip": {"trigger": "axis", "confine": True},
                **({"legend": legend} if many else {}),
                # labels inside the chart's box: a long negative tick keeps its minus sign
                "grid": {
                    "left": 8,
                    "right": 14,
                    "top": 32,
                    "bottom": 60 if many else 4,
                    "containLabel": True,
                },
                "xAxis": {"type": "value", "name": i18n.t("year", lang), "min": 0},
                "yAxis": {"type": "value", "scale": True, **_whole(metrics[0])},
                "series": series,
                "kosi_format": chart_format(metrics[0], lang),
            }
        )
    return out


def _whole(metric: str) -> dict[str, int]:
    """Counts: ticks on whole numbers only."""
    return {"minInterval": 1} if numbers.metric_kind(metric) == "count" else {}


def chart_format(metric: str, lang: str) -> dict[str, object]:
    """How the chart widget writes a chart's numbers and months (:func:`.widgets.Chart`):
    the y values as ``metric``'s unit, the years on the x axis, the tooltip's month, and
    month 0 named as in ``kosi-sim run``'s summary."""
    return {
        "y": numbers.chart_format(metric, lang),
        "x": numbers.chart_format("", lang),
        "month": i18n.t("month", lang),
        "month_start": i18n.t("month_start", lang),
    }


def _series_label(chart: str, metric: str, lang: str) -> str:
    if metric.startswith("coverage_") and metric != "coverage_mean":
        return i18n.domain(metric.removeprefix("coverage_"), lang)
    if chart == "coverage":
        return i18n.t("city_total", lang)
    if chart == "by_age":
        return i18n.age_group(metric, lang)
    return ""


def _finite(y: float) -> float | None:
    return round(float(y), 6) if np.isfinite(y) else None


def initiative_rows(model, lang: str, limit: int = 200) -> list[dict[str, object]]:
    """The open initiatives of one city, newest first, as table rows with labels."""
    t = model.initiatives
    pop = model.pop
    rows = t.open_rows()
    rows = rows[np.argsort(-t.created[rows], kind="stable")][:limit]
    out = []
    leaders = pop.rows_of(t.leader[rows]) if len(rows) else np.empty(0, np.int64)
    for r, lrow in zip(rows, leaders, strict=True):
        if t.leader[r] >= 0 and lrow >= 0:
            leader = (
                f"{i18n.t('citizen', lang)} {int(t.leader[r])} "
                f"({i18n.t('age', lang)} {int(pop.age_m[lrow]) // 12})"
            )
        else:
            leader = i18n.t("nobody", lang)
        partners = [f"{i18n.t('volunteers', lang)}: {int(t.volunteers[r])}"]
        if t.assoc_partner[r] >= 0:
            partners.append(f"{i18n.t('association', lang)} {int(t.assoc_partner[r])}")
        if t.business_partner[r] >= 0:
            partners.append(f"{i18n.t('business', lang)} {int(t.business_partner[r])}")
        if t.admin_partner[r]:
            partners.append(i18n.t("administration", lang))
        out.append(
            {
                i18n.t("col_id", lang): int(r),
                i18n.t("col_domain", lang): i18n.domain(SERVICE_DOMAINS[int(t.domain[r])], lang),
                i18n.t("col_stage", lang): i18n.stage(STAGES[int(t.stage[r])], lang),
                i18n.t("col_months", lang): int(t.months_in_stage[r]),
                i18n.t("col_district", lang): model.district_names[int(t.district[r])],
                i18n.t("col_leader", lang): leader,
                i18n.t("col_partners", lang): ", ".join(partners),
                i18n.t("col_origin", lang): _origin(model, int(t.origin[r]), lang),
            }
        )
    return out


def _origin(model, code: int, lang: str) -> str:
    if code == 0:
        return i18n.t("citizens_origin", lang)
    if code > 1:  # instruments with an origin code of their own
        for iv in model.interventions:
            if iv.origin == code:
                return i18n.instrument(iv.type, lang)[0]
    return i18n.t("lab_origin", lang)


def lab_report(model, lang: str) -> list[dict[str, str]]:
    """What each instrument did so far: sums over the months (stocks: this month), the
    figures written in ``lang`` (amounts in EUR, counts whole)."""
    totals: dict[tuple[str, str], dict[str, float]] = {}
    latest: dict[str, dict[str, float]] = {}
    for _, label, kind, counts in model.intervention_log:
        acc = totals.setdefault((label, kind), {})
        for metric, value in counts.items():
            acc[metric] = acc.get(metric, 0.0) + value
        latest[label] = counts
    rows = []
    for (label, kind), acc in totals.items():
        name = i18n.instrument(kind, lang)[0]
        if label != kind:
            name = f"{name} ({label})"
        if illustrative(kind):
            name = f"{name} {i18n.t('illustrative_mark', lang)}"
        for metric, value in acc.items():
            if metric in i18n.STOCKS:
                value = latest[label].get(metric, 0.0)
            if value == 0 and metric not in ("money_eur", "staff_hours"):
                continue
            rows.append(
                {
                    i18n.t("col_instrument", lang): name,
                    i18n.t("col_what", lang): i18n.lab_metric(metric, lang),
                    i18n.t("col_total", lang): _lab_figure(metric, float(value), lang),
                }
            )
    return rows


def lab_certainty(model, lang: str) -> str:
    """How certain the effect the app shows is (Markdown): one replicate at the central
    parameter values, and for each instrument switched on how many of its own parameters
    rest on published evidence (the evidence register), illustrative ones marked."""
    kinds = sorted({spec.type for spec in model.spec.intervention_specs})
    parts = []
    for kind in kinds:
        n, m = evidenced_share(kind)
        part = f"{i18n.instrument(kind, lang)[0]} {i18n.t('evidenced_of', lang).format(n=n, m=m)}"
        if illustrative(kind):
            part += f" {i18n.t('illustrative_mark', lang)}"
        parts.append(part)
    return i18n.t("certainty", lang).format(grades="; ".join(parts))


def _lab_figure(metric: str, value: float, lang: str) -> str:
    if metric.endswith("_eur"):
        return numbers.eur(value, lang)
    return numbers.count(value, lang)


def lab_table(model, lang: str) -> pd.DataFrame:
    """The lab report as a table numbered from 1 (the app shows the index as "#")."""
    rows = lab_report(model, lang)
    return pd.DataFrame(rows, index=pd.RangeIndex(1, len(rows) + 1))
