"""Regenerate the numbers that docs/teaching quotes, and fill them into the docs.

    .venv/bin/python scripts/teaching_results.py            # run everything, write, fill
    .venv/bin/python scripts/teaching_results.py --check    # run everything, report, write nothing
    .venv/bin/python scripts/teaching_results.py --fill     # only fill the docs from numbers.json
    .venv/bin/python scripts/teaching_results.py --results DIR  # keep the commands' folders in
                                                                # DIR; reuse those already there

It runs every command of docs/teaching/exercises.md as written (into a temporary folder, or
DIR), the notebook's code cells and exercise 3's single runs, computes each number the docs
quote (kosi_sim/teaching_exercises.py), writes docs/teaching/numbers.json (value, text,
commands, and the model's behavioural fingerprint) and rewrites the text between the docs'
markers ``<!-- n:KEY -->...<!-- /n -->``.  3 to 6 minutes on 2 cores (one thread).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kosi_sim import docnumbers  # noqa: E402
from kosi_sim.teaching import (  # noqa: E402
    DOCS,
    NOTEBOOK,
    NUMBERS,
    Numbers,
    exercise_commands,
    run_command,
)


def run_notebook() -> dict:
    """The namespace the notebook's code cells leave, run as shipped (without plots)."""
    import matplotlib

    matplotlib.use("Agg")
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    ns: dict = {}
    cwd = Path.cwd()
    os.chdir(NOTEBOOK.parent)
    try:
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                exec(compile("".join(cell["source"]), str(NOTEBOOK), "exec"), ns)
    finally:
        os.chdir(cwd)
    return ns


def compute(results: Path, reuse: bool) -> Numbers:
    from kosi_sim.teaching_exercises import EXERCISES, notebook_numbers, scenario_facts

    cmds = {c.folder: c for c in exercise_commands()}
    for cmd in cmds.values():
        folder = results / cmd.folder
        if reuse and (folder / "manifest.json").exists():
            print(f"reused {folder}", flush=True)
            continue
        t0 = time.perf_counter()
        run_command(cmd, folder)
        print(f"{time.perf_counter() - t0:5.0f} s  {cmd.line}", flush=True)
    n = Numbers()
    scenario_facts(n)
    for exercise in EXERCISES:
        exercise(n, lambda name: results / name, cmds)
    t0 = time.perf_counter()
    notebook_numbers(n, run_notebook())
    print(f"{time.perf_counter() - t0:5.0f} s  the notebook's code cells", flush=True)
    return n


def _json_value(value):
    """A number as JSON holds it: NaN (a ratio not printed, an empty group) as null."""
    if isinstance(value, float) and value != value:
        return None
    return value


def as_json(n: Numbers, fingerprint: dict) -> str:
    from kosi_sim.teaching import REGENERATE

    doc = {
        "regenerate": REGENERATE,
        "fingerprint": fingerprint,
        "numbers": {
            k: {"text": x.text, "value": _json_value(x.value), "commands": list(x.source)}
            for k, x in sorted(n.items())
        },
    }
    return json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False, default=float) + "\n"


def fill_docs(texts: dict[str, str], write: bool) -> list[str]:
    """Fill (or, with ``write`` false, compare) every doc's markers; the problems found."""
    problems, used = [], set()
    for path in DOCS:
        changed, unknown = docnumbers.fill_file(path, texts, write=write)
        used |= {k for k, _ in docnumbers.markers(docnumbers.read_markdown(path))}
        name = path.relative_to(ROOT)
        if changed:
            problems.append(f"{name}: {'updated' if write else 'differs from the model'}")
        problems += [f"{name}: marker {k!r} has no number" for k in sorted(set(unknown))]
    problems += [f"number {k!r} is quoted nowhere in docs/teaching" for k in texts if k not in used]
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="report differences, write nothing")
    ap.add_argument("--fill", action="store_true", help="only fill the docs from numbers.json")
    ap.add_argument("--results", type=Path, help="keep (and reuse) the commands' folders here")
    args = ap.parse_args()
    if args.fill:
        numbers = json.loads(NUMBERS.read_text(encoding="utf-8"))["numbers"]
        problems = fill_docs({k: v["text"] for k, v in numbers.items()}, write=True)
        print("\n".join(problems) or "docs/teaching is up to date")
        return 0
    import numba

    from kosi_sim.jit import single_thread
    from kosi_sim.teaching_fingerprint import fingerprint

    single_thread()  # the results do not depend on it; one thread shares the machine better
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kosi-teaching-") as tmp:
        results = args.results or Path(tmp)
        results.mkdir(parents=True, exist_ok=True)
        n = compute(results, reuse=args.results is not None)
    fp = fingerprint(exercise_commands())
    texts = {k: x.text for k, x in n.items()}
    new = as_json(n, fp)
    old = NUMBERS.read_text(encoding="utf-8") if NUMBERS.exists() else ""
    problems = fill_docs(texts, write=not args.check)
    if new != old:
        if not args.check:
            NUMBERS.write_text(new, encoding="utf-8")
        problems.append(
            f"{NUMBERS.relative_to(ROOT)}: {'updated' if not args.check else 'differs'}"
        )
    print("\n".join(problems) or "docs/teaching is up to date")
    print(f"{time.perf_counter() - t0:.0f} s on {numba.get_num_threads()} thread(s)")
    unknown = [p for p in problems if "has no number" in p or "quoted nowhere" in p]
    return 1 if (args.check and problems) or unknown else 0


if __name__ == "__main__":
    sys.exit(main())
