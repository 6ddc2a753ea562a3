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
