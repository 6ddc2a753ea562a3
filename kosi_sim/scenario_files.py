"""Files a scenario names: its districts as a CSV file (``districts_file``) and its
posterior (``posterior``), each a path inside the scenario's folder or an absolute path.
A file's content is never echoed in a message."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from .inputs import read_text, short
from .parameters import finite_number
from .scenario_schema import DistrictModel, ScenarioError


def _districts_path(
    base: Path,
    name: Any,
    source: str,
    key: str = "districts_file",
    example: str = "data/districts.csv",
) -> Path:
    """A file a scenario names under ``key``: an absolute path, or a path inside the
    scenario's folder."""
    if not isinstance(name, str) or not name:
        raise ScenarioError(f"{source}: {key} = {short(name)}: expected a file name")
    if os.path.isabs(name):
        return Path(name)
    if os.path.normpath(name).split(os.sep)[0] == os.pardir:
        raise ScenarioError(
            f"{source}: {key} = {short(name)} lies outside the scenario's folder; "
            f"allowed: a path inside it (e.g. {example}) or an absolute path"
        )
    return base / name


def _posterior_file(base: Path, name: Any, source: str) -> str:
    """The posterior file a scenario names, as an absolute path, after reading and checking
    it (:func:`kosi_sim.posterior.read`); ScenarioError with one line if it is unusable."""
    from .posterior import PosteriorError, read

    path = _districts_path(base, name, source, "posterior", "posteriors/city.parquet")
    try:
        read(path)
    except PosteriorError as e:
        raise ScenarioError(f"{source}: posterior = {short(name)}: {e}") from None
    return str(path.resolve())


#: districts CSV columns: those of [[districts]] and an optional source of the figures
DISTRICT_COLUMNS = (*DistrictModel.model_fields, "source")


def _csv_number(text: str, whole: bool) -> int | float:
    """A CSV cell as a number; ValueError saying what is wrong (echoing no text)."""
    try:
        x = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    finite_number(x)
    if whole:
        if not x.is_integer():
            raise ValueError("not a whole number")
        return int(x)
    return x


def read_districts(base: Path, name: Any, source: str) -> list[dict[str, Any]]:
    """Districts from a CSV file (columns as in [[districts]], plus an optional source).

    The file's content is never echoed in a message (a districts_file may name any file):
    errors give line and column."""
    path = _districts_path(base, name, source)
    reader = csv.reader(io.StringIO(read_text(path, "districts CSV file", ScenarioError)))
    try:
        rows = [(reader.line_num, row) for row in reader if row]
    except csv.Error as e:
        raise ScenarioError(f"{path}: not a valid CSV file: {e}") from None
    if not rows:
        raise ScenarioError(f"{path}: empty; expected a header line naming the columns")
    header = rows[0][1]
    for j, col in enumerate(header, start=1):
        if col not in DISTRICT_COLUMNS or col in header[: j - 1]:
            raise ScenarioError(
                f"{path}: line 1, column {j} is not a districts column or repeats one; "
                f"valid columns: {', '.join(DISTRICT_COLUMNS)}"
            )
    missing = [c for c in ("name", "population") if c not in header]
    if missing:
        raise ScenarioError(f"{path}: no column {missing[0]!r}; needed: name, population")
    out = []
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise ScenarioError(
                f"{path}: line {line} has {len(row)} fields, the header {len(header)} "
                "columns (quote a value that contains a comma)"
            )
        entry: dict[str, Any] = {}
        for key, text in zip(header, row, strict=True):
            if key == "source" or text == "":
                continue
            if key == "name":
                entry[key] = text
                continue
            try:
                entry[key] = _csv_number(text, whole=key == "population")
            except ValueError as e:
                raise ScenarioError(f"{path}: line {line}, {key}: {e}") from None
        out.append(entry)
    return out
