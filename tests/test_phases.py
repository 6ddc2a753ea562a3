"""The step order is written down once: the phase list, the step's docstring, the ODD and
the spin-up agree."""

from __future__ import annotations

import re
from pathlib import Path

from kosi_sim import phases
from kosi_sim.model import CityModel

ODD = Path(__file__).resolve().parents[1] / "docs" / "odd.md"


def test_the_step_docstring_lists_every_phase_in_order():
    doc = CityModel.step.__doc__
    listed = re.findall(r"^\s*(\d+)\. ``(\w+)``", doc, flags=re.M)
    assert [name for _, name in listed] == [p.name for p in phases.PHASES]
    assert [int(i) for i, _ in listed] == list(range(1, len(phases.PHASES) + 1))
    # the spin-up phases are the starred ones
    starred = re.findall(r"``(\w+)``\*", doc)
    assert starred == [p.name for p in phases.PHASES if p.spinup is not None]


def test_the_odd_lists_as_many_phases_as_the_step():
    text = ODD.read_text(encoding="utf-8")
    section = text[text.index("### 3.1 The month") : text.index("Why this order")]
    assert len(re.findall(r"^\d+\. \*\*", section, flags=re.M)) == len(phases.PHASES)


def test_the_spin_up_runs_the_spin_up_form_of_the_phases_in_their_order():
    assert phases.SPINUP == tuple(p.spinup for p in phases.PHASES if p.spinup is not None)
    names = [p.name for p in phases.PHASES if p.spinup is not None]
    # no demography, no business dynamics, no accounting, no structural change, no records
    assert names == ["interventions", "engagement", "associations", "initiatives", "services"]


def test_a_spin_up_month_leaves_no_structural_request_behind():
    m = CityModel("classroom", spinup_months=0)
    ages, alive, n_assoc = m.pop.age_m.copy(), m.pop.n_alive, m.associations.n
    for run in phases.SPINUP:
        run(m)
    assert len(m.associations.pending_dissolution) == 0
    assert m.associations.pending_foundings == []
    # nobody ages, is born, dies or moves; no Verein is founded or dissolved
    assert (m.pop.age_m == ages).all() and m.pop.n_alive == alive
    assert m.associations.n == n_assoc and m.month == 0
