"""English and German labels of the app: interface texts, indicators, stages, domains.

``t(key, lang)`` returns the label; a missing German label is a bug that the test suite
catches (every key has both languages).  Instrument names and the labels of their own
parameters live in :mod:`kosi_sim.app.labels_instruments`.
"""

from __future__ import annotations

from .labels_instruments import INSTRUMENTS, PARAMS

LANGS = ("en", "de")

UI: dict[str, tuple[str, str]] = {
    # key: (English, German)
    "title": ("kosi-sim: co-producing a city", "kosi-sim: Stadt gemeinsam gestalten"),
    "page_title": ("kosi-sim – co-producing a city", "kosi-sim – Stadt gemeinsam gestalten"),
    "reset": ("Reset", "Zurücksetzen"),
    "play": ("▶ Play", "▶ Abspielen"),
    "pause": ("❚❚ Pause", "❚❚ Anhalten"),
    "step": ("Step", "Schritt"),
    "step_error": ("The step failed: {error}", "Der Schritt ist fehlgeschlagen: {error}"),
    "reset_error": ("Reset failed: {error}", "Zurücksetzen fehlgeschlagen: {error}"),
    "number_error": (
        "{text!r} is not a number; write e.g. 1,234.5",
        "{text!r} ist keine Zahl; z. B. 1.234,5 schreiben",
    ),
    "seed_error": (
        "{text!r} is not allowed; allowed: a whole number 0, 1, 2, ...",
        "{text!r} ist nicht erlaubt; erlaubt: eine ganze Zahl 0, 1, 2, ...",
    ),
    "controls": ("Run", "Lauf"),
    "city": ("City and drivers", "Stadt und Treiber"),
    "scenario": ("Scenario", "Szenario"),
    "seed": ("Seed (same seed, same city)", "Zufallszahl (gleiche Zahl, gleiche Stadt)"),
    "lab": ("Lab instruments", "Instrumente des Labors"),
    "budget": ("Budget (EUR per year)", "Budget (EUR pro Jahr)"),
    "staff": ("Staff (full-time posts)", "Personal (Vollzeitstellen)"),
    "more": ("Details", "Details"),
    "apply_hint": (
        "Changes take effect on Reset.",
        "Änderungen wirken nach „Zurücksetzen“.",
    ),
    "month": ("Month", "Monat"),
    # the first point of a run, named as in the summary of `kosi-sim run`
    "month_start": ("Month 0 (after spin-up)", "Monat 0 (nach der Einschwingphase)"),
    "month_of": ("{month} of {months}", "{month} von {months}"),
    "year": ("Year", "Jahr"),
    "tab_map": ("Map", "Karte"),
    "tab_charts": ("Over time", "Zeitverlauf"),
    "tab_initiatives": ("Initiatives", "Initiativen"),
    "tab_about": ("About", "Über das Modell"),
    "tab_lab": ("Lab report", "Bericht des Labors"),
    "illustrative_mark": (
        "(illustrative: no published evidence)",
        "(illustrativ: ohne veröffentlichte Belege)",
    ),
    # how certain the lab's effect in the app is: one replicate of chance at the parameters'
    # central values, with the evidence behind each instrument switched on (the answer the
    # app gives to issue 20; intervals over parameters come from `compare --uncertainty`)
    "certainty": (
        "**How certain is the lab's effect shown here?** The two cities differ by the lab "
        "and nothing else, but this is one run of chance at the parameters' central values: "
        "it has no interval. Most parameters are assumptions; evidence behind the "
        "instruments switched on (own parameters from published figures): {grades}. For the "
        "effect with its 90% interval over parameters and chance, and the share of its "
        "variance due to the parameters, run `kosi-sim compare SCENARIO --uncertainty prior`.",
        "**Wie sicher ist die hier gezeigte Wirkung des Labors?** Die beiden Städte "
        "unterscheiden sich nur durch das Labor, doch dies ist ein einzelner Lauf des Zufalls "
        "bei den mittleren Parameterwerten: ohne Intervall. Die meisten Parameter sind "
        "Annahmen; Belege hinter den eingeschalteten Instrumenten (eigene Parameter aus "
        "veröffentlichten Zahlen): {grades}. Die Wirkung mit ihrem 90-%-Intervall über "
        "Parameter und Zufall und dem Anteil ihrer Varianz, der auf die Parameter entfällt, "
        "zeigt `kosi-sim compare SZENARIO --uncertainty prior`.",
    ),
    "evidenced_of": ("{n} of {m}", "{n} von {m}"),
    "col_instrument": ("Instrument", "Instrument"),
    "col_what": ("What", "Was"),
    "col_total": ("So far", "Bisher"),
    "no_lab": ("No instrument is switched on.", "Kein Instrument ist eingeschaltet."),
    "with_lab": ("with lab", "mit Labor"),
    "without_lab": ("without lab", "ohne Labor"),
    "indicator": ("Colour districts by", "Stadtbezirke färben nach"),
    "no_initiatives": ("No open initiatives yet.", "Noch keine offenen Initiativen."),
    "col_id": ("No.", "Nr."),
    "col_domain": ("Domain", "Bereich"),
    "col_stage": ("Stage", "Phase"),
    "col_months": ("Months in stage", "Monate in Phase"),
    "col_district": ("District", "Stadtbezirk"),
    "col_leader": ("Led by", "Geleitet von"),
    "col_partners": ("Partners", "Partner"),
    "col_origin": ("Started by", "Angestoßen von"),
    "citizen": ("citizen", "Bürger:in"),
    "age": ("age", "Alter"),
    "volunteers": ("volunteers", "Engagierte"),
    "association": ("Verein", "Verein"),
    "business": ("business", "Unternehmen"),
    "administration": ("administration", "Verwaltung"),
    "nobody": ("nobody yet", "noch niemand"),
    "citizens_origin": ("citizens", "Bürgerschaft"),
    "lab_origin": ("the lab", "das Labor"),
    "scaled_note": (
        "Simulated with 1 in {n} inhabitants; figures are for the whole city.",
        "Simuliert mit 1 von {n} Einwohner:innen; Zahlen gelten für die ganze Stadt.",
    ),
    "language": ("Deutsch", "English"),
    "map_note": (
        "Schematic map: districts placed by their order and remoteness, areas roughly "
        "proportional to population (not geographic).",
        "Schematische Karte: Lage nach Reihenfolge und Abgelegenheit der Bezirke, Fläche "
        "etwa proportional zur Einwohnerzahl (nicht geografisch).",
    ),
    "city_total": ("city", "Stadt"),
    "about": (
        "Each run shows the same city twice on common random numbers: once with the lab "
        "instruments switched on (solid lines), once without (dashed). Differences between "
        "the two are the lab's effect, not chance. Set the drivers and instruments on the "
        "left, press Reset, then Step or Play. One step is one month. Month 0 is the "
        "city after the spin-up that starts every run.",
        "Jeder Lauf zeigt dieselbe Stadt zweimal mit denselben Zufallszahlen: einmal mit "
        "den eingeschalteten Instrumenten des Labors (durchgezogen), einmal ohne "
        "(gestrichelt). Unterschiede sind die Wirkung des Labors, kein Zufall. Treiber und "
        "Instrumente links einstellen, „Zurücksetzen“ drücken, dann „Schritt“ oder "
        "„Abspielen“. Ein Schritt ist ein Monat. Monat 0 ist der Stand nach der "
        "Einschwingphase, mit der jeder Lauf beginnt.",
    ),
    "initiatives_total": ("open initiatives", "offene Initiativen"),
}

