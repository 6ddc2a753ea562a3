"""Each component reads only its own parameter section plus the shared ones it declares."""

from __future__ import annotations

import pytest

from kosi_sim.agents import administration, associations, initiatives
from kosi_sim.catalog import CATALOG
from kosi_sim.parameters import Params, SectionView


def test_a_view_shows_its_section_and_the_declared_shared_parameters_only():
    p = Params(CATALOG, {"idea_rate": 9.0, "willing_cutoff": 0.4})
    view = SectionView(p, initiatives.SECTION, initiatives.SHARED)
    assert view.idea_rate == 9.0 and view.willing_cutoff == 0.4
    with pytest.raises(AttributeError, match=r"\[initiatives\].*'openness'"):
        view.openness  # noqa: B018 - the administration's
    assert view.params is p


@pytest.mark.parametrize(
    "module, owner",
    [(initiatives, "Initiatives"), (administration, "Administration"), (associations, "Vereine")],
)
def test_shared_parameters_are_declared_in_other_sections(module, owner):
    own = {q.name for q in module.SECTION.params}
    for name in module.SHARED:
        assert name not in own and CATALOG.resolve(name)  # declared, elsewhere


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
