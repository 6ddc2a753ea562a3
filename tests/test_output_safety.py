"""Output folders: safe names, --force only over the tool's own folders, one writer at a time,
and failed writes as one-line errors that leave nothing behind (issue 17, part 2).

Every command runs in-process (``main``) in a temporary working folder; a refused command
must leave that whole tree exactly as it was.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kosi_sim import outdir
from kosi_sim.cli import main
from kosi_sim.experiments.spec import ExperimentError, from_document
from kosi_sim.inputs import short
from kosi_sim.outdir import NAME_RULE, ResultsError, writer_lock
from kosi_sim.scenario import ScenarioError, from_dict

from .test_experiments import EXP

CLASSROOM = Path(__file__).resolve().parents[1] / "scenarios" / "classroom.toml"
RUN = ["run", str(CLASSROOM), "--years", "1", "--quiet"]
EXPERIMENT = EXP  # a tiny serial sweep of classroom_toolbox
RUNS = 8  # 2 x 2 points, 2 replicates
WRITERS = {  # every command that writes an output folder, without --out
    "run": RUN,
    "compare": ["compare", "classroom_toolbox", "--years", "3", "--replications", "2", "--quiet"],
    "calibrate": ["calibrate", str(CLASSROOM), "--replications", "1", "--window", "1"],
    "sweep": ["sweep", "tiny.toml", "--quiet"],
}


def tree(root: Path) -> dict[str, tuple[int, int] | None]:
    """Every path under ``root`` with the size and modification time of each file."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns) if p.is_file() else None
    return out


def error_line(code: int, capsys) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kosi-sim: error: "), err
    return lines[0]


def enospc(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A working folder with a user's folder of scenarios in it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "mine.toml").write_text("# the user's own file\n")
    (tmp_path / "tiny.toml").write_text(EXPERIMENT)
    return tmp_path


@pytest.fixture
def no_model_runs(monkeypatch):
    """Fail the test if a model is built: refusals must come before any computing."""
    from kosi_sim.model import CityModel

    def refuse(*_args, **_kwargs):
        raise AssertionError("a model was built although the output folder was refused")

    monkeypatch.setattr(CityModel, "__init__", refuse)


def scenario_named(folder: Path, name: str) -> Path:
    text = CLASSROOM.read_text().replace('name = "classroom"', f"name = {json.dumps(name)}", 1)
    path = folder / "copy.toml"
    path.write_text(text)
    return path


# -- names ---------------------------------------------------------------------------------

BAD_NAMES = ["../scenarios", "..", ".", ".hidden", "a/b", "/etc", "a\\b", "-rf", "x\ny", "x" * 101]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_scenario_name_must_be_a_safe_folder_name(small_doc, name):
    small_doc["name"] = name
    with pytest.raises(ScenarioError) as e:
        from_dict(small_doc, "s.toml")
    assert str(e.value) == f"s.toml: name = {short(name)} cannot name an output folder; " + (
        f"allowed: {NAME_RULE}"
    )
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("name", ["Görlitz", "classroom_toolbox", "run-2.b", "x" * 100, "2024"])
def test_safe_names_are_accepted(small_doc, name):
    small_doc["name"] = name
    assert from_dict(small_doc, "s.toml").name == name


@pytest.mark.parametrize("name", ["../escaped", "..", "a/b"])
def test_an_experiment_name_must_be_a_safe_folder_name(name):
    doc = {"name": name, "scenario": "classroom", "factors": [{"name": "lab"}]}
    with pytest.raises(ExperimentError, match="cannot name an output folder; allowed: letters"):
        from_document(doc, "", Path("e.toml"))


@pytest.mark.parametrize("name", ["..", "../x", ".x", "", None])
def test_a_name_is_checked_again_where_it_becomes_a_path(name):
    with pytest.raises(ResultsError, match="cannot name an output folder"):
        outdir.default_folder(name, "-compare")


@pytest.mark.parametrize(
    "args",
    [
        ["--force"],  # name = "../scenarios" from the file
        ["--set", "name=..", "--force"],
        ["--set", "name=../escaped"],
    ],
)
def test_run_with_an_unsafe_name_touches_nothing(work, capsys, no_model_runs, args):
    path = scenario_named(work, "../scenarios")
    before = tree(work.parent)
    line = error_line(main(["run", str(path), "--years", "1", "--quiet", *args]), capsys)
    assert "cannot name an output folder" in line
    assert tree(work.parent) == before


def test_a_missing_results_folder_is_made_before_the_run(work, capsys):
    assert main([*RUN, "--set", "name=Görlitz"]) == 0
    assert (work / "results" / "Görlitz" / "manifest.json").is_file()
    assert sorted(p.name for p in (work / "results").iterdir()) == ["Görlitz"]


# -- --force -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", WRITERS)
def test_force_never_replaces_a_folder_the_tool_did_not_write(work, capsys, no_model_runs, command):
    before = tree(work)
    line = error_line(main([*WRITERS[command], "--out", "scenarios", "--force"]), capsys)
    assert "scenarios is not a folder written by kosi-sim" in line
    assert "--force replaces only such folders" in line
    assert tree(work) == before


def test_force_does_not_cross_kinds(work, capsys):
    """A run cannot replace a sweep's folder, nor a sweep a run's."""
    run_folder, sweep_folder = work / "r", work / "s"
    for folder, marker in ((run_folder, "kosi_sim_result"), (sweep_folder, "kosi_sim_sweep")):
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps({marker: 1}))
    before = tree(work)
    line = error_line(main([*RUN, "--out", "s", "--force"]), capsys)
    assert "s is not a folder written by kosi-sim run, compare or calibrate" in line
    line = error_line(main(["sweep", "tiny.toml", "--out", "r", "--force", "--quiet"]), capsys)
    assert "r is not a folder written by kosi-sim sweep" in line
    assert tree(work) == before


