"""The roles of the classroom role-play and their decisions, declared once.

Each role decides, once a simulated year, a few of the model's existing quantities:

* a **parameter** of the catalogue (:mod:`kosi_sim.catalog`), changed in both directions
  within a classroom range through :meth:`CityModel.set_params`;
* the **lab's** yearly budget and staff, split over the ten instruments of
  :data:`kosi_sim.interventions.registry.REGISTRY` and the districts, run for that year
  through :meth:`CityModel.add_intervention`;
* the **citizens' budget** (Bürgerhaushalt, the ``participatory_budget`` instrument) for the
  district councils: which districts it runs in and how big a funded project is.

Every classroom range is an assumption (a range a seminar can explore without leaving what
the catalogue allows); it always contains the scenario's own value, which is each
decision's default and the value the twin city keeps.  :func:`validate` checks a submitted
decision against these limits and refuses with a one-line reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..catalog import CATALOG
from ..interventions.registry import REGISTRY
from ..scenario import Scenario

#: the ten instruments, in the registry's order
INSTRUMENTS: tuple[str, ...] = tuple(REGISTRY)
#: the citizens' budget the district councils steer
CITIZENS_BUDGET = "participatory_budget"
#: its money and staff when the councils play: the instrument's typical small-town values
#: (source: ParticipatoryBudget.typical, as scenarios/classroom_toolbox.toml)
CITIZENS_MONEY = REGISTRY[CITIZENS_BUDGET].typical


class DecisionError(ValueError):
    """A submitted decision outside its role's limits (the message is one line)."""


@dataclass(frozen=True)
class ParamDecision:
    """One catalogue parameter a role sets for the coming year."""

    name: str  # the catalogue's parameter name
    lo: float
    hi: float
    label_en: str
    label_de: str

    def __post_init__(self) -> None:
        p = CATALOG.by_name[self.name]  # KeyError for a name that is no parameter
        lo, hi = p.bounds  # type: ignore[misc]
        if not lo <= self.lo < self.hi <= hi:
            raise ValueError(f"{self.name}: classroom range outside {p.bounds}")

    def limits(self, scn: Scenario) -> tuple[float, float]:
        """The classroom range, widened to the scenario's own value if that lies outside."""
        v = float(scn.params[self.name])
        return min(self.lo, v), max(self.hi, v)


@dataclass(frozen=True)
class Role:
    name: str
    title_en: str
    title_de: str
    task_en: str
    task_de: str
    params: tuple[ParamDecision, ...] = ()
    #: "lab": the lab's budget split; "citizens": the citizens' budget; "": parameters only
    money: str = ""
    optional: bool = False


