"""Shared browser-test helpers: Debian's chromium through Playwright, and axe-core from disk.

`playwright install` cannot download a browser here, so the launch names Debian's binary.
axe-core comes from node_modules (`npm ci`), injected from disk: nothing from a CDN.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("PLAINRECORD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian's chromium, headless. Fails (not skips) when it is missing: setup installs it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: scripts/setup.sh --test installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Any) -> list[str]:
    """Run axe-core's WCAG 2.1 A/AA rules on the page; one line per violation."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` at the repository root")
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        "async (tags) => JSON.stringify(await axe.run(document, {runOnly: {type: 'tag', values: tags}}))",
        AXE_TAGS)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in json.loads(result)["violations"]]
