"""Presets modelled on the two real KoSI-Lab labs, usable from any scenario.

A preset is one ``[[interventions]]`` entry (``type = "wuppertal_lab"``) with the common keys;
it expands into instruments that share its budget and staff in fixed proportions
(assumptions, from the labs' descriptions in the KoSI-Lab reports).

* ``wuppertal_lab``: grown out of the volunteer agency: mapping of initiatives and
  brokerage (matching), a contact point for citizens' ideas with facilitation, round tables
  with a mandate from the joint mission statement (bicycle garages, vacant shops, a
  disposable-cup-free city), vacant shops opened for initiatives (space provision).
* ``dortmund_lab``: based in business development: city dialogues (an annual ideas call),
  facilitated theme tables (brownfields and housing, low-emission mobility, childcare),
  training around CSR and work-and-care (capacity building), consulting (contact point),
  and the growth into a permanent Social Innovation Centre that spreads what works
  (transfer).
"""

from __future__ import annotations

from typing import Any

# instrument -> (share of money, share of staff, own parameters)
PRESETS: dict[str, dict[str, tuple[float, float, dict[str, Any]]]] = {
    "wuppertal_lab": {
        "matching": (0.0, 0.30, {}),
        "contact_point": (0.15, 0.25, {}),
        "round_tables": (0.35, 0.35, {"tables_per_year": 3, "facilitated": True, "mandate": True}),
        "space_provision": (0.50, 0.10, {}),
    },
    "dortmund_lab": {
        "ideas_call": (0.40, 0.15, {"interval_months": 12}),
        "round_tables": (0.25, 0.35, {"tables_per_year": 3, "facilitated": True, "mandate": True}),
        "capacity_building": (0.20, 0.15, {}),
        "contact_point": (0.10, 0.20, {}),
        "transfer": (0.05, 0.15, {}),
    },
}


def expand(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """One preset entry -> its instrument entries (other entries pass through)."""
    kind = entry.get("type")
    if kind not in PRESETS:
        return [entry]
    label = entry.get("label", kind)
    out = []
    for instrument, (money, staff, own) in PRESETS[kind].items():
        part = {k: v for k, v in entry.items() if k not in ("type", "label")}
        part["type"] = instrument
        part["label"] = f"{label}.{instrument}"
        part["budget_eur_per_year"] = money * float(entry.get("budget_eur_per_year", 0.0))
        part["staff_fte"] = staff * float(entry.get("staff_fte", 0.0))
        part.update(own)
        out.append(part)
    return out
