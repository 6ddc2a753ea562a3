"""The parameters of the contact network (ODD 7.3), declared once with unit, range and
source."""

from __future__ import annotations

from ..parameters import Param, Section

SECTION = Section(
    "network",
    "Contact network of citizens",
    [
        Param(
            "contacts_per_citizen",
            8,
            "contacts",
            "Contacts each citizen observes when deciding to engage",
            "assumption: order of magnitude of close weak-tie networks in ABMs of "
            "collective action (Macy 1991; Kitts 2006)",
            (2, 30),
            sweepable=False,
        ),
        Param(
            "contact_locality",
            0.8,
            "share",
            "Share of contacts drawn from the own Stadtbezirk",
            "assumption: neighbourhood-centred everyday networks",
            (0.0, 1.0),
        ),
        Param(
            "contact_age_homophily",
            0.15,
            "share of district",
            "Spread of a local contact's age rank around one's own (smaller = more homophily)",
            "assumption",
            (0.01, 1.0),
        ),
        Param(
            "contact_turnover",
            0.1,
            "1/year",
            "Share of ties redrawn each year",
            "assumption",
            (0.0, 1.0),
        ),
    ],
)
