"""The portal's chat endpoint and pages, through the real app, screen and escalation queue.

Rasa is replaced by httpx's MockTransport (the ``rasa_calls`` fixture in tests/conftest.py); the
real Rasa is exercised in tests/e2e.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.accounts.grants import verify_grant
from api.escalation.models import Escalation
from api.services import Services


def test_chat_needs_a_login(client: TestClient) -> None:
    r = client.post("/api/chat", json={"message": "hello"})
    assert r.status_code == 401
    assert r.json()["error"]


def test_patient_message_is_relayed_with_a_grant_for_their_own_record(
        patient_client: TestClient, rasa_calls: list[dict], services: Services,
        patient_ids: dict[str, str]) -> None:
    r = patient_client.post("/api/chat", json={"message": "what does eGFR mean"})
    assert r.status_code == 200, r.text
    assert r.json()["replies"][0]["text"] == "Here is what I found."
    grant = verify_grant(services.settings.secret_key, rasa_calls[0]["metadata"]["grant"], 60)
    assert grant.patient_id == patient_ids["david"] and not grant.proxy


def test_red_flag_is_signposted_escalated_and_not_relayed(
        patient_client: TestClient, rasa_calls: list[dict], services: Services,
        patient_ids: dict[str, str]) -> None:
    body = {"message": "I've got crushing chest pain right now", "message_id": "m-1"}
    r = patient_client.post("/api/chat", json=body)
    again = patient_client.post("/api/chat", json=body)  # a retry of the same message
    data = r.json()
    assert r.status_code == 200 and data["red_flag"] is True
    assert "999" in data["replies"][0]["text"]
    assert data["escalation_reference"] == again.json()["escalation_reference"]
    assert rasa_calls == []
    with services.db.sessions() as s:
        stored = s.scalars(select(Escalation)).all()
    assert [(e.patient_id, e.reason, e.urgency) for e in stored] == [
        (patient_ids["david"], "red_flag", "urgent")]


def test_proxy_chats_about_the_record_they_hold(
        proxy_client: TestClient, rasa_calls: list[dict], services: Services,
        patient_ids: dict[str, str]) -> None:
    r = proxy_client.post("/api/chat", json={"message": "hi"})
    assert r.status_code == 200
    meta = rasa_calls[0]["metadata"]
    grant = verify_grant(services.settings.secret_key, meta["grant"], 60)
    assert grant.patient_id == patient_ids["amelia"] and grant.proxy is True
    assert meta["patient_name"] == "Amelia"
    other = proxy_client.post("/api/chat", json={"message": "hi", "patient_id": patient_ids["david"]})
    assert other.status_code == 403
    assert len(rasa_calls) == 1


def test_staff_do_not_chat_as_patients(receptionist_client: TestClient) -> None:
    assert receptionist_client.post("/api/chat", json={"message": "hi"}).status_code == 403


def test_rasa_down_answers_503_and_says_the_message_is_kept(
        patient_client: TestClient, services: Services) -> None:
    services.settings.rasa_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    services.__dict__.pop("chat", None)
    r = patient_client.post("/api/chat", json={"message": "what medicines am I on"})
    assert r.status_code == 503
    assert r.json()["delivered"] is False and "not been lost" in r.json()["replies"][0]["text"]


def test_overlong_and_huge_messages_get_clear_errors(patient_client: TestClient,
                                                     rasa_calls: list[dict]) -> None:
    r = patient_client.post("/api/chat", json={"message": "a" * 2001})
    assert r.status_code == 422 and "too long" in r.json()["error"]
    huge = patient_client.post("/api/chat", content=b'{"message": "' + b"a" * 6_000_000 + b'"}',
                               headers={"content-type": "application/json"})
    assert huge.status_code == 413 and "too large" in huge.json()["error"]
    assert rasa_calls == []


def test_portal_page_sends_strangers_to_login_and_shows_the_chat(
        client: TestClient, login: Callable[[str], TestClient]) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    page = login("david").get("/")
    assert page.status_code == 200
    assert '<label for="message">Your message</label>' in page.text
    sarah = login("sarah").get("/").text
    assert "Amelia's GP record" in sarah


def test_record_views_page_lists_reads_of_the_record(
        patient_client: TestClient, receptionist_client: TestClient,
        patient_ids: dict[str, str]) -> None:
    receptionist_client.get(f"/api/patients/{patient_ids['david']}/medications")
    page = patient_client.get("/record-views")
    assert page.status_code == 200
    assert "practice staff" in page.text and "medications" in page.text
