"""The documentation's parameter tables are generated from the declarations."""

from pathlib import Path

from kosi_sim.catalog import CATALOG, fill_markdown

ODD = Path(__file__).resolve().parents[1] / "docs" / "odd.md"


def test_odd_parameter_tables_are_current():
    text = ODD.read_text(encoding="utf-8")
    assert fill_markdown(text) == text, (
        "docs/odd.md is out of date: run .venv/bin/python scripts/update_docs.py"
    )


def test_every_section_has_a_table_in_the_odd():
    text = ODD.read_text(encoding="utf-8")
    for sec in CATALOG.sections:
        assert f"<!-- params:{sec.name} -->" in text, sec.name
    for p in CATALOG.by_name.values():
        assert f"`{p.name}`" in text, p.name