DRIVERS: dict[str, tuple[str, str]] = {
    "demographic_pressure": ("Demographic pressure", "Demografischer Druck"),
    "civic_engagement": ("Civic engagement", "Bürgerschaftliches Engagement"),
}

#: district indicators of the map: metric name -> (English, German)
INDICATORS: dict[str, tuple[str, str]] = {
    "engaged_share": ("Engaged share (14+)", "Anteil Engagierter (14+)"),
    "coverage_mean": ("Coverage, all domains", "Versorgung, alle Bereiche"),
    "coverage_care": ("Coverage: care", "Versorgung: Pflege und Sorge"),
    "coverage_mobility": ("Coverage: mobility", "Versorgung: Mobilität"),
    "coverage_social": ("Coverage: social life", "Versorgung: Soziales"),
    "coverage_space": ("Coverage: public space", "Versorgung: öffentlicher Raum"),
    "housing_vacancy": ("Vacant dwellings", "Wohnungsleerstand"),
    "premises_vacancy": ("Vacant shops and premises", "Leerstand Ladenlokale"),
    "trust_share": ("Trust in the administration", "Vertrauen in die Verwaltung"),
    "share_65plus": ("Share 65+", "Anteil 65+"),
}

#: charts over time: (title key, metrics) ; each metric drawn with and without the lab
CHART_LABELS: dict[str, tuple[str, str]] = {
    "engagement": ("Engaged share (14+)", "Anteil Engagierter (14+)"),
    "coverage": ("Service coverage (1 = needs met)", "Versorgung (1 = Bedarf gedeckt)"),
    "trust": ("Trust in the administration", "Vertrauen in die Verwaltung"),
    "initiatives": ("Producing initiatives", "Aktive Initiativen"),
    "budget": ("Municipal budget balance (EUR/month)", "Haushaltssaldo (EUR/Monat)"),
    "population": ("Population", "Einwohner:innen"),
    "by_age": ("Engaged share by age", "Anteil Engagierter nach Alter"),
    "burnout": ("Burnout of the engaged (0..1)", "Erschöpfung der Engagierten (0..1)"),
    "hours": ("Engaged giving 6+ h a week", "Engagierte mit 6+ Std. pro Woche"),
}

