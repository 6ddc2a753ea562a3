"""Run every command of docs/teaching/exercises.md and print the numbers the text quotes.

    .venv/bin/python scripts/teaching_results.py            # all commands, then the tables
    .venv/bin/python scripts/teaching_results.py --tables   # only the tables (after a run)

The commands write into results/ as written in the exercises (about 15 minutes on 2 cores).
Paste the printed tables into exercises.md after a change of the model's behaviour.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "docs" / "teaching" / "exercises.md"


def commands() -> list[list[str]]:
    text = EXERCISES.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```\n(.*?)```", text, flags=re.S):
        out += [shlex.split(x)[1:] for x in block.splitlines() if x.startswith("kosi-sim ")]
    return out


def effects(folder: str) -> pd.DataFrame:
    return pd.read_csv(ROOT / "results" / folder / "effects.csv").set_index("indicator")


def cell(e: pd.DataFrame, key: str, digits: int) -> str:
    r = e.loc[key]
    return f"{r['effect']:+.{digits}f} [{r['ci95_low']:+.{digits}f}, {r['ci95_high']:+.{digits}f}]"


def run_table(folder: str) -> dict[str, float]:
    m = pd.read_parquet(ROOT / "results" / folder / "metrics.parquet")
    city = m[m["district"] == "city"]
    last = city[city["month"] == city["month"].max()]
    return dict(zip(last["metric"].astype(str), last["value"], strict=True))


def tables() -> None:
    calm, shrink = run_table("e1-calm"), run_table("e1-shrinking")
    print("## Exercise 1 (end of year 10)")
    for key in (
        "population",
        "share_65plus",
        "engaged_share",
        "hours_mean",
        "trust_share",
        "coverage_mean",
        "coverage_care",
        "housing_vacancy",
        "premises_vacancy",
        "budget_balance",
    ):
        print(f"| {key} | {calm[key]:.4g} | {shrink[key]:.4g} |")
    keys = ("coverage_mean", "coverage_care", "engaged_share", "initiatives_active", "burnout_mean")
    print("\n## Exercise 2")
    for folder in ("all", "matching", "small_grants", "capacity_building", "contact_point"):
        e = effects(f"e2-{folder}")
        print(f"| {folder} | " + " | ".join(cell(e, k, 1 if "initi" in k else 3) for k in keys))
    e = effects("e2-space_provision")
    print("| space_provision | " + " | ".join(cell(e, k, 1 if "initi" in k else 3) for k in keys))
    for ex, folders in (
        ("3", ("e3-facilitated", "e3-unfacilitated")),
        ("4", ("e4", "e4-weak")),
        ("5", ("e5-wuppertal", "e5-dortmund")),
    ):
        print(f"\n## Exercise {ex}")
        for folder in folders:
            e = effects(folder)
            print(folder)
            for key in e.index:
                digits = 1 if key in ("initiatives_active", "engaged_citizens") else 4
                print(
                    f"  {key:24s} {e.loc[key, 'without_lab']:12.4g} -> "
                    f"{e.loc[key, 'with_lab']:12.4g}  {cell(e, key, digits)}"
                )
            manifest = pd.read_json(ROOT / "results" / folder / "manifest.json", typ="series")
            print("  cost-effectiveness:", manifest["cost_effectiveness"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", action="store_true", help="only print the tables")
    args = ap.parse_args()
    if not args.tables:
        from kosi_sim.cli import main as cli

        for cmd in commands():
            print("kosi-sim", " ".join(cmd), flush=True)
            if cli([*cmd, "--quiet"]) != 0:
                return 1
    tables()
    return 0


if __name__ == "__main__":
    sys.exit(main())
