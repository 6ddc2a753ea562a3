"""The catalogue of all declared parameters, one section per submodel."""

from __future__ import annotations

from .agents import administration, associations, businesses, initiatives
from .demography import PRESSURE
from .demography import SECTION as DEMOGRAPHY
from .engagement import SECTION as ENGAGEMENT
from .network import SECTION as NETWORK
from .parameters import Catalog, Param, Section
from .services import SECTION as SERVICES

SIMULATION = Section(
    "simulation",
    "Technical settings of a run",
    [
        Param(
            "spinup_months",
            24,
            "months",
            "Months engagement, Vereine and initiatives run before month 0 (no demography, "
            "nothing recorded) so that the start is not an artefact of initialisation",
            "assumption",
            (0, 240),
            sweepable=False,
        ),
    ],
)

CATALOG = Catalog(
    (
        PRESSURE,
        DEMOGRAPHY,
        NETWORK,
        ENGAGEMENT,
        associations.SECTION,
        businesses.SECTION,
        administration.SECTION,
        initiatives.SECTION,
        SERVICES,
        SIMULATION,
    )
)
