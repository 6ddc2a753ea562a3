"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("KOSI_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
#: no background traffic: the tests record every request that leaves the app
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
