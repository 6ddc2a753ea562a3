"""Figures are rendered and checked for what a reader needs: every panel's y axis says what
it shows and in which unit, shares are in percent, no offset notation ("1e6"), the lab's start
and what a band is are marked."""

from __future__ import annotations

import matplotlib.ticker as ticker
import pytest

from kosi_sim import plots


@pytest.fixture
def figures(monkeypatch):
    """The figures the plotting functions draw (kept open instead of closed)."""
    kept = []
    close = plots.plt.close
    monkeypatch.setattr(plots.plt, "close", kept.append)
    yield kept
    for fig in kept:
        close(fig)


def _visible(fig):
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


def test_run_figures_label_every_axis_with_its_unit(small_run, tmp_path, figures):
    plots.run_plots(small_run.metrics_frame(), tmp_path, "small")
    assert (tmp_path / "main_indicators.png").stat().st_size > 0
    assert len(figures) == 2
    for fig in figures:
        for ax in _visible(fig):
            if not ax.get_lines():
                continue  # a colour bar or an empty panel
            assert ax.get_ylabel(), ax.get_title()
            fig.canvas.draw()
            assert ax.yaxis.get_offset_text().get_text() == "", ax.get_title()
            if "percent" in ax.get_ylabel():
                assert isinstance(ax.yaxis.get_major_formatter(), ticker.PercentFormatter)
    titles = {ax.get_title(): ax for ax in _visible(figures[0])}
    assert "percent" in titles["Age shares"].get_ylabel()
    assert titles["Population"].get_ylim()[0] == 0  # counts start at zero


def test_many_districts_get_distinct_colours():
    from kosi_sim.plotstyle import colours

    assert len(set(colours(12))) == 12 and len(set(colours(4))) == 4


def test_effect_bands_say_what_the_band_is_and_mark_the_start(tmp_path, figures):
    import pandas as pd

    over = pd.DataFrame(
        {
            "month": list(range(0, 25)) * 2,
            "indicator": ["engaged_share"] * 25 + ["associations"] * 25,
            "effect": [0.0] * 50,
            "ci95_low": [-0.01] * 50,
            "ci95_high": [0.01] * 50,
        }
    )
    plots.effect_bands(
        over, tmp_path / "e.png", ("engaged_share", "associations"), "t", 5, start_month=13
    )
    fig = figures[0]
    texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert "95% interval over 5 paired replicates" in texts
    share_ax = _visible(fig)[0]
    assert "percentage points" in share_ax.get_ylabel()
    assert any(t.get_text() == "lab starts" for t in share_ax.texts)


# -- sensitivity chart of a sweep ------------------------------------------------------------


def _sobol_study(n: int):
    """A sweep's analysis whose outcome is the Ishigami function (SALib's known-answer test:
    S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244) on a Saltelli sample of ``n`` base
    samples; the model is never run."""
    import numpy as np
    import pandas as pd
    from SALib.sample import sobol as sobol_sample
    from SALib.test_functions import Ishigami

    from kosi_sim.experiments.analysis import Analysis

    names = ["x1", "x2", "x3"]
    problem = {"num_vars": 3, "names": names, "bounds": [[-np.pi, np.pi]] * 3}
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=3)
    outcomes = pd.DataFrame(x, columns=names)
    outcomes["engaged_share"] = Ishigami.evaluate(x)
    outcomes.insert(0, "run_id", range(len(x)))
    outcomes.insert(1, "point", range(len(x)))
    outcomes.insert(2, "replicate", 0)
    manifest = {
        "design": "sobol",
        "design_options": {"samples": n, "second_order": False},
        "points": len(x),
        "factors": names,
    }
    return Analysis(manifest, pd.DataFrame(), outcomes, names)


def _texts(fig):
    out = [fig._suptitle.get_text() if fig._suptitle else ""]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts] + [ax.get_title(loc="left")]
    return " ".join(out)


def test_sensitivity_chart_shows_s1_and_st_side_by_side_with_intervals(figures):
    from matplotlib.container import BarContainer

    from kosi_sim.experiments.sensitivity import sensitivity

    a = _sobol_study(1024)
    sensitivity(a, ("engaged_share",))
    (fig,) = figures
    (ax,) = [ax for ax in fig.axes if ax.get_visible()]
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 2  # S1 and ST, each one bar per factor
    assert all(len(b) == 3 and b.errorbar is not None for b in bars)
    # side by side: the two bars of a factor do not overlap
    s1, st = (sorted(r.get_y() for r in b) for b in bars)
    height = bars[0][0].get_height()
    assert all(abs(p - q) >= height - 1e-9 for p, q in zip(s1, st, strict=True))
    title = ax.get_title(loc="left")
    assert "Engaged (volunteering) share" in title  # the registry's words, not 'engaged_share'
    assert "first-order index S1" in title and "total index ST" in title
    labels = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert labels == ["first-order index S1 (95% interval)", "total index ST (95% interval)"]


