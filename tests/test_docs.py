"""The documentation's parameter tables and evidence counts are generated from the
declarations and the evidence register."""

import re
from pathlib import Path

import pytest

from kosi_sim.catalog import CATALOG, fill_markdown, listed_sections
from kosi_sim.evidence import counts

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "odd.md"
README = ROOT / "README.md"


@pytest.mark.parametrize("path", [ODD, README], ids=lambda p: p.name)
def test_generated_parts_are_current(path):
    text = path.read_text(encoding="utf-8")
    assert fill_markdown(text) == text, (
        f"{path.name} is out of date: run .venv/bin/python scripts/update_docs.py"
    )


def test_every_section_has_a_table_in_the_odd():
    text = ODD.read_text(encoding="utf-8")
    for sec in CATALOG.sections:
        assert f"<!-- params:{sec.name} -->" in text, sec.name
    for p in CATALOG.by_name.values():
        assert f"`{p.name}`" in text, p.name


def test_readme_states_the_count_per_grade():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- evidence-counts -->(.*?)<!-- /evidence-counts -->", text, re.S)
    assert block, "README.md has no <!-- evidence-counts --> block"
    n = counts(listed_sections())
    stated = {g: int(k) for k, g in re.findall(r"(\d+) (?:are )?`(\w+)`", block.group(1))}
    assert stated == {str(g): k for g, k in n.items()}
    assert f"Of the {sum(n.values())} parameters" in block.group(1)
