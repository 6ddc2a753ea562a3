"""Regenerate the parameter tables in docs/odd.md from the declarations in the code.

    .venv/bin/python scripts/update_docs.py
"""

from pathlib import Path

from kosi_sim.catalog import fill_markdown

ODD = Path(__file__).resolve().parents[1] / "docs" / "odd.md"

if __name__ == "__main__":
    text = ODD.read_text(encoding="utf-8")
    new = fill_markdown(text)
    if new != text:
        ODD.write_text(new, encoding="utf-8")
        print(f"updated {ODD}")
    else:
        print(f"{ODD} is up to date")
