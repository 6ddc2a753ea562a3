"""A behavioural fingerprint of the model, to tell whether docs/teaching's numbers still hold.

The numbers take minutes to regenerate; the fingerprint takes seconds.  For each distinct
town of exercises.md's commands (scenario and ``--set`` overrides) it runs the scenario as
the commands do (:class:`~kosi_sim.model.CityModel` with the scenario's seed, every
instrument of its lab switched on) but small: scaled to about :data:`CITIZENS` simulated
citizens, for 18 months after the last instrument starts and at least two years (round
tables first meet a year after they start).  It hashes the
city's metrics of every month and the instruments' monthly reports, each value rounded to
:data:`DIGITS` significant digits, so that a harmless difference in the last bits of a float
(another processor, another BLAS) does not count, while any change of a rule, a default or a
scenario file does.  Every parameter's value (declared defaults included) is hashed with them,
so that a changed default counts even where the short run does not reach it.  The model's
results do not depend on the number of threads (:mod:`kosi_sim.jit`; checked here: the
unrounded values are bit-identical on 1 and 2 threads), so neither does the fingerprint.

``inputs`` hashes what the numbers are computed from besides the model: the command lines of
exercises.md and the notebook's code cells.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from .teaching import NOTEBOOK, Command

CITIZENS = 3000
DIGITS = 6
#: months run after the last instrument of the lab starts, and the fewest months run
AFTER_START, MIN_MONTHS = 18, 24


def cases(commands: Iterable[Command]) -> list[tuple[str, tuple[str, ...]]]:
    """The distinct towns of the commands: (scenario, overrides), in order."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for cmd in commands:
        case = (cmd.scenario, cmd.overrides)
        if case not in out:
            out.append(case)
    return out


def _value(v: float, digits: int | None) -> str:
    if v != v:
        return "nan"
    return repr(float(v)) if digits is None else f"{float(v) + 0.0:.{digits}g}"


def case_values(scenario: str, overrides: tuple[str, ...], digits: int | None = DIGITS) -> dict:
    """The short run of one town: city metrics and instrument reports, as rounded text."""
    from .model import CityModel
    from .scenario import parse_assignment, resolve

    values = dict(parse_assignment(x) for x in overrides)
    scn = resolve(scenario, values)
    population = sum(d.population for d in scn.districts) * scn.scale
    scale = min(1.0, float(f"{scn.scale * CITIZENS / population:.2g}"))
    months = max([MIN_MONTHS] + [s.start - 1 + AFTER_START for s in scn.intervention_specs])
    model = CityModel(resolve(scenario, values | {"scale": scale}))
    model.run(months)
    metrics = model.metrics_frame()
    city = metrics[metrics["district"] == "city"].pivot_table(
        index="month", columns="metric", values="value", observed=True, dropna=False
    )
    out = {str(name): [_value(v, digits) for v in city[name]] for name in city.columns}
    # every parameter, declared defaults included: a changed default the short run does not
    # reach still counts
    params = {f"params.{k}": v for k, v in model.spec.params.items()}
    for i in model.interventions:
        params |= {f"params.{i.spec.label}.{k}": v for k, v in vars(i.p).items()}
    for key, v in params.items():
        out[key] = [_value(v, digits) if isinstance(v, float) else str(v)]
    log = model.interventions_frame()
    for (label, metric), rows in log.groupby(["intervention", "metric"]):
        out[f"{label}.{metric}"] = [_value(v, digits) for v in rows["value"]]
    return {"scale": scale, "months": months, "values": out}


def _sha(doc) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def inputs_digest(commands: Iterable[Command]) -> str:
    """A hash of the command lines and the notebook's code cells."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return _sha({"commands": [c.line for c in commands], "notebook": code})[:16]


def fingerprint(commands: list[Command], digits: int | None = DIGITS) -> dict:
    """The fingerprint: one hash per town, and the inputs' hash."""
    towns = {}
    for scenario, overrides in cases(commands):
        run = case_values(scenario, overrides, digits)
        label = " ".join([scenario, *(f"--set {x}" for x in overrides)])
        towns[label] = {
            "scale": run["scale"],
            "months": run["months"],
            "sha256": _sha(run["values"])[:16],
        }
    return {
        "citizens": CITIZENS,
        "digits": digits,
        "towns": towns,
        "inputs": inputs_digest(commands),
    }


def behaviour_digest(fp: dict) -> str:
    """One hash of a fingerprint's towns (the model's behaviour, without the teaching
    inputs): other generated documents (docs/robust_lab.md) record it, and a test compares
    it with docs/teaching/numbers.json's, which is itself checked against the model."""
    return _sha(fp["towns"])[:16]
