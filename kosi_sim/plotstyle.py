"""One style for every figure: readable labels from the metric registry, units on the axes,
percent axes for shares, no offset notation, legends outside the data, enough colours for
many districts.

Figures call :func:`metric_axis` for each panel that shows metrics of one unit, and
:func:`legend_outside` instead of ``ax.legend``.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker as ticker

from .metrics import METRICS

_UNIT = {m.name: m.unit for m in METRICS}
_DOC = {m.name: m.doc for m in METRICS}
#: units of counts (whole numbers with thousands separators)
_COUNTS = ("persons", "count")


def is_share(unit: str) -> bool:
    """Units that are fractions of a whole (shown in percent)."""
    return unit.startswith("share")


def readable(metric: str) -> str:
    """A metric's name as words ("share_65plus" -> "share 65+")."""
    return metric.replace("plus", "+").replace("_", " ")


def unit_of(metric: str) -> str:
    return _UNIT.get(metric, "")


def label(metric: str) -> str:
    """A metric's meaning in words from the registry ("Engaged (volunteering) share of
    people aged 14+"); the readable name for a metric the registry does not know."""
    return _DOC.get(metric, readable(metric))


def value_text(metric: str, value: float, change: bool = False) -> str:
    """A metric's value as text for tables and sentences: shares in percent (changes in
    percentage points), counts with thousands separators, euros as "EUR 1,234/month",
    other numbers with three decimals; a change always carries its sign; NaN as "n/a"."""
    if value != value:
        return "n/a"
    unit = unit_of(metric)
    sign = "+" if change else ""
    if is_share(unit):
        if not change:
            return f"{value:.1%}"
        points = value * 100
        return f"{points:+.1f} pp" if abs(points) >= 1 or points == 0 else f"{points:+.2f} pp"
    if unit.startswith("EUR"):
        per = unit.removeprefix("EUR")
        return f"{'-' if value < 0 else sign}EUR {abs(value):,.0f}{per}"
    if unit.startswith(_COUNTS):
        return f"{value:{sign},.0f}" if abs(value) >= 100 else f"{value:{sign},.1f}"
    return f"{value:{sign}.3f}"


def metric_axis(ax, unit: str, *, change: bool = False, from_zero: bool = True) -> None:
    """Label and format the y axis for values of ``unit``: shares in percent (changes in
    percentage points), other numbers with thousands separators and never an offset
    ("1e6" above the axis).  Non-negative values start at zero (unless ``from_zero`` is
    False, and then the label says so); values around zero get a zero line.  Call it after
    plotting."""
    if is_share(unit):
        if change:
            ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v * 100:+.1f}"))
            label = f"change, percentage points ({unit})"
        else:
            ax.yaxis.set_major_formatter(ticker.PercentFormatter(1.0, decimals=0))
            label = f"percent ({unit})"
    else:
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: _number(v, change)))
        label = f"change ({unit})" if change else unit
    if change:
        ax.axhline(0.0, color="black", lw=0.8)
    elif from_zero and ax.dataLim.y0 >= 0:
        ax.set_ylim(bottom=0)
    elif ax.dataLim.y0 < 0 < ax.dataLim.y1:
        ax.axhline(0.0, color="black", lw=0.6)
    else:
        label += "; axis not from 0"
    ax.set_ylabel(label, fontsize=8)


def _number(v: float, signed: bool) -> str:
    """A tick label: whole numbers with thousands separators from 1,000 on, else three
    significant digits; never scientific notation."""
    sign = "+" if signed else ""
    if abs(v) >= 1000:
        return f"{v:{sign},.0f}"
    return f"{v:{sign}.3g}"


def colours(n: int) -> list:
    """``n`` distinguishable colours (tab10 up to 10, tab20 beyond)."""
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(n)]


def legend_outside(ax, fontsize: int = 7) -> None:
    """The legend to the right of the panel, never over the data."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=fontsize, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def mark_start(ax, year: float, label: str = "lab starts") -> None:
    """A vertical line where an intervention starts."""
    ax.axvline(year, color="0.3", lw=0.8, ls="--")
    ax.annotate(
        label,
        (year, 1.0),
        xycoords=("data", "axes fraction"),
        fontsize=7,
        xytext=(2, -10),
        textcoords="offset points",
        color="0.3",
    )


def png(fig, dpi: int = 100) -> bytes:
    """The figure as PNG bytes; the figure is closed."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()
