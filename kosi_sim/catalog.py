"""The catalogue of all declared parameters, one section per submodel."""

from __future__ import annotations

from .agents import administration, associations, businesses, initiatives
from .demography import PRESSURE
from .demography import SECTION as DEMOGRAPHY
from .engagement import SECTION as ENGAGEMENT
from .evidence import Evidence, attach, counts_markdown
from .housing import SECTION as HOUSING
from .interventions.base import SECTION as LABS
from .network import SECTION as NETWORK
from .parameters import Catalog, Param, Section
from .services import SECTION as SERVICES
from .vocabulary import INSTRUMENT_PREFIX

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
        HOUSING,
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


def _instrument_sections() -> tuple[Section, ...]:
    from .interventions.registry import REGISTRY

    return tuple(
        Section(INSTRUMENT_PREFIX + kind, f"Lab instrument {kind}: {cls.doc}", cls.params)
        for kind, cls in REGISTRY.items()
        if cls.params
    )


INSTRUMENT_SECTIONS = _instrument_sections()
attach((*CATALOG.sections, *INSTRUMENT_SECTIONS))


def listed_sections() -> list[Section]:
    """Every section that ``kosi-sim params`` lists: the model's, then each lab
    instrument's own parameters as the section ``instrument.<type>``."""
    return [*CATALOG.sections, *INSTRUMENT_SECTIONS]


def illustrative(kind: str) -> bool:
    """An instrument without published evidence: none of its own parameters is graded
    ``measured`` or ``literature`` in the register.  Its effects show the model's logic,
    not a size anyone has measured; reports and the app say so wherever it is used."""
    from .evidence import Grade

    section = next((s for s in INSTRUMENT_SECTIONS if s.name == INSTRUMENT_PREFIX + kind), None)
    if section is None:  # an instrument without parameters of its own
        return True
    return all(evidence(p).grade is Grade.ASSUMPTION for p in section.params)


def evidenced_share(kind: str) -> tuple[int, int]:
    """(own parameters graded ``measured`` or ``literature``, all own parameters) of an
    instrument, from the evidence register."""
    from .evidence import Grade

    section = next((s for s in INSTRUMENT_SECTIONS if s.name == INSTRUMENT_PREFIX + kind), None)
    params = section.params if section is not None else ()
    return sum(evidence(p).grade is not Grade.ASSUMPTION for p in params), len(params)


def illustrative_text(kinds: list[str]) -> str:
    """What reports say of the illustrative instruments they use."""
    one = len(kinds) == 1
    return (
        f"Illustrative: {', '.join(kinds)} {'has' if one else 'have'} no published evidence "
        f"for {'its' if one else 'their'} parameters (all graded 'assumption' in the evidence "
        f"register); {'its' if one else 'their'} part of the lab's effect shows the model's "
        "logic, not a measured size."
    )


def illustrative_in(kinds) -> list[str]:
    """The illustrative instruments among ``kinds``, sorted, each once."""
    return sorted({k for k in kinds if illustrative(k)})


def evidence(p: Param) -> Evidence:
    """``p``'s register entry (every listed parameter has one)."""
    if p.evidence is None:
        raise ValueError(f"{p.name} has no row in the evidence register")
    return p.evidence