@pytest.mark.parametrize("out", [".", "..", "/"])
def test_the_current_folder_and_its_parents_are_never_an_output(work, capsys, out):
    before = tree(work)
    line = error_line(main([*RUN, "--out", out, "--force"]), capsys)
    assert "is the current folder or one of its parents" in line
    assert tree(work) == before


def test_force_replaces_its_own_run_folder_and_leaves_nothing_else(work, capsys):
    assert main([*RUN, "--out", "out/r"]) == 0
    (work / "out" / "r" / "note.txt").write_text("written into the run folder")
    assert main([*RUN, "--out", "out/r", "--force", "--seed", "9"]) == 0
    assert json.loads((work / "out" / "r" / "manifest.json").read_text())["seed"] == 9
    assert not (work / "out" / "r" / "note.txt").exists()
    assert sorted(p.name for p in (work / "out").iterdir()) == ["r"]  # no lock, tmp or old


# -- one writer at a time ------------------------------------------------------------------


def test_a_second_writer_of_a_run_folder_is_refused(work, capsys, no_model_runs):
    (work / "results").mkdir()
    with writer_lock(work / "results" / "classroom"):
        before = tree(work)
        line = error_line(main(RUN), capsys)
        assert tree(work) == before
    assert line == (
        f"kosi-sim: error: {Path('results') / 'classroom'} is being written by another "
        f"kosi-sim command (process {os.getpid()}); wait for it to end or choose another --out"
    )
    assert not (work / "results" / ".classroom.lock").exists()  # removed by the holder


def test_two_sweeps_with_force_do_not_delete_each_others_files(work, capsys):
    assert main(["sweep", "tiny.toml", "--out", "s", "--quiet"]) == 0
    with writer_lock(work / "s"):  # as if a first `sweep --force` were running
        before = tree(work)
        line = error_line(main(["sweep", "tiny.toml", "--out", "s", "--force", "--quiet"]), capsys)
        assert "s is being written by another kosi-sim command" in line
        assert tree(work) == before
    assert len(list((work / "s" / "runs").glob("run-*.json"))) == RUNS


@pytest.mark.parametrize("command", WRITERS)
def test_every_writer_is_refused_while_another_holds_the_folder(
    work, capsys, no_model_runs, command
):
    with writer_lock(work / "out"):
        before = tree(work)
        line = error_line(main([*WRITERS[command], "--out", "out", "--force"]), capsys)
        assert tree(work) == before
    assert line.startswith("kosi-sim: error: out is being written by another kosi-sim command")


def test_a_lock_left_by_a_killed_writer_does_not_block(work, capsys):
    (work / ".r.lock").write_text("999999\n")  # the file stays after kill -9; the flock does not
    assert main([*RUN, "--out", "r"]) == 0
    assert not (work / ".r.lock").exists()


def test_leftovers_of_a_killed_run_are_removed_on_the_next_start(work, capsys):
    for name in (".r.tmp-ab12cd_9", ".r.old-zz99yy00"):  # what tempfile.mkdtemp names them
        (work / name).mkdir()
        (work / name / "metrics.parquet").write_bytes(b"half")
    (work / ".r.tmp-mine").mkdir()  # not the tool's pattern: left alone
    (work / ".other.tmp-ab12cd_9").mkdir()  # another folder's: left alone
    assert main([*RUN, "--out", "r"]) == 0
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == [
        ".other.tmp-ab12cd_9",
        ".r.tmp-mine",
    ]