AGE_GROUPS: dict[str, tuple[str, str]] = {
    "engaged_share_14_29": ("14-29", "14-29"),
    "engaged_share_30_49": ("30-49", "30-49"),
    "engaged_share_50_64": ("50-64", "50-64"),
    "engaged_share_65plus": ("65+", "65+"),
}

#: what the lab's instruments did (sums over the months so far; STOCKS: this month's value)
LAB_METRICS: dict[str, tuple[str, str]] = {
    "money_eur": ("money spent (EUR)", "ausgegebenes Geld (EUR)"),
    "staff_hours": ("staff hours worked", "geleistete Personalstunden"),
    "staff_cost_eur": ("staff cost (EUR)", "Personalkosten (EUR)"),
    "reached": ("citizens reached", "erreichte Bürger:innen"),
    "ideas": ("ideas", "Ideen"),
    "proposals": ("proposals", "Vorschläge"),
    "approvals": ("approvals", "Genehmigungen"),
    "rejections": ("rejections", "Ablehnungen"),
    "initiatives_launched": ("initiatives launched", "angestoßene Initiativen"),
    "cases": ("proposals accompanied", "begleitete Vorschläge"),
    "courses": ("courses", "Kurse"),
    "trained": ("citizens trained", "qualifizierte Bürger:innen"),
    "consultations": ("consultations", "Beratungen"),
    "rooms_given": ("rooms given", "vergebene Räume"),
    "submissions": ("submissions", "Einreichungen"),
    "shortlisted": ("shortlisted", "in der Vorauswahl"),
    "funded": ("funded", "gefördert"),
    "matched": ("volunteers placed", "vermittelte Engagierte"),
    "ideas_submitted": ("ideas submitted", "eingereichte Ideen"),
    "finalists": ("finalists", "Finalisten"),
    "voters": ("voters", "Abstimmende"),
    "votes_cast": ("votes cast", "abgegebene Stimmen"),
    "projects_funded": ("projects funded", "geförderte Projekte"),
    "residents_14plus": (
        "residents aged 14+ at the call",
        "Einwohner:innen ab 14 beim Aufruf",
    ),
    "tables_running": ("round tables meeting now", "laufende Runde Tische"),
    "meetings": ("meetings", "Sitzungen"),
    "tables_converged": (
        "tables that agreed on an initiative",
        "Tische mit gemeinsamer Initiative",
    ),
    "tables_failed": ("tables that broke up", "gescheiterte Tische"),
    "grants": ("grants", "Zuschüsse"),
    "recruited": ("citizens drawn in", "gewonnene Bürger:innen"),
    "premises_used": ("premises in use now", "genutzte Räume (jetzt)"),
    "transfers": ("transfers to other districts", "Übertragungen in andere Bezirke"),
}
STOCKS = ("tables_running", "premises_used")