_P = ParamDecision
# classroom ranges: assumption (about half to twice the catalogue default, within its bounds)
ROLES: tuple[Role, ...] = (
    Role(
        "administration",
        "Administration (Stadtverwaltung)",
        "Stadtverwaltung",
        "Staff the gate for citizens' proposals, set the culture of openness and risk, "
        "speed up procedures, fund services and co-fund initiatives.",
        "Besetzt die Prüfstelle für Bürgervorschläge, prägt Offenheit und Risikokultur, "
        "beschleunigt Verfahren, finanziert Dienste und kofinanziert Initiativen.",
        (
            _P(
                "gate_staff_per_100k",
                0.0,
                30.0,
                "Gate staff (FTE per 100,000)",
                "Prüfstelle (VZÄ je 100.000)",
            ),
            _P("openness", 0.0, 1.0, "Openness to citizen input", "Offenheit für Bürgerideen"),
            _P("risk_aversion", 0.0, 1.0, "Risk aversion", "Risikoscheu"),
            _P(
                "approval_lead_time",
                1.0,
                12.0,
                "Approval lead time (months; fast track = short)",
                "Bearbeitungszeit (Monate; Schnellverfahren = kurz)",
            ),
            _P(
                "service_budget_share",
                0.04,
                0.16,
                "Service budget (share of revenue)",
                "Budget für Dienste (Anteil der Einnahmen)",
            ),
            _P(
                "cofunding_per_capita",
                0.0,
                5.0,
                "Co-funding fund (EUR per inhabitant a year)",
                "Kofinanzierungsfonds (EUR je Einw. und Jahr)",
            ),
            _P(
                "cofunding_share",
                0.0,
                0.8,
                "Share of an initiative's costs co-funded",
                "Kofinanzierter Kostenanteil",
            ),
        ),
    ),
    Role(
        "lab",
        "Lab of social innovation",
        "Labor für soziale Innovation",
        "Split the lab's yearly budget and staff over the ten instruments and the districts.",
        "Verteilt Jahresbudget und Personal des Labors auf die zehn Instrumente und die Bezirke.",
        money="lab",
    ),
    Role(
        "vereine",
        "Vereine and welfare associations",
        "Vereine und Wohlfahrtsverbände",
        "Decide where volunteers go (Vereine or informal initiatives, service to the public) "
        "and how hard you work at founding Vereine and finding successors.",
        "Entscheidet, wohin Engagierte gehen (Verein oder informelle Initiative, Dienst an der "
        "Allgemeinheit) und wie sehr ihr Gründungen und Nachfolge fördert.",
        (
            _P(
                "association_join_share",
                0.2,
                0.8,
                "New volunteers joining a Verein (vs informal)",
                "Neue Engagierte, die in einen Verein gehen",
            ),
            _P(
                "association_service_share",
                0.05,
                0.4,
                "Verein time serving the public",
                "Vereinszeit für die Allgemeinheit",
            ),
            _P(
                "founding_per_1000_young_engaged",
                0.0,
                7.5,
                "Founding effort (per 1,000 young engaged a year)",
                "Gründungsförderung (je 1.000 junge Engagierte/Jahr)",
            ),
            _P(
                "succession_rate",
                0.05,
                0.6,
                "Succession effort (chance a month to find a leader)",
                "Nachfolgesuche (Chance je Monat)",
            ),
        ),
    ),
    Role(
        "businesses",
        "Local businesses",
        "Lokale Wirtschaft",
        "Decide how engaged your businesses are, whether they open premises to initiatives, "
        "and how much they sponsor and lend staff.",
        "Entscheidet über Engagement der Betriebe, Räume für Initiativen, Sponsoring und "
        "Personal für Initiativen.",
        (
            _P(
                "csr_mean",
                0.0,
                0.4,
                "Corporate engagement (CSR propensity)",
                "Unternehmensengagement (CSR)",
            ),
            _P(
                "business_space_share",
                0.0,
                0.8,
                "Partners offering premises",
                "Partner, die Räume anbieten",
            ),
            _P(
                "business_gift",
                0.0,
                5000.0,
                "Sponsorship per partnership (EUR)",
                "Sponsoring je Partnerschaft (EUR)",
            ),
            _P(
                "business_staff_hours",
                0.0,
                16.0,
                "Staff hours lent a month",
                "Personalstunden je Monat",
            ),
        ),
    ),
    Role(
        "citizens",
        "District councils (citizens)",
        "Bezirksvertretungen (Bürgerschaft)",
        "Steer the citizens' budget: the districts it runs in and the size of a funded project.",
        "Steuert den Bürgerhaushalt: in welchen Bezirken er läuft und wie groß ein Projekt ist.",
        money="citizens",
        optional=True,
    ),
)
BY_NAME: dict[str, Role] = {r.name: r for r in ROLES}
#: the size of one funded project of the citizens' budget, EUR: the instrument's own range
PROJECT_EUR = next(p for p in REGISTRY[CITIZENS_BUDGET].params if p.name == "project_eur")
PROJECT_LIMITS = (1000.0, 20000.0)  # assumption: a small town's project sizes


def role(name: str) -> Role:
    try:
        return BY_NAME[name]
    except KeyError:
        raise DecisionError(f"unknown role {name!r}; roles: {', '.join(BY_NAME)}") from None


# -- the lab's envelope and defaults ------------------------------------------------------
def lab_defaults(scn: Scenario) -> dict[str, dict[str, Any]]:
    """The lab's default split: the scenario's own instruments if it has any (summed by
    type), otherwise every instrument at its typical small-town budget and staff."""
    out: dict[str, dict[str, Any]] = {}
    for s in scn.intervention_specs:
        d = out.setdefault(s.type, {"budget": 0.0, "staff": 0.0, "districts": []})
        d["budget"] += s.budget_eur_per_year
        d["staff"] += s.staff_fte
        names = list(s.districts or [x.name for x in scn.districts])
        d["districts"] = sorted(set(d["districts"]) | set(names), key=names.index)
    if not out:
        for t, cls in REGISTRY.items():
            budget, staff = cls.typical
            out[t] = {"budget": budget, "staff": staff, "districts": []}
    every = [d.name for d in scn.districts]
    full: dict[str, dict[str, Any]] = {}
    for t in INSTRUMENTS:
        d = out.get(t, {"budget": 0.0, "staff": 0.0, "districts": every})
        full[t] = {
            "budget": float(d["budget"]),
            "staff": round(float(d["staff"]), 3),
            "districts": list(d["districts"] or every),
        }
    return full


def lab_envelope(scn: Scenario) -> tuple[float, float]:
    """The lab's yearly budget (EUR) and staff (FTE): what its default split uses."""
    d = lab_defaults(scn).values()
    return math.ceil(sum(x["budget"] for x in d)), math.ceil(sum(x["staff"] for x in d) * 100) / 100