# -- failed writes -------------------------------------------------------------------------


def test_disk_full_during_a_run_leaves_nothing(work, capsys, monkeypatch):
    def half_then_full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 half")
        enospc()

    monkeypatch.setattr(pd.DataFrame, "to_parquet", half_then_full)
    before = tree(work)
    line = error_line(main([*RUN, "--out", "deep/er/r"]), capsys)
    assert line == "kosi-sim: error: cannot write deep/er/r: no space left on the device"
    assert tree(work) == before  # no tmp folder, no lock file, the made parents removed again


def test_an_unwritable_place_fails_before_the_run(work, capsys, monkeypatch, no_model_runs):
    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(outdir.tempfile, "mkdtemp", read_only)
    before = tree(work)
    line = error_line(main(RUN), capsys)
    assert line == "kosi-sim: error: cannot write results/classroom: read-only file system"
    assert tree(work) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize("command", WRITERS)
def test_a_read_only_folder_fails_before_anything_runs(work, capsys, no_model_runs, command):
    (work / "ro").mkdir(mode=0o555)
    try:
        line = error_line(main([*WRITERS[command], "--out", "ro/out"]), capsys)
    finally:
        (work / "ro").chmod(0o755)
    assert line.startswith(f"kosi-sim: error: cannot write {work / 'ro'}: permission denied")
    assert list((work / "ro").iterdir()) == []


def test_a_sweep_into_a_read_only_place_leaves_nothing(work, capsys, monkeypatch):
    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(Path, "mkdir", read_only)
    before = tree(work)
    line = error_line(main(["sweep", "tiny.toml", "--out", "s", "--quiet"]), capsys)
    assert line == "kosi-sim: error: cannot write s: read-only file system; nothing was kept"
    assert tree(work) == before


@pytest.mark.parametrize("command", WRITERS)
def test_a_file_where_a_folder_belongs(work, capsys, no_model_runs, command):
    before = tree(work)
    line = error_line(main([*WRITERS[command], "--out", "scenarios/mine.toml/out"]), capsys)
    assert f"cannot write {work / 'scenarios' / 'mine.toml'}: a part of the path is a file" in line
    assert tree(work) == before


def _fail_record(monkeypatch, number: int) -> None:
    """Disk full while the record of run ``number`` is written (its metrics file is written)."""
    original = Path.write_bytes

    def write_bytes(self, data):
        if f"run-{number:06d}.json" in self.name:
            original(self, data[:5])  # the temporary file is half written
            enospc()
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def test_disk_full_during_a_sweep_keeps_it_consistent_and_resumable(work, capsys, monkeypatch):
    _fail_record(monkeypatch, 3)
    line = error_line(main(["sweep", "tiny.toml", "--out", "s", "--quiet"]), capsys)
    root = work / "s"
    records = {p.stem for p in (root / "runs").glob("run-*.json")}
    assert records == {p.stem for p in (root / "metrics").glob("run-*.parquet")}  # pairs only
    assert 1 <= len(records) < RUNS and "run-000003" not in records
    assert line == (
        f"kosi-sim: error: cannot write {Path('s') / 'runs' / 'run-000003.json'}: "
        f"no space left on the device; {len(records)} of {RUNS} runs are saved in s/; once it "
        "can be written, continue with: kosi-sim sweep tiny.toml --out s --resume"
    )
    assert not [p for p in root.rglob("*") if ".tmp-" in p.name]
    assert json.loads((root / "manifest.json").read_text())["status"] == "incomplete"
    assert sorted(p.name for p in work.iterdir()) == ["s", "scenarios", "tiny.toml"]  # no lock

    monkeypatch.undo()
    monkeypatch.chdir(work)
    assert main(["sweep", "tiny.toml", "--out", "s", "--resume", "--quiet"]) == 0
    runs = pd.read_parquet(root / "runs.parquet")
    assert sorted(runs["run_id"]) == list(range(RUNS)) and (runs["status"] == "ok").all()