STAGES: dict[str, tuple[str, str]] = {
    "idea": ("idea", "Idee"),
    "proposal": ("proposal", "Vorschlag"),
    "gate": ("waiting for approval", "in Prüfung"),
    "active": ("active", "aktiv"),
    "sustained": ("sustained", "verstetigt"),
    "failed": ("failed", "gescheitert"),
    "rejected": ("rejected", "abgelehnt"),
    "dropped": ("dropped", "aufgegeben"),
    "ended": ("ended", "beendet"),
}

DOMAINS: dict[str, tuple[str, str]] = {
    "care": ("care", "Pflege und Sorge"),
    "mobility": ("mobility", "Mobilität"),
    "social": ("social life", "Soziales"),
    "space": ("public space", "öffentlicher Raum"),
}

#: texts of Vuetify's own parts the app uses (the data tables' footer), by Vuetify key
VUETIFY: dict[str, tuple[str, str]] = {
    "dataTable.itemsPerPageText": ("Rows per page:", "Zeilen pro Seite:"),
    "dataTable.sortBy": ("Sort by", "Sortieren nach"),
    "dataFooter.itemsPerPageText": ("Items per page:", "Einträge pro Seite:"),
    "dataFooter.itemsPerPageAll": ("All", "Alle"),
    "dataFooter.pageText": ("{0}-{1} of {2}", "{0}–{1} von {2}"),
    "dataFooter.nextPage": ("Next page", "Nächste Seite"),
    "dataFooter.prevPage": ("Previous page", "Vorherige Seite"),
    "dataFooter.firstPage": ("First page", "Erste Seite"),
    "dataFooter.lastPage": ("Last page", "Letzte Seite"),
    "dataIterator.noResultsText": ("No matching records found", "Keine passenden Einträge"),
    "dataIterator.loadingText": ("Loading items...", "Lade Einträge ..."),
    "noDataText": ("No data available", "Keine Daten vorhanden"),
}

#: every (English, German) table, for the completeness test
TABLES = (
    UI,
    DRIVERS,
    INDICATORS,
    CHART_LABELS,
    AGE_GROUPS,
    LAB_METRICS,
    STAGES,
    DOMAINS,
    VUETIFY,
)


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    return lang


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[LANGS.index(lang)]


def t(key: str, lang: str) -> str:
    """The interface text ``key`` in ``lang``."""
    return _pick(UI[key], lang)


def driver(name: str, lang: str) -> str:
    return _pick(DRIVERS[name], lang)


def indicator(name: str, lang: str) -> str:
    return _pick(INDICATORS[name], lang)


def chart(name: str, lang: str) -> str:
    return _pick(CHART_LABELS[name], lang)


def stage(name: str, lang: str) -> str:
    return _pick(STAGES[name], lang)


def domain(name: str, lang: str) -> str:
    return _pick(DOMAINS[name], lang)


def lab_metric(name: str, lang: str) -> str:
    return _pick(LAB_METRICS[name], lang)


def age_group(metric: str, lang: str) -> str:
    return _pick(AGE_GROUPS[metric], lang)


def instrument(kind: str, lang: str) -> tuple[str, str]:
    """(name, one-line explanation) of a lab instrument."""
    return INSTRUMENTS[kind][lang]


def instrument_param(kind: str, name: str, lang: str) -> str:
    return PARAMS[f"{kind}.{name}"][lang]


def vuetify_messages(lang: str) -> dict[str, dict[str, str] | str]:
    """Vuetify's texts in ``lang``, nested as Vuetify's locale objects are."""
    out: dict = {}
    for key, pair in VUETIFY.items():
        *path, leaf = key.split(".")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = _pick(pair, lang)
    return out
