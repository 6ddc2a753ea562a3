"""End to end: ``kosi-sim app`` in a real headless Chromium, with the network cut off.

Debian's ``chromium`` (``/usr/bin/chromium``) driven by Playwright; ``scripts/dev.sh test``
installs it.  Every request that does not go to the app's own address is blocked and
recorded, so the test also proves that the page needs no internet.  A screenshot is kept
in ``test-artifacts/``.  Set ``KOSI_SKIP_BROWSER=1`` to skip on a machine without Chromium.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest

from tests.browser_util import ARTIFACTS, CHROMIUM, launch

pytestmark = pytest.mark.browser

if os.environ.get("KOSI_SKIP_BROWSER") == "1":
    pytest.skip("KOSI_SKIP_BROWSER=1", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} not found: install Debian's chromium (scripts/dev.sh test does) "
        "or set KOSI_SKIP_BROWSER=1"
    )
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kosi_sim.cli", "app", "classroom", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the app exited early: {proc.stdout.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the app did not start within 60 s")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _chart_pixels(page) -> bytes:
    """A picture of the first chart (ECharts draws it as SVG in the browser)."""
    chart = page.locator(".v-window-item--active .kosi-chart svg").first
    chart.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(300)
    return chart.screenshot()


def _chart_labels(page, k: int) -> list[str]:
    """The texts of the k-th chart of the visible tab (axis labels, title, legend)."""
    chart = page.locator(".v-window-item--active .kosi-chart").nth(k)
    chart.locator("svg text").first.wait_for(timeout=30_000)
    return [t.strip() for t in chart.locator("svg text").all_text_contents()]


def _signed_thousands(labels: list[str], group: str) -> bool:
    """The budget's axis labels (whole numbers from a thousand on, this town's balance goes
    below zero): thousands separated by ``group``, the minus sign kept."""
    big = [t for t in labels if re.fullmatch(rf"-?\d+(\{group}\d+)+", t)]
    assert big and all(re.fullmatch(rf"-?\d{{1,3}}(\{group}\d{{3}})+", t) for t in big), labels
    assert any(t.startswith("-") for t in big), labels
    return True


def test_app_loads_steps_and_changes_offline(app_url):
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("pageerror", lambda e: errors.append(str(e)))

        def route(r):
            if r.request.url.startswith(app_url.rstrip("/")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(app_url)
        step = page.get_by_role("button", name="Step")
        step.wait_for(timeout=60_000)
        assert page.title() == "kosi-sim – co-producing a city"

        # the map tab shows both cities
        maps = page.locator(".v-window-item--active img")
        maps.first.wait_for(state="visible", timeout=30_000)
        assert maps.count() == 2

        # a driver slider moves, and its label follows
        label = page.get_by_text("Demographic pressure: 0.00")
        label.wait_for(timeout=10_000)
        slider = page.get_by_role("slider").first
        slider.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.get_by_text("Demographic pressure: 0.05").wait_for(timeout=10_000)

        # an instrument switches on and shows its budget
        page.get_by_text("Round tables").first.click()
        page.get_by_text("Budget (EUR per year)").first.wait_for(timeout=10_000)

        page.get_by_role("button", name="Reset").click()
        page.get_by_text("Month 0 (after spin-up) of 120").wait_for(timeout=30_000)

        # Step changes the charts
        page.get_by_role("tab", name="Over time").click()
        page.wait_for_timeout(1000)  # the tab's slide animation
        before = _chart_pixels(page)
        for k in range(1, 4):
            step.click()
            page.get_by_text(f"Month {k} of 120").wait_for(timeout=30_000)
        deadline = time.monotonic() + 20
        while _chart_pixels(page) == before and time.monotonic() < deadline:
            page.wait_for_timeout(300)
        assert _chart_pixels(page) != before, "the charts did not change after three steps"
        # English numbers: "12.3%" on the engagement axis, "1,234" for the budget (signed)
        assert any(re.fullmatch(r"\d+(\.\d+)?%", t) for t in _chart_labels(page, 0))
        assert _signed_thousands(_chart_labels(page, 4), ",")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app_charts.png"), full_page=True)

        page.get_by_role("tab", name="Initiatives").click()
        page.get_by_text("open initiatives").first.wait_for(timeout=30_000)
        page.get_by_role("tab", name="Lab report").click()
        page.get_by_text("money spent (EUR)").first.wait_for(timeout=30_000)
        page.get_by_role("tab", name="Map").click()
        page.locator(".v-window-item--active img").first.wait_for(state="visible")
        page.wait_for_timeout(1500)  # let the tab's slide animation finish
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app_e2e.png"), full_page=True)

        # German labels and numbers on request
        page.get_by_role("button", name="Deutsch").click()
        page.get_by_text("Demografischer Druck: 0,05").first.wait_for(timeout=10_000)
        page.wait_for_function(
            "document.title === 'kosi-sim – Stadt gemeinsam gestalten'", timeout=10_000
        )
        for name in ("Zurücksetzen", "▶ Abspielen", "Schritt"):
            page.get_by_role("button", name=name).wait_for(timeout=10_000)
        page.get_by_text("Monat 3 von 120 (Jahr 1)").wait_for(timeout=10_000)
        # the lab report: "1.234 EUR", whole counts, rows numbered from 1
        page.get_by_role("tab", name="Bericht des Labors").click()
        report = page.locator(".v-window-item--active")
        report.locator("td").first.wait_for(timeout=30_000)
        cells = [c.strip() for c in report.locator("td").all_text_contents()]
        assert cells[0] == "1", cells[:4]
        assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+\u00a0EUR", c) for c in cells), cells
        assert not [c for c in cells if re.search(r"\d\.0$|\d\.\d{1,2}$", c)], cells
        report.get_by_text("Zeilen pro Seite:").wait_for(timeout=10_000)  # Vuetify's footer
        # the charts: "37,2 %", "-15.000", and a tooltip naming the month and the unit
        page.get_by_role("tab", name="Zeitverlauf").click()
        assert any(re.fullmatch(r"\d+(,\d+)?\u00a0%", t) for t in _chart_labels(page, 0))
        assert _signed_thousands(_chart_labels(page, 4), ".")
        chart = page.locator(".v-window-item--active .kosi-chart").nth(4)
        chart.hover()  # waits until the chart stands still, then points at its middle
        value = chart.locator("b").filter(has_text="EUR").first  # the tooltip's values
        value.wait_for(timeout=10_000)
        assert re.fullmatch(r"-?\d{1,3}(\.\d{3})*\u00a0EUR", value.text_content().strip())
        assert re.search(r"Monat \d+", chart.inner_text())
        page.screenshot(path=str(ARTIFACTS / "app_de_charts.png"), full_page=True)
        browser.close()

    assert not errors, errors
    assert not blocked, f"the page tried to reach the internet: {blocked[:3]}"
