"""Exact regression: the city metrics of a small run must not change unnoticed.

After an intended change of model behaviour, rewrite the baseline with
``scripts/dev.sh test --update-baselines`` and commit it with the change.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from kosi_sim.model import CityModel
from kosi_sim.scenario import from_dict

BASELINE = Path(__file__).parent / "baselines" / "small_city.csv"


def _current(doc) -> pd.DataFrame:
    model = CityModel(from_dict(doc, "small"), rng=11)
    model.run(24)
    df = model.metrics_frame()
    city = df[df["district"] == "city"]
    return city.pivot_table(index="month", columns="metric", values="value", observed=True)


def test_city_metrics_match_the_baseline(small_doc, request):
    current = _current(small_doc)
    if request.config.getoption("--update-baselines"):
        BASELINE.parent.mkdir(exist_ok=True)
        current.to_csv(BASELINE, float_format="%.17g")
    expected = pd.read_csv(BASELINE, index_col="month")
    assert list(current.columns) == list(expected.columns), "metric set changed"
    assert np.array_equal(current.to_numpy(), expected.to_numpy(), equal_nan=True), (
        "model output changed; if intended, run: scripts/dev.sh test --update-baselines"
    )
