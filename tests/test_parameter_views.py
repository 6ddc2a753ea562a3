"""Each component reads only its own parameter section plus the shared ones it declares."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kosi_sim import demography, engagement, housing, network, services
from kosi_sim.agents import administration, associations, businesses, initiatives
from kosi_sim.agents.administration import Administration
from kosi_sim.agents.associations import Associations
from kosi_sim.agents.businesses import Businesses
from kosi_sim.agents.initiatives import Initiatives
from kosi_sim.catalog import CATALOG
from kosi_sim.demography import Demography
from kosi_sim.engagement import Engagement
from kosi_sim.housing import Housing
from kosi_sim.interventions import base as instruments
from kosi_sim.interventions.base import Intervention
from kosi_sim.network import Network
from kosi_sim.parameters import OwnSection, Params, SectionView
from kosi_sim.services import Services

#: every component of the model that reads parameters: (its class, the module declaring its
#: section and, if any, its shared parameters, the model's attribute holding it)
COMPONENTS = [
    (Demography, demography, "demography"),
    (Engagement, engagement, "engagement"),
    (Network, network, "network"),
    (Housing, housing, "housing"),
    (Associations, associations, "associations"),
    (Businesses, businesses, "businesses"),
    (Initiatives, initiatives, "initiatives"),
    (Administration, administration, "administration"),
    (Services, services, "services"),
]


def _shared(module) -> tuple[str, ...]:
    return getattr(module, "SHARED", ())


def test_a_view_shows_its_section_and_the_declared_shared_parameters_only():
    p = Params(CATALOG, {"idea_rate": 9.0, "willing_cutoff": 0.4})
    view = SectionView(p, initiatives.SECTION, initiatives.SHARED)
    assert view.idea_rate == 9.0 and view.willing_cutoff == 0.4
    with pytest.raises(AttributeError, match=r"\[initiatives\].*'openness'"):
        view.openness  # noqa: B018 - the administration's
    assert view.params is p


@pytest.mark.parametrize("cls, module, attr", COMPONENTS, ids=[c[2] for c in COMPONENTS])
def test_each_component_declares_its_section_and_shared_parameters(cls, module, attr):
    """The component's ``p`` is a view of its module's section plus the module's SHARED,
    and each shared parameter is declared in another section."""
    desc = cls.__dict__["p"]
    assert isinstance(desc, OwnSection)
    assert desc.section is module.SECTION and desc.shared == _shared(module)
    own = {q.name for q in module.SECTION.params}
    for name in desc.shared:
        assert name not in own and CATALOG.resolve(name)  # declared, elsewhere


@pytest.fixture(scope="module")
def city():
    from kosi_sim.model import CityModel

    return CityModel("classroom_toolbox", scale=0.05, spinup_months=0)


@pytest.mark.parametrize("cls, module, attr", COMPONENTS, ids=[c[2] for c in COMPONENTS])
def test_in_a_model_each_component_sees_only_its_view(city, cls, module, attr):
    part = getattr(city, attr)
    assert isinstance(part.p, SectionView) and part.p.params is city.params
    mine = {q.name for q in module.SECTION.params} | set(_shared(module))
    for name in CATALOG.by_name:
        if name in mine:
            assert part.p[name] == city.params[name]
        else:
            with pytest.raises(AttributeError, match=repr(name)):
                part.p[name]


def test_instruments_read_the_labs_section_and_premises_no_parameters(city):
    from kosi_sim.districts import Premises

    assert city.interventions  # the toolbox has every instrument
    labs = {q.name for q in instruments.SECTION.params}
    for tool in city.interventions:
        assert isinstance(tool, Intervention) and tool.labs.params is city.params
        assert tool.labs.hours_per_fte_year == city.params.hours_per_fte_year
        with pytest.raises(AttributeError):
            tool.labs.willing_cutoff  # noqa: B018 - the engagement's, asked of model.engagement
    assert labs == {"hours_per_fte_year", "staff_cost_per_fte_year"}
    assert not hasattr(Premises(2), "p")


def test_public_doors_answer_what_other_components_used_to_read(city):
    """What other parts read of a component's section goes through a public method."""
    p = city.params
    assert city.engagement.willing_cutoff == p.willing_cutoff
    assert city.demography.pressure == p.demographic_pressure
    assert city.network.slots == p.contacts_per_citizen == city.pop.k
    ages = (city.pop.age_m[:50]).copy()
    assert (city.housing.headship(ages) == housing.headship(ages, p)).all()
    wanted = city.initiatives.volunteers_wanted()
    assert (wanted == p.target_volunteers - city.initiatives.volunteers).all()