def markdown_table(section_name: str) -> str:
    """The parameter table of one section as Markdown (used by docs/odd.md); an
    instrument's section also says how each parameter behaves at scale s < 1."""
    if section_name.startswith(INSTRUMENT_PREFIX):
        from .interventions.registry import REGISTRY

        cls = REGISTRY[section_name.removeprefix(INSTRUMENT_PREFIX)]
        return _params_table(cls.params, cls.scaling)
    sec = CATALOG.section(section_name)
    lines = [
        "| parameter | default | unit | range | meaning | grade | prior | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in sec.params:
        rng = "" if p.bounds is None else f"{p.bounds[0]:g} to {p.bounds[1]:g}"
        cells = [
            f"`{p.name}`",
            f"{p.default:g}" if not isinstance(p.default, bool | str) else str(p.default),
            p.unit,
            rng,
            p.doc,
            *_evidence_cells(p),
        ]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def _evidence_cells(p: Param) -> list[str]:
    """Grade, prior and source (with its links) of ``p`` for a Markdown table."""
    ev = evidence(p)
    links = " ".join(f"<{u}>" for u in ev.url.split())
    return [ev.grade, str(ev.prior), f"{ev.source} {links}".strip()]


def fill_markdown(text: str) -> str:
    """Replace every ``<!-- params:NAME -->...<!-- /params:NAME -->`` block with its table,
    the ``<!-- evidence-counts -->`` block with the count per evidence grade, the
    ``<!-- instrument-targets -->`` block with the instruments' published targets, the
    ``<!-- posteriors -->`` block with the shipped posteriors and the ``<!-- instruments -->``
    block with the instruments' documentation."""
    import re

    def table(match: re.Match) -> str:
        name = match.group(1)
        return f"<!-- params:{name} -->\n{markdown_table(name)}\n<!-- /params:{name} -->"

    text = re.sub(r"<!-- params:(\w+) -->.*?<!-- /params:\1 -->", table, text, flags=re.S)
    text = re.sub(
        r"<!-- evidence-counts -->.*?<!-- /evidence-counts -->",
        lambda m: (
            "<!-- evidence-counts -->\n"
            + counts_markdown(listed_sections())
            + "\n<!-- /evidence-counts -->"
        ),
        text,
        flags=re.S,
    )
    text = re.sub(
        r"<!-- instrument-targets -->.*?<!-- /instrument-targets -->",
        lambda m: (
            f"<!-- instrument-targets -->\n{_targets_markdown()}\n<!-- /instrument-targets -->"
        ),
        text,
        flags=re.S,
    )
    text = re.sub(
        r"<!-- posteriors -->.*?<!-- /posteriors -->",
        lambda m: f"<!-- posteriors -->\n{_posteriors_markdown()}\n<!-- /posteriors -->",
        text,
        flags=re.S,
    )
    return re.sub(
        r"<!-- instruments -->.*?<!-- /instruments -->",
        lambda m: f"<!-- instruments -->\n{instruments_markdown()}\n<!-- /instruments -->",
        text,
        flags=re.S,
    )


def _posteriors_markdown() -> str:
    from .posterior_ship import markdown_all

    return markdown_all()


def _targets_markdown() -> str:
    from .instrument_targets import markdown

    return markdown()


def _params_table(params, scaling: dict[str, str]) -> str:
    from .interventions.base import SCALING

    lines = [
        "| parameter | default | unit | range | at scale s < 1 | meaning | grade | prior "
        "| source |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for p in params:
        rng = "" if p.bounds is None else f"{p.bounds[0]:g} to {p.bounds[1]:g}"
        if p.choices:
            rng = ", ".join(p.choices)
        default = f"{p.default:g}" if not isinstance(p.default, bool | str) else str(p.default)
        at_scale = SCALING[scaling[p.name]]
        cells = [f"`{p.name}`", default, p.unit, rng, at_scale, p.doc, *_evidence_cells(p)]
        lines.append("| " + " | ".join(str(x).replace("|", "/") for x in cells) + " |")
    return "\n".join(lines)


def instruments_markdown() -> str:
    """Every lab instrument (docstring and parameters) and the presets, as Markdown."""
    import inspect
    import sys

    from .interventions.presets import PRESETS
    from .interventions.registry import REGISTRY

    out = []
    for k, (name, cls) in enumerate(REGISTRY.items(), start=1):
        doc = inspect.cleandoc(sys.modules[cls.__module__].__doc__ or "")
        out.append(f"### 11.{k} `{name}`: {cls.doc}\n\n{doc}\n")
        if illustrative(name):
            out.append(
                "**Illustrative:** no published evidence for this instrument's parameters "
                "(all graded `assumption` in the evidence register); `compare`, sweep reports "
                "and the app say so wherever it is used.\n"
            )
        if cls.params:
            out.append(_params_table(cls.params, cls.scaling) + "\n")
    out.append(f"### 11.{len(REGISTRY) + 1} Presets\n")
    from .interventions import presets

    out.append(inspect.cleandoc(presets.__doc__ or "") + "\n")
    out.append("Shares of the preset's money and staff given to each instrument:\n")
    out.append("| preset | instrument | money | staff | own settings |\n|---|---|---|---|---|")
    for preset, parts in PRESETS.items():
        for inst, (money, staff, own) in parts.items():
            settings = ", ".join(f"{k} = {v}" for k, v in own.items())
            out.append(f"| `{preset}` | `{inst}` | {money:.0%} | {staff:.0%} | {settings} |")
    return "\n".join(out)
