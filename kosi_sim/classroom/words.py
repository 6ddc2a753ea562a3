"""The classroom's texts in English and German, and the year told in plain words.

Indicator and instrument names come from the app's :mod:`kosi_sim.app.i18n` where it has
them; the rest is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..app import i18n
from ..compare import CLEAR_DECREASE, CLEAR_INCREASE
from . import roles

LANGS = ("en", "de")

UI: dict[str, tuple[str, str]] = {
    "played": ("your city", "eure Stadt"),
    "twin": ("twin (defaults)", "Zwilling (Voreinstellungen)"),
    "year": ("year", "Jahr"),
    "role": ("role", "Rolle"),
    "source": ("source", "Quelle"),
    "decision": ("decision", "Entscheidung"),
    "decisions": ("Decisions", "Entscheidungen"),
    "debrief": ("Debrief", "Nachbesprechung"),
    "effects": (
        "Difference to the twin in the last year",
        "Unterschied zum Zwilling im letzten Jahr",
    ),
    "moments": ("Moments worth discussing", "Momente zum Besprechen"),
    "figures": ("Figures", "Abbildungen"),
    "difference_by_year": (
        "Difference to the twin, year by year (your city minus twin)",
        "Unterschied zum Zwilling, Jahr für Jahr (eure Stadt minus Zwilling)",
    ),
    "debrief_intro": (
        "Your city was played year by year; its twin started from the same city and the same "
        "random numbers and kept every decision at the scenario's defaults.",
        "Eure Stadt wurde Jahr für Jahr gespielt; ihr Zwilling begann mit derselben Stadt und "
        "denselben Zufallszahlen und behielt alle Entscheidungen bei den Voreinstellungen.",
    ),
    "uncertainty_how": (
        "Interval: 95% t-interval over the room's pair and further pairs on other seeds, each "
        "replaying your decisions against its own twin. Without further pairs there is no "
        "interval and the difference cannot be told from chance.",
        "Intervall: 95%-t-Intervall über das Paar des Raums und weitere Paare mit anderen "
        "Startwerten, die eure Entscheidungen gegen ihren eigenen Zwilling wiederholen. Ohne "
        "weitere Paare gibt es kein Intervall und der Unterschied ist nicht vom Zufall zu trennen.",
    ),
    "no_interval": (
        "one pair only: no interval, cannot be told from chance",
        "nur ein Paar: kein Intervall, nicht vom Zufall zu trennen",
    ),
    "pairs": ("pairs", "Paare"),
    "moment_change": (
        "Year {year}: the largest change of service coverage in your city ({change}).",
        "Jahr {year}: die größte Veränderung der Versorgung in eurer Stadt ({change}).",
    ),
    "moment_gap": (
        "Year {year}: the gap to the twin's coverage moved most ({change}).",
        "Jahr {year}: der Abstand zur Versorgung des Zwillings änderte sich am stärksten "
        "({change}).",
    ),
    "moment_district": (
        "{district} fell furthest behind its twin in coverage ({change}).",
        "{district} fiel bei der Versorgung am weitesten hinter seinen Zwilling zurück ({change}).",
    ),
    "year_words": (
        "Year {year}: {started} initiatives started, {failed} failed; {founded} Vereine founded, "
        "{dissolved} dissolved; budget balance EUR {balance} over the year; trust {trust} "
        "({trust_change} on last year).",
        "Jahr {year}: {started} Initiativen gestartet, {failed} gescheitert; {founded} Vereine "
        "gegründet, {dissolved} aufgelöst; Haushaltssaldo EUR {balance} im Jahr; Vertrauen "
        "{trust} ({trust_change} zum Vorjahr).",
    ),
    "start_words": (
        "The game has not started: year 1 is being decided.",
        "Das Spiel hat noch nicht begonnen: Jahr 1 wird entschieden.",
    ),
}
INDICATORS: dict[str, tuple[str, str]] = {
    "population": ("Inhabitants", "Einwohner"),
    "initiatives_active": ("Producing initiatives", "Aktive Initiativen"),
    "associations": ("Vereine", "Vereine"),
    "deficit_per_inhabitant": (
        "Deficit per inhabitant (EUR/year)",
        "Defizit je Einwohner (EUR/Jahr)",
    ),
    "initiatives_started": ("Initiatives started", "Gestartete Initiativen"),
    "initiatives_failed": ("Initiatives failed", "Gescheiterte Initiativen"),
    "associations_founded": ("Vereine founded", "Gegründete Vereine"),
    "associations_dissolved": ("Vereine dissolved", "Aufgelöste Vereine"),
    "budget_balance": ("Budget balance (EUR/year)", "Haushaltssaldo (EUR/Jahr)"),
    "service_budget": ("Service budget (EUR/year)", "Budget für Dienste (EUR/Jahr)"),
    "lab_spending": ("Lab spending (EUR/year)", "Ausgaben des Labors (EUR/Jahr)"),
}
VERDICTS = {
    CLEAR_INCREASE: ("clearly higher than the twin", "klar höher als beim Zwilling"),
    CLEAR_DECREASE: ("clearly lower than the twin", "klar niedriger als beim Zwilling"),
}
UNCLEAR = ("cannot be told from zero", "nicht von null zu unterscheiden")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[LANGS.index(lang)]


def t(key: str, lang: str) -> str:
    return _pick(UI[key], lang)


def indicator(name: str, lang: str) -> str:
    if name in INDICATORS:
        return _pick(INDICATORS[name], lang)
    return i18n.indicator(name, lang)


def verdict(v: str, lang: str) -> str:
    return _pick(VERDICTS.get(v, UNCLEAR), lang)


def role(name: str, lang: str) -> str:
    r = roles.BY_NAME[name]
    return r.title_en if lang == "en" else r.title_de


def decision_summary(name: str, d: Mapping[str, Any]) -> str:
    """A decision in one short line: parameters, then the lab's money by instrument."""
    parts = [f"{k}={v:g}" for k, v in d.items() if isinstance(v, int | float)]
    if "lab" in d:
        parts += [
            f"{k}:{v['budget']:,.0f}EUR/{v['staff']:g}FTE"
            for k, v in d["lab"].items()
            if v["budget"] or v["staff"]
        ]
    if "citizens" in d:
        c = d["citizens"]
        parts.append(f"citizens_budget:{'+'.join(c['districts'])}@{c['project_eur']:,.0f}EUR")
    return " ".join(parts)


def year_text(values: Mapping[str, float], previous_trust: float, year: int, lang: str) -> str:
    """What happened in the played city this year, in plain words."""
    if year == 0:
        return t("start_words", lang)
    return t("year_words", lang).format(
        year=year,
        started=round(values["initiatives_started"]),
        failed=round(values["initiatives_failed"]),
        founded=round(values["associations_founded"]),
        dissolved=round(values["associations_dissolved"]),
        balance=f"{values['budget_balance']:,.0f}",
        trust=f"{values['trust_share']:.1%}",
        trust_change=f"{(values['trust_share'] - previous_trust) * 100:+.1f} pp",
    )
