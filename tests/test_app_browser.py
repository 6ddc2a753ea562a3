"""End to end: ``kosi-sim app`` in a real headless Chromium, with the network cut off.

Debian's ``chromium`` (``/usr/bin/chromium``) driven by Playwright; ``scripts/dev.sh test``
installs it.  Every request that does not go to the app's own address is blocked and
recorded, so the test also proves that the page needs no internet.  A screenshot is kept
in ``test-artifacts/``.  Set ``KOSI_SKIP_BROWSER=1`` to skip on a machine without Chromium.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("KOSI_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

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
    """A picture of the first chart (ECharts draws on a canvas in the browser)."""
    chart = page.locator(".v-window-item--active canvas").first
    chart.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(300)
    return chart.screenshot()


def test_app_loads_steps_and_changes_offline(app_url):
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
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
        page.get_by_text("Month 0 / 120").wait_for(timeout=30_000)

        # Step changes the charts
        page.get_by_role("tab", name="Over time").click()
        page.wait_for_timeout(1000)  # the tab's slide animation
        before = _chart_pixels(page)
        for k in range(1, 4):
            step.click()
            page.get_by_text(f"Month {k} / 120").wait_for(timeout=30_000)
        deadline = time.monotonic() + 20
        while _chart_pixels(page) == before and time.monotonic() < deadline:
            page.wait_for_timeout(300)
        assert _chart_pixels(page) != before, "the charts did not change after three steps"
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

        # German labels on request
        page.get_by_role("button", name="Deutsch").click()
        page.get_by_text("Demografischer Druck").first.wait_for(timeout=10_000)
        browser.close()

    assert not errors, errors
    assert not blocked, f"the page tried to reach the internet: {blocked[:3]}"
