"""Make the screenshots of docs/teaching/ (needs Debian's chromium): the app after 3 years,
in German unless another language is given.

.venv/bin/python scripts/teaching_screenshots.py [en|de]
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from kosi_sim.app.i18n import check_lang, t
from kosi_sim.app.page import step_info

OUT = Path(__file__).resolve().parents[1] / "docs" / "teaching" / "img"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main(lang: str = "de") -> None:
    lang = check_lang(lang)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "kosi_sim.cli", "app", "classroom_toolbox", "--port", str(port)]
    cmd += ["--lang", lang]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 950})
            page.goto(f"http://127.0.0.1:{port}/")
            step = page.get_by_role("button", name=t("step", lang))
            step.wait_for(timeout=60_000)
            for k in range(1, 37):
                step.click()
                page.get_by_text(step_info(k, 120, lang)).wait_for(timeout=30_000)
            page.wait_for_timeout(1500)
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / "app_map.png"))
            page.get_by_role("tab", name=t("tab_charts", lang)).click()
            page.wait_for_timeout(2000)
            page.screenshot(path=str(OUT / "app_charts.png"))
            page.get_by_role("tab", name=t("tab_initiatives", lang)).click()
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / "app_initiatives.png"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
