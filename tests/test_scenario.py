"""Scenario validation: one test per kind of bad input, and a property-based test."""

import copy
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kosi_sim.catalog import CATALOG
from kosi_sim.scenario import ScenarioError, builtin_names, from_dict, load, resolve


def _error(doc):
    with pytest.raises(ScenarioError) as e:
        from_dict(doc, "x.toml")
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_every_builtin_scenario_is_valid():
    assert "baseline" in builtin_names()
    for name in builtin_names():
        assert resolve(name).name == name


def test_baseline_is_a_mid_sized_city_in_four_districts():
    scn = resolve("baseline")
    assert len(scn.districts) == 4
    assert 45_000 <= sum(d.population for d in scn.districts) <= 55_000


def test_unknown_top_level_key(small_doc):
    small_doc["yeras"] = 3
    msg = _error(small_doc)
    assert "unknown key 'yeras'" in msg and "years" in msg


def test_unknown_section_parameter_lists_valid_ones(small_doc):
    small_doc["engagement"] = {"threshold_mena": 0.2}
    msg = _error(small_doc)
    assert "engagement.threshold_mena" in msg and "threshold_mean" in msg


def test_wrong_type(small_doc):
    small_doc["engagement"] = {"threshold_mean": "high"}
    msg = _error(small_doc)
    assert "engagement.threshold_mean" in msg and "from 0 to 1" in msg


def test_out_of_range(small_doc):
    small_doc["drivers"] = {"demographic_pressure": 1.5}
    msg = _error(small_doc)
    assert "drivers.demographic_pressure = 1.5" in msg and "from 0 to 1" in msg


def test_integer_parameter_rejects_fraction(small_doc):
    small_doc["initiatives"] = {"min_volunteers": 2.5}
    assert "whole number" in _error(small_doc)


def test_parameter_in_the_wrong_section(small_doc):
    small_doc["engagement"] = {"civic_engagement": 1.0}
    assert "unknown key 'engagement.civic_engagement'" in _error(small_doc)


def test_duplicate_district_names(small_doc):
    small_doc["districts"][1]["name"] = "A"
    assert "duplicate district" in _error(small_doc)


def test_missing_districts(small_doc):
    del small_doc["districts"]
    assert "missing required key 'districts'" in _error(small_doc)


def test_empty_district_list(small_doc):
    small_doc["districts"] = []
    assert "districts" in _error(small_doc)


def test_bad_district_value(small_doc):
    small_doc["districts"][0]["population"] = -5
    msg = _error(small_doc)
    assert "districts[0].population" in msg


def test_inconsistent_age_shares(small_doc):
    small_doc["districts"][0]["share_under18"] = 0.5
    small_doc["districts"][0]["share_65plus"] = 0.6
    assert "share_under18 + share_65plus" in _error(small_doc)


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load(tmp_path / "nope.toml")


def test_unreadable_toml(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \n[[districts]\n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load(bad)


def test_binary_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ScenarioError, match="not a text file"):
        load(bad)


def test_override_by_name_and_by_section(tmp_path):
    scn = resolve("baseline", {"civic_engagement": 1.3, "engagement.threshold_mean": 0.3})
    assert scn.params.civic_engagement == 1.3
    assert scn.params.threshold_mean == 0.3
    with pytest.raises(ScenarioError, match="did you mean 'civic_engagement'"):
        resolve("baseline", {"civic_engagment": 1.3})


def test_with_params_equals_file_override():
    a = resolve("baseline").with_params({"demographic_pressure": 0.4})
    b = resolve("baseline", {"drivers.demographic_pressure": 0.4})
    assert a.params == b.params


# -- property-based: random mutations of a valid document never raise anything else ------

KEYS = [*CATALOG.by_name, "name", "seed", "years", "scale", "districts", "nonsense"]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(string.printable, max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(string.ascii_letters, max_size=5), st.integers(), max_size=2),
)


@st.composite
def mutated(draw, base):
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(["top", "section", "district", "delete"]))
        value = draw(VALUES)
        if where == "top":
            doc[
                draw(st.sampled_from(["name", "seed", "years", "scale", "description", "nonsense"]))
            ] = value
        elif where == "section":
            key = draw(st.sampled_from(KEYS))
            section = CATALOG.section_of.get(key, draw(st.sampled_from(["drivers", "zzz"])))
            if not isinstance(doc.get(section), dict):
                doc[section] = {}
            doc[section][key] = value
        elif where == "district" and isinstance(doc.get("districts"), list) and doc["districts"]:
            d = doc["districts"][draw(st.integers(0, len(doc["districts"]) - 1))]
            if isinstance(d, dict):
                d[
                    draw(st.sampled_from(["name", "population", "share_65plus", "remoteness", "x"]))
                ] = value
        else:
            key = draw(st.sampled_from(list(doc)))
            del doc[key]
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutations_never_raise_anything_but_scenario_errors(data):
    from tests.conftest import SMALL

    doc = data.draw(mutated(SMALL))
    try:
        scn = from_dict(doc, "fuzz.toml")
    except ScenarioError as e:
        assert "\n" not in str(e)
    else:
        assert scn.districts
