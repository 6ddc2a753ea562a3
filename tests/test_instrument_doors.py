"""Instruments act through doors: no lab instrument writes another component's arrays.

Rules read levers, never instruments (kosi_sim/levers.py), and components keep their own
invariants (e.g. ``Initiatives`` counts members as they join).  So an instrument module may
assign to its own state (``self...``), to local arrays and to the levers
(``model.levers``), and changes everything else through public methods of the component
(``Initiatives.enrol``, ``fund``, ``grant_space``, ``leave_premises``, ``hasten``,
``launch``; ``Population.train``, ``expose_to_grants``; ...).  This test reads the source
of every module in kosi_sim/interventions/ and fails on an assignment or augmented
assignment to an item or attribute of anything else (the instrument's own records, such as
a round table, excepted), and on a call of another object's
private (``_name``) attribute.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENTS = sorted((ROOT / "kosi_sim" / "interventions").glob("*.py"))


def _chain(node: ast.AST) -> list[str] | None:
    """``a.b.c`` -> ["a", "b", "c"]; None if the chain is not rooted at a name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _lever_aliases(tree: ast.AST) -> set[str]:
    """Local names bound to ``model.levers`` (e.g. ``lv = model.levers``)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _chain(node.value) == ["model", "levers"]:
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return out


def _own_objects(tree: ast.AST) -> set[str]:
    """Parameters annotated with a class defined in the module itself: the instrument's
    own records (e.g. a round table, ``table: Table``)."""
    classes = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    return {
        a.arg
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef)
        for a in n.args.args
        if isinstance(a.annotation, ast.Name) and a.annotation.id in classes
    }


def _targets(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Assign):
        out = []
        for t in node.targets:
            out.extend(t.elts if isinstance(t, ast.Tuple) else [t])
        return out
    if isinstance(node, ast.AugAssign | ast.AnnAssign):
        return [node.target]
    return []


def violations(source: str) -> list[str]:
    """Writes into other components' state, and calls of their private attributes, in
    the module ``source``: one line each (line number and the offending text)."""
    tree = ast.parse(source)
    own = {"self", *_lever_aliases(tree), *_own_objects(tree)}
    found = []
    for node in ast.walk(tree):
        for target in _targets(node):
            if isinstance(target, ast.Subscript):
                target = target.value  # x.y[...] = ...: the array x.y
                if isinstance(target, ast.Name):
                    continue  # a local array
            if not isinstance(target, ast.Attribute):
                continue  # a local name
            chain = _chain(target)
            if chain is None:
                found.append(f"{node.lineno}: {ast.unparse(target)}")
            elif chain[0] in own or chain[:2] == ["model", "levers"]:
                continue
            else:
                found.append(f"{node.lineno}: {ast.unparse(target)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            chain = _chain(node.func)
            if chain and chain[0] != "self" and chain[-1].startswith("_"):
                found.append(f"{node.lineno}: call of private {ast.unparse(node.func)}")
    return found


@pytest.mark.parametrize("path", INSTRUMENTS, ids=lambda p: p.name)
def test_no_instrument_writes_another_components_arrays(path):
    assert violations(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "line",
    [
        "pop.initiative[rows] = 3",
        "model.initiatives.money[rows] += 5.0",
        "t.wait_left[q] -= 1.0",
        "model.pop.trained[rows] = True",
        "t.n = 0",
        "a, t.stage[r] = 1, 2",
        "model.initiatives._finish(model, rows, 5, None)",
    ],
)
def test_the_check_sees_a_write_into_a_component(line):
    assert len(violations(f"def act(self, model):\n    {line}\n")) == 1


@pytest.mark.parametrize(
    "line",
    [
        "self.tables = []",
        "self.p.x[0] = 1",
        "mark[rows] = True",
        "model.levers.premises_open[d] += 0.1",
        "lv = model.levers\n    lv.lead_time[d] *= 0.5",
        "model.initiatives.fund(rows, 100.0)",
    ],
)
def test_the_check_lets_own_state_locals_and_levers_be(line):
    assert violations(f"def act(self, model):\n    {line}\n") == []


def test_the_check_lets_the_instruments_own_records_be():
    source = "class Table:\n    n = 0\n\ndef meet(self, table: Table):\n    table.n -= 1\n"
    assert violations(source) == []


def test_doors_keep_the_initiatives_invariants():
    """``enrol`` counts new members at once and refuses a citizen who is in an
    initiative; ``fund`` refuses negative money; ``grant_space`` only rooms for those
    needing them; ``hasten`` only proposals at the gate."""
    from kosi_sim.agents.initiatives import GATE, PROPOSAL
    from tests.handmade import HandModel

    m = HandModel()
    leaders = m.add_citizens(2)
    rows = m.add_initiatives(2, PROPOSAL, leaders, needs_space=[True, False])
    helpers = m.add_citizens(3)
    ini = m.initiatives
    ini.enrol(m, helpers[:2], int(rows[0]))
    assert list(ini.volunteers[rows]) == [3, 1]
    np.testing.assert_array_equal(m.pop.initiative[helpers[:2]], [rows[0]] * 2)
    with pytest.raises(ValueError, match="already in an initiative"):
        ini.enrol(m, helpers[1:], int(rows[1]))
    assert m.pop.initiative[helpers[2]] == -1  # nothing changed on refusal
    ini.fund(rows, 250.0)
    np.testing.assert_array_equal(ini.money[rows], [250.0, 250.0])
    with pytest.raises(ValueError, match="at least 0"):
        ini.fund(rows, -1.0)
    ini.grant_space(rows[:1])
    assert ini.has_space[rows[0]]
    with pytest.raises(ValueError, match="need rooms"):
        ini.grant_space(rows[1:])
    with pytest.raises(ValueError, match="at the gate"):
        ini.hasten(rows, 1.0)
    ini.stage[rows] = GATE
    ini.wait_left[rows] = 3.0
    ini.hasten(rows, 1.0)
    np.testing.assert_array_equal(ini.wait_left[rows], [2.0, 2.0])
