"""The app's pictures as plain matplotlib figures (testable without a browser).

* :func:`city_map`: districts coloured by an indicator, initiatives as markers (colour =
  domain, shape = stage), for one of the two cities of a :class:`~kosi_sim.app.twin.CityPair`;
* :func:`time_charts`: engagement, coverage, trust, initiatives, budget and population over
  time, the city with its lab as solid lines, without as dashed lines;
* :func:`initiative_rows`: the open initiatives as table rows.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..agents.initiatives import OPEN_STAGES, STAGES
from ..metrics import INDEX
from ..services import SERVICE_DOMAINS
from . import i18n
from .geometry import DistrictMap

DOMAIN_COLOURS = dict(
    zip(SERVICE_DOMAINS, ("#d62728", "#1f77b4", "#9467bd", "#2ca02c"), strict=True)
)
STAGE_MARKERS = {"idea": ".", "proposal": "^", "gate": "s", "active": "o", "sustained": "*"}
#: share-type indicators are drawn on a fixed 0..1 scale, coverage on 0..1.5
FIXED_RANGES = {"coverage": (0.0, 1.5)}
MONTHS_PER_YEAR = 12


def district_values(model, metric: str) -> np.ndarray:
    """This month's value of ``metric`` per district."""
    return model.recorder.history[-1][INDEX[metric], : model.n_districts]


def _range(metric: str, values: np.ndarray) -> tuple[float, float]:
    if metric.startswith("coverage"):
        return FIXED_RANGES["coverage"]
    hi = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    return 0.0, max(hi * 1.2, 0.05) if hi < 0.5 else 1.0


def city_map(
    model, dmap: DistrictMap, metric: str, lang: str, title: str = "", vmax: float | None = None
) -> Figure:
    """One city: districts coloured by ``metric``, open initiatives as markers."""
    values = district_values(model, metric)
    lo, hi = _range(metric, values)
    if vmax is not None:
        hi = vmax
    cmap = colormaps["viridis"]
    norm = Normalize(lo, hi)
    rgba = np.ones((*dmap.labels.shape, 4))
    inside = dmap.labels >= 0
    rgba[inside] = cmap(norm(values[dmap.labels[inside]]))
    fig = Figure(figsize=(5.2, 5.0), layout="constrained")
    ax = fig.subplots()
    ax.imshow(rgba, origin="lower", interpolation="nearest")
    ax.contour(
        dmap.labels, levels=np.arange(-0.5, model.n_districts), colors="white", linewidths=1.2
    )
    for d, (x, y) in enumerate(dmap.centres):
        ax.text(
            x,
            y,
            f"{model.district_names[d]}\n{values[d]:.2f}",
            ha="center",
            va="center",
            fontsize=7,
            color="white",
            bbox={"facecolor": "black", "alpha": 0.45, "pad": 1.5, "linewidth": 0},
        )
    _initiative_markers(ax, model, dmap)
    fig.colorbar(
        matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap),
        ax=ax,
        shrink=0.7,
        label=i18n.indicator(metric, lang),
    )
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()
    fig.legend(handles=legend_handles(lang), loc="outside lower center", ncols=5, fontsize=6.5)
    return fig


def _initiative_markers(ax, model, dmap: DistrictMap) -> None:
    t = model.initiatives
    rows = t.open_rows()
    if len(rows) == 0:
        return
    xy = dmap.points(t.district[rows], rows)
    stages = t.stage[rows]
    domains = t.domain[rows]
    for s in OPEN_STAGES:
        for k, dom in enumerate(SERVICE_DOMAINS):
            m = (stages == s) & (domains == k)
            if m.any():
                ax.scatter(
                    xy[m, 0],
                    xy[m, 1],
                    marker=STAGE_MARKERS[STAGES[s]],
                    s=70 if STAGES[s] == "sustained" else 28,
                    c=DOMAIN_COLOURS[dom],
                    edgecolors="white",
                    linewidths=0.6,
                    zorder=3,
                )


def legend_handles(lang: str) -> list[Line2D]:
    """Legend entries: one per domain (colour) and per open stage (shape)."""
    out = [
        Line2D([], [], marker="o", ls="", color=c, label=i18n.domain(d, lang))
        for d, c in DOMAIN_COLOURS.items()
    ]
    out += [
        Line2D([], [], marker=m, ls="", color="grey", label=i18n.stage(s, lang))
        for s, m in STAGE_MARKERS.items()
    ]
    return out


CHARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("engagement", ("engaged_share",)),
    ("coverage", ("coverage_mean", *(f"coverage_{d}" for d in SERVICE_DOMAINS))),
    ("trust", ("trust_share",)),
    ("initiatives", ("initiatives_active",)),
    ("budget", ("budget_balance",)),
    ("population", ("population",)),
)


def series(model, metric: str) -> np.ndarray:
    """A city-wide metric over the months so far, in real-city units."""
    from ..metrics import SCALED

    values = model.recorder.series(metric)
    return values / model.scale if metric in SCALED else values


def time_charts(pair, lang: str) -> Figure:
    """All charts over time; solid = with lab, dashed = without lab."""
    fig = Figure(figsize=(10, 6.4), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    months = np.array(pair.with_lab.recorder.months) / MONTHS_PER_YEAR
    colours = ["black", *DOMAIN_COLOURS.values()]
    for ax, (name, metrics) in zip(axes, CHARTS, strict=True):
        for colour, metric in zip(colours, metrics, strict=False):
            label = None
            if metric.startswith("coverage_") and metric != "coverage_mean":
                label = i18n.domain(metric.removeprefix("coverage_"), lang)
            elif name == "coverage":
                label = i18n.t("city_total", lang)
            ax.plot(months, series(pair.with_lab, metric), color=colour, lw=1.6, label=label)
            ax.plot(months, series(pair.without_lab, metric), color=colour, lw=1.2, ls="--")
        ax.set_title(i18n.chart(name, lang), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_xlabel(i18n.t("year", lang), fontsize=7)
        ax.grid(alpha=0.3)
        if name == "coverage":
            ax.legend(fontsize=6, ncols=2)
    style = [
        Line2D([], [], color="black", lw=1.6, label=i18n.t("with_lab", lang)),
        Line2D([], [], color="black", lw=1.2, ls="--", label=i18n.t("without_lab", lang)),
    ]
    fig.legend(handles=style, loc="outside upper right", ncols=2, fontsize=8)
    return fig


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
        partners = [f"{int(t.volunteers[r])} {i18n.t('volunteers', lang)}"]
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
