"""The staff dashboard in a real browser (Debian's chromium through Playwright).

A receptionist logs in; an escalation created through the API appears without a reload; she
claims (by keyboard), replies (also by SMS) and resolves it; the patient reads the reply in
/inbox. axe-core checks WCAG 2.1 AA on every page; the pages are checked at 320 px wide; and with
Redis down the dashboard says so while escalations are still stored.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser_support import axe_violations

pytestmark = [pytest.mark.browser]

PASSWORD = "demo-password"
SHOTS = Path(os.environ.get("PLAINRECORD_SCREENSHOTS", "")) if os.environ.get(
    "PLAINRECORD_SCREENSHOTS") else None


def escalate(base: str, username: str, **overrides: Any) -> dict[str, Any]:
    """Log in as a patient through the JSON API and send an escalation."""
    with httpx.Client(base_url=base, timeout=10) as client:
        assert client.post("/api/login", json={"username": username,
                                               "password": PASSWORD}).status_code == 200
        body = {
            "reason": "clinical_question", "urgency": "soon",
            "patient_words": "Why has my metformin dose gone up?",
            "transcript": [{"sender": "patient", "text": "why is my metformin higher"},
                           {"sender": "bot", "text": "I cannot say why. I can ask the practice."}],
            "entries": [{"section": "medications", "id": "med-1", "display": "Metformin 500mg"}],
            "channel": "portal", "contact_preference": "portal",
            "idempotency_key": uuid.uuid4().hex,
        }
        body.update(overrides)
        response = client.post("/api/escalations", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())


def login(page: Any, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/login?next={next_url}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_url}*")


def shot(page: Any, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.redis
def test_live_queue_claim_reply_resolve_and_the_patient_reads_it(server, browser):
    base = server.url
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    login(page, base, "reception", "/dashboard")
    page.wait_for_selector("#live-status[data-state=live]", timeout=10_000)
    assert axe_violations(page) == []
    page.evaluate("() => { window.__noReload = true; }")

    esc = escalate(base, "david")
    ref = esc["reference"]
    # It appears without a reload, and screen-reader users hear about it.
    page.wait_for_selector(f"#queue a:has-text('{ref}')", timeout=10_000)
    assert page.evaluate("() => window.__noReload === true")
    page.wait_for_function(
        "(ref) => document.getElementById('announce').textContent.includes(ref)", arg=ref)
    assert "New soon escalation" in page.text_content("#announce")
    shot(page, "dashboard-live")

    page.click(f"#queue a:has-text('{ref}')")
    page.wait_for_selector("h1")
    assert "Why has my metformin dose gone up?" in page.text_content(".patient-words")
    assert "Metformin 500mg" in page.text_content(".entries")
    assert "why is my metformin higher" in page.text_content(".transcript")
    assert axe_violations(page) == []
    shot(page, "item-new")

    # Claim with the keyboard only.
    page.focus("#btn-claim")
    page.keyboard.press("Enter")
    page.wait_for_selector("#action-done")
    assert "You have claimed" in page.text_content("#action-done")
    assert "Jo (reception)" in page.text_content(".facts")

    page.fill("#reply-text", "Your dose went up after your last diabetes review. "
                             "Please book a review if you have questions.")
    page.check("#reply-sms")
    page.click("#btn-reply")
    page.wait_for_selector("#action-done:has-text('Your reply has been sent')")
    assert "also by SMS" in page.text_content(".replies")

    page.select_option("#resolve-outcome", "answered")
    page.click("#btn-resolve")
    page.wait_for_selector("#action-done:has-text('Resolved')")
    assert "Question answered" in page.text_content(".facts")
    assert page.locator("#btn-reopen").count() == 1 and page.locator("#btn-reply").count() == 0
    assert axe_violations(page) == []
    shot(page, "item-resolved")
    history = page.text_content(".history")
    for words in ("sent the question", "claimed it", "replied", "resolved it"):
        assert words in history

    # The patient sees the reply in the inbox.
    patient = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(patient, base, "david", "/inbox")
    assert "Your dose went up after your last diabetes review" in patient.text_content("main")
    assert ref in patient.text_content("main")
    assert axe_violations(patient) == []
    shot(patient, "inbox")
    patient.context.close()

    page.goto(f"{base}/dashboard/numbers")
    assert axe_violations(page) == []
    shot(page, "numbers")
    staff.close()


def test_login_page_is_accessible(server, browser):
    page = browser.new_page()
    page.goto(f"{server.url}/login?next=/dashboard")
    assert axe_violations(page) == []
    page.close()


@pytest.mark.parametrize("path", ["/dashboard", "/inbox", "/dashboard/numbers", "/login"])
def test_pages_work_at_320_px(server, browser, path):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    escalate(server.url, "margaret", urgency="urgent", reason="red_flag",
             patient_words="I have crushing chest pain and I feel sick " * 3)
    if path != "/login":
        who = "margaret" if path == "/inbox" else "reception"
        login(page, server.url, who, path)
    else:
        page.goto(f"{server.url}/login")
    assert no_horizontal_scroll(page), f"{path} scrolls sideways at 320 px"
    assert axe_violations(page) == []
    shot(page, f"narrow{path.replace('/', '-')}")
    if path == "/dashboard":
        page.click("#queue a >> nth=0")
        page.wait_for_selector("#btn-claim")
        assert no_horizontal_scroll(page)
        assert axe_violations(page) == []
        shot(page, "item-320")
    context.close()


def test_skip_link_is_the_first_tab_stop(server, browser):
    page = browser.new_page()
    login(page, server.url, "reception", "/dashboard")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    page.close()


def test_with_redis_down_the_page_says_so_and_escalations_are_still_stored(
    server_without_redis, browser
):
    base = server_without_redis.url
    page = browser.new_page()
    login(page, base, "reception", "/dashboard")
    page.wait_for_selector("#live-status[data-state=offline]", timeout=10_000)
    assert "Reload the page" in page.text_content("#live-status")
    started = time.monotonic()
    esc = escalate(base, "chloe")
    assert time.monotonic() - started < 5
    page.reload()
    assert esc["reference"] in page.text_content("#queue")
    page.close()
