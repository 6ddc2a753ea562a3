"""End to end: ``kosi-sim classroom`` in headless Chromium with several browser contexts
(facilitator, four roles, the public view), the network cut off but for the server:
open a room, join, decide, a forged decision refused, the year played, the result seen,
a reload that rejoins the role, the facilitator advancing.  Screenshots go to
``test-artifacts/``.  ``KOSI_SKIP_BROWSER=1`` skips it (as tests/test_app_browser.py)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.browser_util import ARTIFACTS, CHROMIUM, launch
from tests.classroom_util import start_server

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "classroom.toml"

pytestmark = pytest.mark.browser

if os.environ.get("KOSI_SKIP_BROWSER") == "1":
    pytest.skip("KOSI_SKIP_BROWSER=1", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} not found: install Debian's chromium or set KOSI_SKIP_BROWSER=1"
    )
    tmp = tmp_path_factory.mktemp("classroom")
    small = tmp / "small.toml"  # the classroom town at 15% scale: quick turns
    small.write_text(SCENARIO.read_text().replace("scale = 1.0", "scale = 0.15"))
    proc, url, key = start_server(str(small), str(tmp / "data"))
    yield url, key
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_facilitator_four_roles_and_the_public_view(server):
    from playwright.sync_api import sync_playwright

    url, key = server
    blocked: list[str] = []
    errors: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)

        def new_page():
            ctx = browser.new_context(viewport={"width": 1200, "height": 900})
            page = ctx.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))

            def route(r):
                if r.request.url.startswith(url):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            return page

        fac = new_page()
        fac.goto(f"{url}/facilitator#key={key}")
        fac.fill("#years", "3")
        fac.click("#create")
        fac.wait_for_function(
            "document.getElementById('msg').textContent.includes(':')", timeout=120_000
        )
        code = fac.locator("#msg").text_content().split(":")[-1].strip()
        assert re.fullmatch(r"[A-Z0-9]{8}", code), code

        students = {}
        for name in ("Ada", "Ben", "Cem", "Dora"):
            page = new_page()
            page.goto(f"{url}/?code={code}")
            page.fill("#name", name)
            page.click("#join")
            page.wait_for_url(f"**/play/{code}")
            page.locator("#submit").wait_for(timeout=60_000)
            students[page.locator("#role-title").get_attribute("data-role")] = page
        assert len(students) == 4
        view = new_page()
        view.goto(f"{url}/view/{code}")
        view.wait_for_function("document.getElementById('view-title').dataset.turn === '0'")

        admin = students["administration"]
        # a forged decision for another role, sent with the administration's token: refused
        status, error = admin.evaluate(
            """async () => {
                const token = localStorage.getItem('kosi-token-' + location.pathname.split('/')[2]);
                const r = await fetch('/api/decide', {method: 'POST', headers: {'X-Token': token,
                    'Content-Type': 'application/json'},
                    body: JSON.stringify({role: 'lab', decision: {lab: {}}})});
                return [r.status, (await r.json()).error];
            }"""
        )
        assert status == 400 and "your token plays administration" in error
        admin.evaluate("document.getElementById('p-openness').value = '0.95'")
        for page in students.values():
            page.click("#submit")
        view.wait_for_function(
            "document.getElementById('view-title').dataset.turn === '1'", timeout=120_000
        )
        assert view.locator("#year-text").text_content().startswith("Year 1:")
        view.wait_for_function("document.getElementById('map').naturalWidth > 0", timeout=30_000)
        assert "openness=0.95" in view.locator("#roles").text_content()
        view.screenshot(path=str(ARTIFACTS / "classroom_view.png"))
        admin.wait_for_function(
            "document.getElementById('status').dataset.turn === '1'", timeout=30_000
        )
        assert admin.locator("#last table").count() == 1  # last year: your city and its twin

        # a reload keeps the role (the token is in the browser)
        admin.reload()
        admin.locator("#submit").wait_for(timeout=30_000)
        assert admin.locator("#role-title").text_content().startswith("Administration")
        assert admin.locator("#p-openness").input_value() == "0.95"  # last year's decision

        # the facilitator plays the next year without waiting for the students
        fac.locator(f"section[data-code='{code}'] button.advance").click()
        view.wait_for_function(
            "document.getElementById('view-title').dataset.turn === '2'", timeout=120_000
        )
        fac.locator(f"section[data-code='{code}'] button.show-debrief").click()
        fac.locator("#effects li").first.wait_for(timeout=60_000)
        assert fac.locator("#by-year tr").count() == 3  # header and the two years played
        fac.screenshot(path=str(ARTIFACTS / "classroom_facilitator.png"))
        browser.close()
    assert blocked == [] and errors == []
