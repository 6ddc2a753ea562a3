"""The numbers docs/teaching quotes, computed from the runs that produce them.

Every model-derived number (and every phrase that depends on one: a direction, a verdict, a
ranking) in the lesson plan, the exercises and the notebook's text stands between markers
(:mod:`kosi_sim.docnumbers`) and is listed in ``docs/teaching/numbers.json`` with its value,
its text and the commands that produced it.  ``scripts/teaching_results.py`` runs the
commands of exercises.md and the notebook's code, computes the numbers here, writes the file
and fills the markers; ``tests/test_teaching.py`` checks that docs and file agree, that the
model still behaves as when the numbers were made (:mod:`kosi_sim.teaching_fingerprint`) and
recomputes exercise 1 for real.

Texts follow ``kosi-sim``'s own formats: the summary table of ``kosi-sim run`` for levels,
``kosi-sim compare``'s for effects with their 95% interval (``+6.4 [-6.8, +19.6]``) and its
verdicts (:func:`kosi_sim.compare.verdict`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .compare import CLEAR_DECREASE, CLEAR_INCREASE, UNCLEAR, effect_text, indicator_formats

ROOT = Path(__file__).resolve().parents[1]
TEACHING = ROOT / "docs" / "teaching"
EXERCISES = TEACHING / "exercises.md"
NOTEBOOK = TEACHING / "tutorial.ipynb"
#: the files whose markers are filled
DOCS = (TEACHING / "README.md", EXERCISES, NOTEBOOK)
NUMBERS = TEACHING / "numbers.json"
#: the one line that regenerates the numbers (and the docs' markers)
REGENERATE = ".venv/bin/python scripts/teaching_results.py"


@dataclass(frozen=True)
class Number:
    key: str
    value: Any  # a float, a string (a generated phrase) or a list
    text: str  # as it stands in the docs
    source: tuple[str, ...]  # the commands (or code) that produced it


class Numbers(dict):
    """The numbers by key; adding a key twice is an error."""

    def add(self, key: str, value: Any, text: str, source: Iterable[str]) -> None:
        if key in self:
            raise ValueError(f"teaching number {key!r} defined twice")
        self[key] = Number(key, value, text, tuple(source))


# --- the commands of exercises.md ---------------------------------------------------------


@dataclass(frozen=True)
class Command:
    line: str  # as written in exercises.md
    args: tuple[str, ...]  # after "kosi-sim"

    @property
    def folder(self) -> str:
        """The name of its output folder (the last part of --out)."""
        return Path(self.args[self.args.index("--out") + 1]).name

    @property
    def scenario(self) -> str:
        return self.args[1]

    @property
    def overrides(self) -> tuple[str, ...]:
        return tuple(b for a, b in zip(self.args, self.args[1:], strict=False) if a == "--set")


def exercise_commands(text: str | None = None) -> list[Command]:
    """Every ``kosi-sim ...`` line of the fenced blocks in exercises.md."""
    text = EXERCISES.read_text(encoding="utf-8") if text is None else text
    out = []
    for block in re.findall(r"```\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            if line.startswith("kosi-sim "):
                out.append(Command(line, tuple(shlex.split(line)[1:])))
    return out


def run_command(cmd: Command, folder: Path) -> None:
    """Run one command of exercises.md as written, its output into ``folder``."""
    from .cli import main

    args = list(cmd.args)
    args[args.index("--out") + 1] = str(folder)
    if main([*args, "--quiet"]) != 0:
        raise RuntimeError(f"failed: {cmd.line}")


# --- formats --------------------------------------------------------------------------------


def level_text(metric: str, value: float) -> str:
    """A level as ``kosi-sim run``'s summary table writes it (counts with thousands
    separators, shares in percent)."""
    from .cli.common import SUMMARY

    for name, _, fmt in SUMMARY:
        if name == metric:
            return fmt.format(value)
    return indicator_formats(metric)[0](value)


def join(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def change_text(metric: str, diff: float, template: str, up: str, down: str) -> str:
    """A difference in words, ``template`` filled with the number and the direction:
    ``"{n} {w}"`` -> ``648 fewer``; shares in percentage points, levels as ``kosi-sim run``."""
    if metric.endswith("_share") or metric.endswith("_vacancy"):
        number = f"{abs(diff) * 100:.1f}"
    else:
        number = level_text(metric, abs(diff)).removeprefix("EUR ")
    if float(number.replace(",", "")) == 0:
        return "about the same"
    return template.format(n=number, w=up if diff > 0 else down)


def verdict_summary(effects: pd.DataFrame, labels: dict[str, str]) -> str:
    """What the effects on ``labels``' indicators do, in words: ``raises A and B, lowers C;
    no effect that the replicates can tell from zero on D``."""
    groups: dict[str, list[str]] = {CLEAR_INCREASE: [], CLEAR_DECREASE: [], UNCLEAR: []}
    for name, label in labels.items():
        groups[effects.at[name, "verdict"]].append(label)
    parts = []
    if groups[CLEAR_INCREASE]:
        parts.append("raises " + join(groups[CLEAR_INCREASE]))
    if groups[CLEAR_DECREASE]:
        parts.append("lowers " + join(groups[CLEAR_DECREASE]))
    text = ", and ".join(parts)
    if groups[UNCLEAR]:
        rest = "no effect that the replicates can tell from zero on " + join(groups[UNCLEAR])
        text = f"{text}; {rest}" if text else f"has {rest}"
    return text


def which_larger(a: pd.Series, b: pd.Series, name_a: str, name_b: str) -> str:
    """Which of two effects is larger, told by their 95% intervals."""
    if a["ci95_low"] > b["ci95_high"]:
        return f"the {name_a} road does more (the two intervals do not overlap)"
    if b["ci95_low"] > a["ci95_high"]:
        return f"the {name_b} road does more (the two intervals do not overlap)"
    return "the two roads cannot be told apart (their intervals overlap)"


def ce_text(folder: Path, measure: str) -> tuple[float | None, str]:
    """A cost-effectiveness ratio of a compare folder, or its note when there is none."""
    ce = pd.read_csv(folder / "cost_effectiveness.csv").set_index("measure")
    value = ce.at[measure, "value"]
    if value != value:  # NaN: no ratio
        return None, str(ce.at[measure, "note"])
    return float(value), f"EUR {value:,.0f}"


# --- reading the outputs --------------------------------------------------------------------


def city_at(folder: Path, month: int | None = None) -> dict[str, float]:
    """The city's metrics of a ``kosi-sim run`` folder in one month (default: the last)."""
    m = pd.read_parquet(folder / "metrics.parquet")
    city = m[m["district"] == "city"]
    month = city["month"].max() if month is None else month
    row = city[city["month"] == month]
    return dict(zip(row["metric"].astype(str), row["value"].astype(float), strict=True))


def effects(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "effects.csv").set_index("indicator")


def add_effect(n: Numbers, key: str, e: pd.DataFrame, indicator: str, source) -> None:
    r = e.loc[indicator]
    value = [float(r["effect"]), float(r["ci95_low"]), float(r["ci95_high"])]
    n.add(key, value, effect_text(indicator, *value), source)