def test_components_see_new_params_through_their_views():
    """``install_params`` hands a new complete set: the views show the new values."""
    from tests.handmade import HandModel

    m = HandModel(min_volunteers=4, openness=0.2)
    assert m.initiatives.p.min_volunteers == 4 and m.administration.p.openness == 0.2
    new = m.params.replace(CATALOG, min_volunteers=6, openness=0.7)
    m.initiatives.p = new
    m.administration.p = new
    assert m.initiatives.p.min_volunteers == 6 and m.administration.p.openness == 0.7
    with pytest.raises(AttributeError):
        m.administration.p.min_volunteers  # noqa: B018 - the initiatives'


def test_set_params_reaches_every_component():
    from kosi_sim.model import CityModel

    m = CityModel("classroom", scale=0.05, spinup_months=0)
    m.set_params({"contact_turnover": 0.3, "residential_sorting": 2.0, "quit_rate": 0.02})
    assert m.network.p.contact_turnover == 0.3
    assert m.housing.p.residential_sorting == 2.0
    assert m.engagement.p.quit_rate == 0.02
    for _, _, attr in COMPONENTS:
        assert getattr(m, attr).p.params is m.params


# -- nobody outside the model's assembly reads the flat parameter set --------------------

PACKAGE = Path(__file__).resolve().parent.parent / "kosi_sim"
#: modules that may read the complete parameter set: the model assembles the components
#: from it (initial densities, the spin-up's length), the step's phases run on the model,
#: and the parameter machinery defines it
ASSEMBLY = {"model.py", "phases.py", "parameters.py", "catalog.py"}
#: declared exceptions, each with its reason
EXCEPTIONS = {
    # the classroom compares a turn's decisions with the parameters in force, the pair
    # that CityModel.set_params writes; it reads no value for a rule
    "classroom/game.py": 1,
}


def _reads_of_model_params(tree: ast.AST) -> list[int]:
    """Lines where ``model.params`` (or ``m.params``, ``self.model.params``) is read other
    than handed whole to an :class:`OwnSection` attribute (``self.x = model.params`` in a
    class that declares ``x = OwnSection(...)``)."""
    views: set[str] = set()
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        for stmt in cls.body:
            if (
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.value, ast.Call)
                and getattr(stmt.value.func, "id", "") == "OwnSection"
            ):
                views |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    handed: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Attribute)
            and node.targets[0].attr in views
        ):
            handed.add(id(node.value))
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr == "params"):
            continue
        owner = node.value
        is_model = (isinstance(owner, ast.Name) and owner.id in ("model", "m")) or (
            isinstance(owner, ast.Attribute) and owner.attr == "model"
        )
        if is_model and id(node) not in handed:
            lines.append(node.lineno)
    return lines


def test_no_module_reads_the_models_flat_parameter_set():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in ASSEMBLY:
            continue
        lines = _reads_of_model_params(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[rel] = len(lines)
    assert found == EXCEPTIONS


def test_the_check_finds_a_read_and_lets_a_view_be_handed_the_set():
    bad = ast.parse("def f(model):\n    return model.params.quit_rate\n")
    assert _reads_of_model_params(bad) == [2]
    alias = ast.parse("def f(model):\n    p = model.params\n    return p.quit_rate\n")
    assert _reads_of_model_params(alias) == [2]
    ok = ast.parse(
        "class T:\n    labs = OwnSection(SECTION)\n\n"
        "    def __init__(self, model):\n        self.labs = model.params\n"
    )
    assert _reads_of_model_params(ok) == []
