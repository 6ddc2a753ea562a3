"""Numbers as the app's language writes them: "1,234.5" and "12.3%" in English, "1.234,5"
and "12,3 %" in German, amounts as "EUR 24,120" or "24.120 EUR".

The same rules reach the browser: :func:`chart_format` describes them for the chart
widget (:func:`kosi_sim.app.widgets.Chart`), whose script formats axis labels and
tooltips with the separators given here, so the server and the charts never disagree.
"""

from __future__ import annotations

import math
import re

from ..metrics import METRICS

#: decimal mark, thousands separator and what follows a percentage, per language;
#: German puts a no-break space before "%" and "EUR" (DIN 5008)
SEPARATORS: dict[str, dict[str, str]] = {
    "en": {"decimal": ".", "group": ",", "percent": "%"},
    "de": {"decimal": ",", "group": ".", "percent": "\u00a0%"},
}
NBSP = "\u00a0"

_UNIT = {m.name: m.unit for m in METRICS}


def number(x: float, lang: str, decimals: int = 0, *, signed: bool = False) -> str:
    """``x`` with thousands separators and ``decimals`` places ("-1,234.5" / "-1.234,5");
    "+" before positive values if ``signed``; never "-0"."""
    if x is None or not math.isfinite(x):
        return "–"
    text = _swap(f"{abs(x):,.{decimals}f}", lang)
    if float(f"{abs(x):.{decimals}f}") == 0:
        return text
    return ("-" if x < 0 else "+" if signed else "") + text


def _swap(text: str, lang: str) -> str:
    """Python's "1,234.5" in ``lang``'s separators."""
    sep = SEPARATORS[lang]
    return text.replace(",", "\0").replace(".", sep["decimal"]).replace("\0", sep["group"])


def short(x: float, lang: str) -> str:
    """A setting's value as briefly as it is exact ("0.05", "1,500"; "0,05", "1.500")."""
    if isinstance(x, int) or float(x).is_integer():
        return number(x, lang)
    return _swap(f"{x:,g}", lang)


def parse(text: str, lang: str) -> float:
    """A number typed in ``lang``'s way ("1,234.5" / "1.234,5"; separators of thousands
    optional but only between groups of three digits); ValueError otherwise."""
    sep = SEPARATORS[lang]
    g, d = re.escape(sep["group"]), re.escape(sep["decimal"])
    text = text.strip().replace(NBSP, "").replace(" ", "")
    if not re.fullmatch(rf"[+-]?(\d{{1,3}}({g}\d{{3}})+|\d+)({d}\d+)?|[+-]?{d}\d+", text):
        raise ValueError(f"not a number: {text!r}")
    return float(text.replace(sep["group"], "").replace(sep["decimal"], "."))


def percent(share: float, lang: str, decimals: int = 1, *, signed: bool = False) -> str:
    """A share (0..1) in percent: "12.3%" / "12,3 %"."""
    if share is None or not math.isfinite(share):
        return "–"
    return number(share * 100, lang, decimals, signed=signed) + SEPARATORS[lang]["percent"]


def eur(amount: float, lang: str) -> str:
    """A whole amount of euros: "EUR 24,120" / "24.120 EUR"."""
    text = number(amount, lang)
    return f"EUR{NBSP}{text}" if lang == "en" else f"{text}{NBSP}EUR"


def count(x: float, lang: str) -> str:
    """A whole number with thousands separators ("1,234"; never "1234.0")."""
    return number(round(x), lang)


def unit_kind(unit: str) -> str:
    """How values of a metric unit are written: percent, eur, count or ratio."""
    if unit.startswith("share"):
        return "percent"
    if unit.startswith("EUR"):
        return "eur"
    if unit in ("count", "persons"):
        return "count"
    return "ratio"


def metric_kind(metric: str) -> str:
    """How values of ``metric`` are written (its unit from the metric registry)."""
    return unit_kind(_UNIT.get(metric, ""))


def metric_value(metric: str, x: float, lang: str) -> str:
    """This value of ``metric`` in the way its unit is written."""
    kind = metric_kind(metric)
    if kind == "percent":
        return percent(x, lang)
    if kind == "eur":
        return eur(x, lang)
    if kind == "count":
        return count(x, lang)
    return number(x, lang, 2)


def chart_format(metric: str, lang: str) -> dict[str, object]:
    """How the chart script writes the values of ``metric`` (axis labels and tooltips).

    ``percent``: multiply by 100 and add the percent sign; ``decimals``: places in the
    tooltip, ``axis_decimals``: at most this many on the axis, trailing zeros dropped (the
    ticks are round numbers, so "45,95 %" stays apart from "46 %"); ``suffix`` and
    ``prefix``: the unit around tooltip values (the axis has it in the chart's title).
    """
    kind = metric_kind(metric)
    sep = SEPARATORS[lang]
    spec: dict[str, object] = {
        "decimal": sep["decimal"],
        "group": sep["group"],
        "percent": kind == "percent",
        "percent_sign": sep["percent"],
        "decimals": {"percent": 1, "eur": 0, "count": 0, "ratio": 2}[kind],
        "axis_decimals": 4,
        "prefix": "",
        "suffix": "",
    }
    if kind == "eur":
        if lang == "en":
            spec["prefix"] = f"EUR{NBSP}"
        else:
            spec["suffix"] = f"{NBSP}EUR"
    return spec
