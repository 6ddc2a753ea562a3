"""The classroom material works as written: the notebook runs, every command of the exercises
runs, every app control the exercises name exists, exercise 3's finding holds, and every number
the material quotes is the model's (docs/teaching/numbers.json, scripts/teaching_results.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kosi_sim import docnumbers, teaching
from kosi_sim.app import i18n
from kosi_sim.app.labels_instruments import INSTRUMENTS, PARAMS
from kosi_sim.cli import main
from kosi_sim.model import CityModel
from kosi_sim.scenario import builtin_names, resolve

ROOT = Path(__file__).resolve().parents[1]
TEACHING = ROOT / "docs" / "teaching"
EXERCISES = (TEACHING / "exercises.md").read_text(encoding="utf-8")


def exercise_commands() -> list[list[str]]:
    """Every ``kosi-sim ...`` line of the fenced blocks in exercises.md, as arguments."""
    return [list(c.args) for c in teaching.exercise_commands()]


def test_the_exercises_have_commands_for_every_exercise():
    cmds = exercise_commands()
    assert len(cmds) >= 10
    assert {c[0] for c in cmds} == {"run", "compare"}
    assert "E2_" not in EXERCISES and "E4_" not in EXERCISES and "E5_" not in EXERCISES


@pytest.mark.parametrize("args", exercise_commands(), ids=lambda a: " ".join(a[:4]))
def test_exercise_command_runs(args, tmp_path, monkeypatch, capsys):
    """The command as written, shortened (to one year, or as many as it takes for every
    intervention to start) and with two replicates, for the suite."""
    monkeypatch.chdir(ROOT)
    args = list(args)
    i = args.index("--out")
    args[i + 1] = str(tmp_path / "out")
    starts = [s.start for s in resolve(args[1]).intervention_specs]
    years = max(((start - 1) // 12 + 1 for start in starts), default=1)
    args += ["--years", str(years), "--quiet"]
    if args[0] == "compare":
        args += ["--replications", "2"]
    assert main(args) == 0, capsys.readouterr().err


def _app_labels() -> set[str]:
    labels = set(builtin_names())
    for table in (i18n.UI, i18n.DRIVERS, i18n.INDICATORS, i18n.CHART_LABELS, i18n.LAB_METRICS):
        labels |= {pair[0] for pair in table.values()}
    labels |= {v["en"][0] for v in INSTRUMENTS.values()}
    labels |= {v["en"] for v in PARAMS.values()}
    labels |= {"Reset", "Play", "Play/Pause", "Step", "Details", "Map", "Over time"}
    labels |= {"Initiatives", "Lab report", "with lab", "without lab"}
    return labels


def test_app_settings_named_in_the_exercises_exist():
    known = _app_labels()
    for para in re.findall(r"\*\*In the app\.\*\*(.*?)\n\n", EXERCISES, flags=re.S):
        text = " ".join(re.sub(r"\*\*.*?\*\*", "", para).split())
        for name in re.findall(r"\*([^*]+)\*", text):
            assert name in known, f"exercises.md names an app control that does not exist: {name}"


def test_exercise_scenarios_are_valid():
    for path in sorted((TEACHING / "scenarios").glob("*.toml")):
        scn = resolve(str(path))
        assert scn.years > 0


def test_notebook_runs():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(TEACHING / "tutorial.ipynb", as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit the notebook without outputs"
    )
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(TEACHING)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type == "display_data" for o in outputs)  # the plots


def test_exercise_3_facilitated_tables_agree_more_and_break_up_less():
    converged, failed = {}, {}
    for kind in ("facilitated", "unfacilitated"):
        scn = resolve(str(TEACHING / "scenarios" / f"round_tables_{kind}.toml"))
        totals = {"tables_converged": 0.0, "tables_failed": 0.0}
        for seed in (7, 8):
            model = CityModel(scn, rng=seed)
            model.run(72)
            sums = model.interventions_frame().groupby("metric")["value"].sum()
            for key in totals:
                totals[key] += float(sums.get(key, 0.0))
        converged[kind], failed[kind] = totals["tables_converged"], totals["tables_failed"]
    assert converged["facilitated"] > converged["unfacilitated"]
    assert failed["facilitated"] < failed["unfacilitated"]


# --- the numbers the material quotes ---------------------------------------------------------

NUMBERS = json.loads(teaching.NUMBERS.read_text(encoding="utf-8"))
FIX = (
    f"regenerate them: {teaching.REGENERATE} (3 to 6 minutes on 2 cores), then commit docs/teaching"
)


def test_the_docs_quote_exactly_the_generated_numbers():
    numbers = NUMBERS["numbers"]
    quoted = set()
    for path in teaching.DOCS:
        for key, text in docnumbers.markers(docnumbers.read_markdown(path)):
            name = path.relative_to(ROOT)
            assert key in numbers, f"{name}: marker {key!r} has no number in numbers.json; {FIX}"
            assert text == numbers[key]["text"], (
                f"{name}: {key} reads {text!r}, numbers.json has {numbers[key]['text']!r}; {FIX}"
            )
            quoted.add(key)
    missing = sorted(set(numbers) - quoted)
    assert not missing, f"numbers.json has numbers the docs do not quote: {missing}; {FIX}"


@pytest.mark.usefixtures("one_thread")
def test_the_model_behaves_as_when_the_numbers_were_made():
    """A short, small run of every exercise town, rounded to 6 significant digits and hashed
    (kosi_sim/teaching_fingerprint.py): a change of model behaviour changes it."""
    from kosi_sim.teaching_fingerprint import fingerprint

    stored = NUMBERS["fingerprint"]
    current = fingerprint(teaching.exercise_commands())
    assert current["inputs"] == stored["inputs"], (
        f"the commands of exercises.md or the notebook's code changed since docs/teaching's "
        f"numbers were made; {FIX}"
    )
    changed = [t for t in current["towns"] if current["towns"][t] != stored["towns"].get(t)]
    assert not changed and current == stored, (
        f"the model behaves differently since docs/teaching's numbers were made "
        f"(towns: {', '.join(changed) or 'the set of towns'}); {FIX}"
    )


@pytest.mark.usefixtures("one_thread")
def test_exercise_1_and_the_scenario_facts_recomputed(tmp_path):
    """Exercise 1's two commands run for real, and the towns' sizes and budgets read from
    their files, give the numbers the docs quote."""
    from kosi_sim.teaching_exercises import exercise1, scenario_facts

    cmds = {c.folder: c for c in teaching.exercise_commands() if c.folder.startswith("e1-")}
    for cmd in cmds.values():
        teaching.run_command(cmd, tmp_path / cmd.folder)
    n = teaching.Numbers()
    scenario_facts(n)
    exercise1(n, lambda name: tmp_path / name, cmds)
    stored = NUMBERS["numbers"]
    wrong = {k: (x.text, stored.get(k, {}).get("text")) for k, x in n.items()}
    wrong = {k: v for k, v in wrong.items() if v[0] != v[1]}
    assert not wrong, f"(model, docs) differ: {wrong}; {FIX}"


def test_the_robust_lab_studies_were_run_on_the_model_as_it_behaves_now():
    """docs/robust_lab.md's study results record the model's behaviour fingerprint of when
    they were made (scripts/robust_lab_docs.py); it must be the one numbers.json holds,
    which the test above checks against the model: otherwise the studies predate a change
    of behaviour and their numbers are stale."""
    from kosi_sim.teaching_fingerprint import behaviour_digest

    text = (teaching.TEACHING.parent / "robust_lab.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- robust:([\w-]+) -->", text)
    stamps = re.findall(r"model fingerprint `([0-9a-f]+)`", text)
    assert blocks and len(stamps) == len(blocks), "a robust-lab block without its fingerprint"
    stale = [
        b
        for b, s in zip(blocks, stamps, strict=True)
        if s != behaviour_digest(NUMBERS["fingerprint"])
    ]
    assert not stale, (
        f"docs/robust_lab.md: the studies {stale} were run on a model that behaved differently; "
        "re-run them (kosi-sim optimize experiments/<study>.toml --evaluations 320 --out DIR) "
        "and .venv/bin/python scripts/robust_lab_docs.py DIR ..."
    )