def test_disk_full_at_the_end_of_a_sweep_still_records_its_status(work, capsys, monkeypatch):
    original = pd.DataFrame.to_parquet

    def full_for_the_table(self, path, *args, **kwargs):
        if "runs.parquet" in Path(path).name:
            enospc()
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full_for_the_table)
    line = error_line(main(["sweep", "tiny.toml", "--out", "s", "--quiet"]), capsys)
    assert line.startswith(
        f"kosi-sim: error: cannot write {Path('s') / 'runs.parquet'}: no space left on the "
        f"device; {RUNS} of {RUNS} runs are saved in s/"
    )
    root = work / "s"
    assert json.loads((root / "manifest.json").read_text())["status"] == "complete"
    assert not (root / "runs.parquet").exists()
    assert not [p for p in root.rglob("*") if ".tmp-" in p.name]
    monkeypatch.setattr(pd.DataFrame, "to_parquet", original)
    assert main(["sweep", "tiny.toml", "--out", "s", "--resume", "--quiet"]) == 0
    assert len(pd.read_parquet(root / "runs.parquet")) == RUNS


def test_a_sweep_that_fails_before_its_first_run_leaves_no_folder(work, capsys, monkeypatch):
    monkeypatch.setattr(pd.DataFrame, "to_parquet", enospc)  # design.parquet
    line = error_line(main(["sweep", "tiny.toml", "--quiet"]), capsys)
    assert line == (
        f"kosi-sim: error: cannot write {Path('results') / 'tiny' / 'design.parquet'}: "
        "no space left on the device; nothing was kept"
    )
    assert sorted(p.name for p in work.iterdir()) == ["scenarios", "tiny.toml"]


# -- analyze -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    """A finished tiny sweep (copied by the tests that change it)."""
    root = tmp_path_factory.mktemp("sweep")
    (root / "tiny.toml").write_text(EXPERIMENT)
    assert main(["sweep", str(root / "tiny.toml"), "--out", str(root / "s"), "--quiet"]) == 0
    return root / "s"


def test_analyze_does_not_write_into_a_run_folder(work, capsys):
    assert main([*RUN, "--out", "r"]) == 0
    before = tree(work)
    line = error_line(main(["analyze", "r"]), capsys)
    assert line == (
        "kosi-sim: error: r is a results folder of kosi-sim run, compare or calibrate, not a "
        "sweep folder; give the folder of kosi-sim sweep"
    )
    assert tree(work) == before


def test_analyze_warns_about_a_half_written_sweep_and_writes_only_its_output(
    sweep_folder, tmp_path, capsys
):
    root = shutil.copytree(sweep_folder, tmp_path / "s")
    (root / "runs.parquet").unlink()  # a killed sweep has none yet
    for run_id in (5, 6, 7):
        (root / "runs" / f"run-{run_id:06d}.json").unlink()
    manifest = json.loads((root / "manifest.json").read_text())
    (root / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    before = tree(root)
    assert main(["analyze", str(root), "--quiet"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"kosi-sim: warning: {root}: the sweep is unfinished (status running): 3 of 8 runs "
        "have no result yet; this analysis covers the 5 recorded; finish it with kosi-sim "
        f"sweep {sweep_folder.parent / 'tiny.toml'} --out {root} --resume"
    ]
    after = tree(root)
    assert {k: v for k, v in after.items() if not k.startswith("analysis")} == before
    assert "3 of 8 runs have no result yet" in (root / "analysis" / "report.html").read_text()


def test_analyze_replaces_its_own_output_only(sweep_folder, tmp_path, capsys):
    root = shutil.copytree(sweep_folder, tmp_path / "s")
    assert main(["analyze", str(root), "--quiet"]) == 0
    assert main(["analyze", str(root), "--quiet"]) == 0  # its own earlier analysis: replaced
    assert json.loads((root / "analysis" / "manifest.json").read_text())["kosi_sim_analysis"]
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    before = tree(tmp_path)
    line = error_line(main(["analyze", str(root), "--out", str(tmp_path / "mine")]), capsys)
    assert "mine is not a folder written by kosi-sim analyze" in line
    assert tree(tmp_path) == before


def test_analyze_into_an_unwritable_place_is_one_line(sweep_folder, tmp_path, capsys, monkeypatch):
    root = shutil.copytree(sweep_folder, tmp_path / "s")
    before = tree(tmp_path)
    line = error_line(
        main(["analyze", str(root), "--out", str(root / "design.parquet" / "a")]), capsys
    )
    assert line.endswith(f"{root / 'design.parquet'}: a part of the path is a file, not a folder")
    monkeypatch.setattr(outdir.tempfile, "mkdtemp", enospc)
    line = error_line(main(["analyze", str(root)]), capsys)
    assert line == f"kosi-sim: error: cannot write {root / 'analysis'}: no space left on the device"
    assert tree(tmp_path) == before
