"""Regenerate the parameter tables in docs/odd.md and the count per evidence grade in
README.md from the declarations and the evidence register in the code.

    .venv/bin/python scripts/update_docs.py
"""

from pathlib import Path

from kosi_sim.catalog import fill_markdown

ROOT = Path(__file__).resolve().parents[1]
GENERATED = (ROOT / "docs" / "odd.md", ROOT / "README.md")

if __name__ == "__main__":
    for path in GENERATED:
        text = path.read_text(encoding="utf-8")
        new = fill_markdown(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"updated {path}")
        else:
            print(f"{path} is up to date")
