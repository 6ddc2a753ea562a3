"""``[uncertainty]`` in experiment files: every design point averaged over parameter draws.

::

    [uncertainty]
    source = "prior"            # or "posterior"
    draws = 8                   # K parameter draws, the same for every design point
    posterior = "post.parquet"  # with source = "posterior": the file (relative to this one);
                                # default: the posterior the scenario names

Each design point then runs K draws x ``replications`` replicates: run unit
u = k * replications + r (the ``replicate`` column of the runs table) uses draw k and the
seed of unit u, both the same at every design point, so that design points are compared on
common parameter draws and common random numbers.  A draw is applied to the base scenario
first and the design point's factors after it, so a factor that is itself an uncertain
parameter is not drawn: it keeps the design's values.  The draws come from
:func:`kosi_sim.uncertainty.parameter_draws` on the experiment's root seed.

The runs of one draw share its parameters, so they are not independent: the sweep's
analysis averages each draw's replicates first and takes the draws as the independent units
of its intervals (``unit`` in :mod:`kosi_sim.experiments.analysis`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..draws import DrawError, canonical, with_draw
from ..inputs import short
from ..posterior import PosteriorError
from ..scenario import Scenario, ScenarioError
from ..uncertainty import UncertaintyError, parameter_draws
from ..vocabulary import InstrumentSetting, InstrumentSwitch, ParameterSetting
from .designs import Factor

KEYS = ("source", "draws", "posterior")
SOURCES = ("prior", "posterior")
MAX_DRAWS = 10_000


@dataclass(frozen=True)
class Uncertainty:
    source: str
    draws: pd.DataFrame  # K rows, one column per drawn key
    scenarios: tuple[Scenario, ...]  # the base scenario under each draw
    posterior: str | None = None

    @property
    def k(self) -> int:
        return len(self.scenarios)

    def summary(self, replications: int) -> dict[str, Any]:
        """What the sweep's manifest records."""
        return {
            "source": self.source,
            "draws": self.k,
            "replications_per_draw": replications,
            "posterior": self.posterior,
            "drawn_parameters": list(self.draws.columns),
        }


def _factor_keys(factors: tuple[Factor, ...]) -> set[str]:
    """The parameters that factors set (they are not drawn)."""
    keys = set()
    for f in factors:
        if not isinstance(f.target, ParameterSetting):
            continue  # the lab or an intervention: no parameter key
        try:
            keys.add(canonical(f.name))
        except DrawError:
            continue  # a top-level setting (years, scale): not drawn either
    return keys


def parse(
    raw: Any, base: Scenario, factors: tuple[Factor, ...], seed: int, path: Path
) -> Uncertainty | None:
    """The ``[uncertainty]`` table, or None without one; ValueError with one line (the
    caller adds where)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError("[uncertainty] must be a table with source and draws")
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise ValueError(
            f"[uncertainty]: unknown key {unknown[0]!r}; valid keys: {', '.join(KEYS)}"
        )
    source = raw.get("source")
    if source not in SOURCES:
        raise ValueError(
            f"[uncertainty] source = {short(source)} is not allowed; allowed: " + ", ".join(SOURCES)
        )
    k = raw.get("draws", 8)
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= MAX_DRAWS:
        raise ValueError(
            f"[uncertainty] draws = {short(k)} is not allowed; allowed: a whole number "
            f"from 2 to {MAX_DRAWS}"
        )
    post = raw.get("posterior")
    if post is not None and (source != "posterior" or not isinstance(post, str)):
        raise ValueError("[uncertainty] posterior = a file name, only with source = 'posterior'")
    if post is not None:
        post = str(path.parent / post)
    on_instrument = (InstrumentSwitch, InstrumentSetting)
    if any(isinstance(f.target, on_instrument) for f in factors) and _has_presets(base):
        raise ValueError(
            "[uncertainty] with a factor on an intervention needs the lab's instruments "
            "listed one by one, not as a preset (a draw expands presets)"
        )
    try:
        draws = parameter_draws(
            replace(base, seed=seed), source, k, post, exclude=_factor_keys(factors)
        )
        scenarios = tuple(with_draw(base, row) for row in draws.to_dict("records"))
    except (DrawError, PosteriorError, UncertaintyError, ScenarioError) as e:
        raise ValueError(f"[uncertainty]: {e}") from None
    return Uncertainty(source, draws, scenarios, post)


def _has_presets(base: Scenario) -> bool:
    from ..interventions.presets import PRESETS

    return any(entry.get("type") in PRESETS for entry in base.interventions)
