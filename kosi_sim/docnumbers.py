"""Numbers in the documentation that a script fills in: markers in Markdown and notebooks.

A generated number (or a generated phrase that depends on one) stands between two HTML
comments, which Markdown and Jupyter do not show::

    budget balance <!-- n:e1.budget_balance.calm -->-39,839<!-- /n --> EUR a month

The key names the number in a data file (``docs/teaching/numbers.json``) that holds its
value, its text and the command that produced it.  :func:`fill` rewrites the text between
the markers from such a table; :func:`markers` lists what the markers hold, for a test that
docs and table agree.  A notebook's markdown cells carry the same markers; its code cells are
never touched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

MARKER = re.compile(r"<!-- n:([A-Za-z0-9_.\-]+) -->(.*?)<!-- /n -->")


def marker(key: str, text: str) -> str:
    """The marked form of ``text`` under ``key``."""
    return f"<!-- n:{key} -->{text}<!-- /n -->"


def markers(text: str) -> list[tuple[str, str]]:
    """Every (key, text) of the markers in ``text``, in order (a key may occur twice)."""
    return MARKER.findall(text)


def fill(text: str, texts: Mapping[str, str]) -> tuple[str, list[str]]:
    """``text`` with every marker's content replaced by ``texts[key]``, and the keys of
    markers that ``texts`` does not know (left as they are)."""
    unknown: list[str] = []

    def one(match: re.Match) -> str:
        key = match.group(1)
        if key not in texts:
            unknown.append(key)
            return match.group(0)
        return marker(key, texts[key])

    return MARKER.sub(one, text), unknown


# --- files: Markdown as it is, notebooks through their markdown cells -------------------------


def read_markdown(path: Path) -> str:
    """The text whose markers count: a Markdown file, or a notebook's markdown cells."""
    if path.suffix != ".ipynb":
        return path.read_text(encoding="utf-8")
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def fill_file(path: Path, texts: Mapping[str, str], write: bool = True) -> tuple[bool, list[str]]:
    """Fill the markers of one file: (whether its content changes, unknown keys).  A
    notebook is written back as Jupyter writes it (one-space indent, UTF-8)."""
    raw = path.read_text(encoding="utf-8")
    unknown: list[str] = []
    if path.suffix != ".ipynb":
        new, unknown = fill(raw, texts)
    else:
        nb = json.loads(raw)
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                source, missing = fill("".join(cell["source"]), texts)
                cell["source"] = source.splitlines(keepends=True)
                unknown += missing
        new = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    changed = new != raw
    if changed and write:
        path.write_text(new, encoding="utf-8")
    return changed, unknown