def test_sensitivity_warns_for_too_few_samples_but_not_for_an_adequate_known_answer(figures):
    from kosi_sim.experiments.sensitivity import MIN_SOBOL_SAMPLES, sensitivity

    small = _sobol_study(16)
    sensitivity(small, ("engaged_share",))
    found = small.tables["sensitivity_warnings"]["warning"]
    assert found.str.contains(f"N = 16 base samples.*{MIN_SOBOL_SAMPLES}").any()
    assert found.str.contains("wide intervals").any()
    assert "unreliable" in " ".join(small.warnings)
    assert "Unreliable" in _texts(figures[0]) and "N = 16" in _texts(figures[0])

    good = _sobol_study(1024)
    sensitivity(good, ("engaged_share",))
    assert "sensitivity_warnings" not in good.tables and not good.warnings
    assert "Unreliable" not in _texts(figures[1])
    idx = good.tables["sensitivity"].set_index("factor")
    for col, truth in (("S1", (0.314, 0.442, 0.0)), ("ST", (0.558, 0.442, 0.244))):
        err = (idx[col] - list(truth)).abs()
        assert (err <= idx[f"{col}_conf"] + 0.02).all(), (col, idx[col].tolist())


def test_sensitivity_flags_impossible_indices():
    import pandas as pd

    from kosi_sim.experiments.sensitivity import sobol_checks

    part = pd.DataFrame(
        {
            "factor": ["a", "b"],
            "S1": [0.9, -0.3],
            "S1_conf": [0.05, 0.05],
            "ST": [0.5, 0.1],
            "ST_conf": [0.05, 0.05],
        }
    )
    for col in ("S1", "ST"):
        part[f"{col}_ci95_low"] = part[col] - part[f"{col}_conf"]
        part[f"{col}_ci95_high"] = part[col] + part[f"{col}_conf"]
    text = " ".join(sobol_checks(part))
    assert "negative S1 beyond its interval for b" in text
    assert "ST below S1 with non-overlapping intervals for a" in text
    assert "wide" not in text
    part.loc[1, ["S1", "S1_ci95_low", "S1_ci95_high"]] = [0.4, 0.35, 0.45]
    assert "add up to 1.30" in " ".join(sobol_checks(part))


def test_sensitivity_intervals_are_repeatable(figures):
    """SALib's Sobol analysis takes seed 0 as no seed; the intervals must not change from
    one analysis to the next."""
    from kosi_sim.experiments.sensitivity import sensitivity

    tables = []
    for _ in range(2):
        a = _sobol_study(64)
        sensitivity(a, ("engaged_share",))
        tables.append(a.tables["sensitivity"])
    assert tables[0].equals(tables[1])


def test_the_report_says_whether_the_indices_are_reliable(figures, tmp_path):
    import html

    from kosi_sim.experiments.report import report
    from kosi_sim.experiments.sensitivity import sensitivity

    for n, expected in (
        (16, "These indices are unreliable: N = 16 base samples"),
        (1024, "No reliability warning"),
    ):
        a = _sobol_study(n)
        a.manifest.update(experiment="ishigami", replications=1, runs=a.manifest["points"])
        sensitivity(a, ("engaged_share",))
        report(a, tmp_path / "report.html")
        page = html.unescape((tmp_path / "report.html").read_text())
        summary = page[page.index("id='summary'") : page.index("</section>")]
        assert expected in summary
        assert f"N = {n:,} base samples" in summary
        assert "flagged as unreliable: fewer than 500 base samples" in page  # the rules


def test_morris_chart_shows_mu_star_with_intervals_beside_sigma(figures):
    import numpy as np
    import pandas as pd
    from matplotlib.container import BarContainer
    from SALib.sample import morris as morris_sample

    from kosi_sim.experiments.analysis import Analysis
    from kosi_sim.experiments.sensitivity import sensitivity

    names = ["a", "b"]
    problem = {"num_vars": 2, "names": names, "bounds": [[0.0, 1.0]] * 2}
    x = morris_sample.sample(problem, 4, num_levels=4, seed=2)
    outcomes = pd.DataFrame(x, columns=names)
    outcomes["engaged_share"] = 0.3 * x[:, 0] + 0.05 * x[:, 1] ** 2
    outcomes.insert(0, "point", range(len(x)))
    manifest = {"design": "morris", "design_options": {"samples": 4, "levels": 4}}
    a = Analysis({**manifest, "points": len(x), "factors": names}, pd.DataFrame(), outcomes, names)
    sensitivity(a, ("engaged_share",))
    (ax,) = [ax for ax in figures[0].axes if ax.get_visible()]
    mu, sigma = (c for c in ax.containers if isinstance(c, BarContainer))
    assert mu.errorbar is not None and sigma.errorbar is None  # SALib gives no sigma interval
    assert "mean absolute effect mu*" in ax.get_title(loc="left")
    assert a.tables["sensitivity_warnings"]["warning"].str.contains("4 Morris trajectories").any()
    assert np.isclose(a.tables["sensitivity"].set_index("factor").loc["a", "mu_star"], 0.3)
