"""The catalogue of all declared parameters, one section per submodel."""

from __future__ import annotations

from .agents import administration, associations, businesses, initiatives
from .demography import PRESSURE
from .demography import SECTION as DEMOGRAPHY
from .engagement import SECTION as ENGAGEMENT
from .interventions.base import SECTION as LABS
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
        LABS,
        SIMULATION,
    )
)


def markdown_table(section_name: str) -> str:
    """The parameter table of one section as Markdown (used by docs/odd.md)."""
    sec = CATALOG.section(section_name)
    lines = [
        "| parameter | default | unit | range | meaning | source |",
        "|---|---|---|---|---|---|",
    ]
    for p in sec.params:
        rng = "" if p.bounds is None else f"{p.bounds[0]:g} to {p.bounds[1]:g}"
        cells = [
            f"`{p.name}`",
            f"{p.default:g}" if not isinstance(p.default, bool | str) else str(p.default),
            p.unit,
            rng,
            p.doc,
            p.source,
        ]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def fill_markdown(text: str) -> str:
    """Replace every ``<!-- params:NAME -->...<!-- /params:NAME -->`` block with its table."""
    import re

    def table(match: re.Match) -> str:
        name = match.group(1)
        return f"<!-- params:{name} -->\n{markdown_table(name)}\n<!-- /params:{name} -->"

    return re.sub(r"<!-- params:(\w+) -->.*?<!-- /params:\1 -->", table, text, flags=re.S)
