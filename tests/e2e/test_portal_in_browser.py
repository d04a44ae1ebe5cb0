"""The portal in a real browser (Debian's chromium via Playwright), against the real servers:
log in, chat, read the answer; keyboard only; WCAG 2.1 AA by axe-core; usable at 320 px."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.records.demo import DEMO_USERS
from api.stack import Stack
from tests.browser_support import AXE_TAGS, axe_violations, launch_chromium

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launch_chromium() as b:
        yield b


def test_patient_logs_in_and_asks_with_the_keyboard_only(stack: Stack, browser: object) -> None:
    user = DEMO_USERS[1]
    base = stack.cfg.url(stack.cfg.api_port)
    page = browser.new_page(viewport={"width": 1024, "height": 800})  # type: ignore[attr-defined]
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")
    assert axe_violations(page) == []

    box = page.get_by_label("Your message")
    box.focus()
    page.keyboard.type("what medicines am I on?")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#log li.bot').length >= 2", timeout=60_000)
    answer = page.locator("#log li.bot").nth(1).inner_text()
    assert "Assistant said:" in page.locator("#log li.bot").nth(1).inner_html()  # screen readers
    meds = json.loads(page.evaluate(
        "async () => JSON.stringify(await (await fetch('/api/me')).json())"))
    pid = meds["patient_id"]
    current = page.evaluate(f"async () => (await (await fetch('/api/patients/{pid}/medications')).json())")
    names = [re.split(r"\W+", m["name"].lower())[0] for m in current if m["status"] != "past"]
    assert names and all(n in answer.lower() for n in names)
    assert axe_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "portal-desktop.png"), full_page=True)
    page.close()


def test_portal_works_at_320px(stack: Stack, browser: object) -> None:
    user = DEMO_USERS[0]
    base = stack.cfg.url(stack.cfg.api_port)
    page = browser.new_page(viewport={"width": 320, "height": 640})  # type: ignore[attr-defined]
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name=re.compile("sign in|log in", re.I)).click()
    page.wait_for_url(f"{base}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the page scrolls sideways at 320 px ({width} px wide)"
    page.get_by_role("button", name="What can you do?").click()
    page.wait_for_function("document.querySelectorAll('#log li.bot').length >= 2", timeout=60_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "portal-320.png"), full_page=True)
    assert AXE_TAGS
    page.close()