def defaults(name: str, scn: Scenario) -> dict[str, Any]:
    """The scenario's values of a role's decisions (what the twin keeps)."""
    r = role(name)
    out: dict[str, Any] = {p.name: float(scn.params[p.name]) for p in r.params}
    if r.money == "lab":
        out["lab"] = lab_defaults(scn)
    elif r.money == "citizens":
        out["citizens"] = {
            "districts": [d.name for d in scn.districts],
            "project_eur": float(PROJECT_EUR.default),
        }
    return out


# -- validation ----------------------------------------------------------------------------
def _number(value: Any, what: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise DecisionError(f"{what}: {value!r} is not a number; allowed {lo:g} to {hi:g}")
    try:
        x = float(value)
    except ValueError:
        raise DecisionError(
            f"{what}: {value!r} is not a number; allowed {lo:g} to {hi:g}"
        ) from None
    if not math.isfinite(x) or not lo <= x <= hi:
        raise DecisionError(f"{what}: {value!r} is out of range; allowed {lo:g} to {hi:g}")
    return x


def _districts(value: Any, what: str, names: list[str]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DecisionError(f"{what}: a list of districts is needed; districts: {', '.join(names)}")
    bad = [v for v in value if v not in names]
    if bad:
        raise DecisionError(f"{what}: unknown district {bad[0]!r}; districts: {', '.join(names)}")
    if not value:
        raise DecisionError(f"{what}: choose at least one district ({', '.join(names)})")
    return [n for n in names if n in value]


def validate(name: str, values: Any, scn: Scenario) -> dict[str, Any]:
    """A complete, checked decision of role ``name`` (missing entries keep the scenario's
    value); :class:`DecisionError` with one line saying what is wrong otherwise."""
    r = role(name)
    if not isinstance(values, Mapping):
        raise DecisionError("a decision is a JSON object of the role's controls")
    allowed = {p.name for p in r.params} | ({r.money} if r.money else set())
    extra = sorted(set(values) - allowed)
    if extra:
        raise DecisionError(
            f"{extra[0]!r} is not a decision of the {r.name} role; "
            f"allowed: {', '.join(sorted(allowed))}"
        )
    out = defaults(name, scn)
    for p in r.params:
        if p.name in values:
            out[p.name] = _number(values[p.name], p.name, *p.limits(scn))
    names = [d.name for d in scn.districts]
    if r.money == "lab" and "lab" in values:
        out["lab"] = _lab(values["lab"], scn, names)
    if r.money == "citizens" and "citizens" in values:
        c = values["citizens"]
        if not isinstance(c, Mapping) or set(c) - {"districts", "project_eur"}:
            raise DecisionError("citizens: an object with 'districts' and 'project_eur'")
        cur = out["citizens"]
        if "districts" in c:
            cur["districts"] = _districts(c["districts"], "citizens.districts", names)
        if "project_eur" in c:
            cur["project_eur"] = _number(c["project_eur"], "citizens.project_eur", *PROJECT_LIMITS)
    return out


def _lab(value: Any, scn: Scenario, names: list[str]) -> dict[str, dict[str, Any]]:
    money, staff = lab_envelope(scn)
    if not isinstance(value, Mapping):
        raise DecisionError("lab: an object of instruments; instruments: " + ", ".join(INSTRUMENTS))
    bad = sorted(set(value) - set(INSTRUMENTS))
    if bad:
        raise DecisionError(
            f"lab: unknown instrument {bad[0]!r}; instruments: {', '.join(INSTRUMENTS)}"
        )
    out = lab_defaults(scn)
    for t, d in value.items():
        if not isinstance(d, Mapping) or set(d) - {"budget", "staff", "districts"}:
            raise DecisionError(f"lab.{t}: an object with 'budget', 'staff' and 'districts'")
        if "budget" in d:
            out[t]["budget"] = _number(d["budget"], f"lab.{t}.budget", 0.0, money)
        if "staff" in d:
            out[t]["staff"] = _number(d["staff"], f"lab.{t}.staff", 0.0, staff)
        if "districts" in d:
            out[t]["districts"] = _districts(d["districts"], f"lab.{t}.districts", names)
    total_money = sum(x["budget"] for x in out.values())
    total_staff = sum(x["staff"] for x in out.values())
    if total_money > money + 1e-6:
        raise DecisionError(
            f"lab: EUR {total_money:,.0f} split, but the lab has EUR {money:,.0f} a year"
        )
    if total_staff > staff + 1e-9:
        raise DecisionError(f"lab: {total_staff:g} FTE split, but the lab has {staff:g} FTE")
    return out
