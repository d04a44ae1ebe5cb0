"""The SMS webhook: signed requests only, identity checked before any record detail is sent."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.chat.sms import LOCKED, NOT_LINKED
from api.chat.sms_models import SmsSession
from api.escalation.models import Escalation
from api.records.models import Patient
from api.services import Services
from api.web.sms_routes import SIGNATURE_HEADER, sign


@pytest.fixture
def david(services: Services, patient_ids: dict[str, str]) -> Patient:
    with services.db.sessions() as s:
        patient = s.get(Patient, patient_ids["david"])
        assert patient is not None and patient.mobile and patient.birth_date
        return patient


def text(client: TestClient, services: Services, sender: str, body: str, sid: str = "") -> list[str]:
    raw = urlencode({"From": sender, "Body": body, "MessageSid": sid}).encode()
    r = client.post("/sms/inbound", content=raw, headers={
        "content-type": "application/x-www-form-urlencoded",
        SIGNATURE_HEADER: sign(services.settings.sms_webhook_secret, raw)})
    assert r.status_code == 200, r.text
    messages = r.json()["messages"]
    assert messages and all(len(m) <= 320 for m in messages)
    return messages


def dob_text(patient: Patient) -> str:
    y, m, d = patient.birth_date.split("-")  # type: ignore[union-attr]
    return f"{d}/{m}/{y}"


def test_unsigned_or_forged_requests_are_refused(client: TestClient) -> None:
    raw = urlencode({"From": "07700900123", "Body": "hi"}).encode()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert client.post("/sms/inbound", content=raw, headers=headers).status_code == 401
    headers[SIGNATURE_HEADER] = "0" * 64
    assert client.post("/sms/inbound", content=raw, headers=headers).status_code == 401


def test_unknown_number_gets_no_record_detail(client: TestClient, services: Services,
                                              rasa_calls: list[dict]) -> None:
    reply = text(client, services, "07000 000000", "what medicines am I on")
    assert reply == [NOT_LINKED.format(practice=services.settings.practice_name)]
    assert rasa_calls == []


def test_identity_is_checked_before_anything_is_relayed(
        client: TestClient, services: Services, david: Patient, rasa_calls: list[dict]) -> None:
    assert "date of birth" in text(client, services, david.mobile or "", "what medicines am I on")[0]
    assert "does not match" in text(client, services, david.mobile or "", "01/01/1901")[0]
    assert rasa_calls == []
    assert "Thank you" in text(client, services, david.mobile or "", dob_text(david))[0]
    assert rasa_calls == []
    assert text(client, services, david.mobile or "", "what medicines am I on") == ["Here is what I found."]
    assert rasa_calls[0]["metadata"]["channel"] == "sms"


def test_three_wrong_dates_lock_the_number(client: TestClient, services: Services, david: Patient,
                                           rasa_calls: list[dict]) -> None:
    text(client, services, david.mobile or "", "hi")
    for _ in range(3):
        reply = text(client, services, david.mobile or "", "01/01/1901")
    assert reply == [LOCKED.format(practice=services.settings.practice_name)]
    assert text(client, services, david.mobile or "", dob_text(david)) == reply  # still locked
    assert rasa_calls == []


def test_verification_expires_after_a_quiet_half_hour(
        client: TestClient, services: Services, david: Patient, rasa_calls: list[dict]) -> None:
    text(client, services, david.mobile or "", "hi")
    text(client, services, david.mobile or "", dob_text(david))
    with services.db.sessions() as s:
        row = s.scalars(select(SmsSession)).one()
        row.last_seen_at = datetime.now(timezone.utc) - timedelta(minutes=31)
        s.commit()
    assert "date of birth" in text(client, services, david.mobile or "", "my results")[0]
    assert rasa_calls == []


def test_red_flag_by_sms_is_signposted_before_identity_and_escalated(
        client: TestClient, services: Services, david: Patient, rasa_calls: list[dict]) -> None:
    reply = text(client, services, david.mobile or "", "my husband's face has dropped and he cant lift his arm", "s1")
    assert "999" in reply[0]
    assert rasa_calls == []
    with services.db.sessions() as s:
        esc = s.scalars(select(Escalation)).one()
    assert (esc.patient_id, esc.urgency, esc.channel) == (david.id, "urgent", "sms")


def test_numbered_replies_choose_the_offered_button(
        client: TestClient, services: Services, david: Patient, rasa_calls: list[dict]) -> None:
    import httpx

    from api.chat.rasa_client import RasaClient

    def handler(request: httpx.Request) -> httpx.Response:
        rasa_calls.append(__import__("json").loads(request.content))
        return httpx.Response(200, json=[{"text": "Did that help?", "buttons": [
            {"title": "Yes", "payload": "/feedback_helpful"},
            {"title": "No", "payload": "/feedback_unclear"}]}])

    services.chat._rasa = RasaClient("http://rasa.test", 5, httpx.MockTransport(handler))
    text(client, services, david.mobile or "", "hi")
    text(client, services, david.mobile or "", dob_text(david))
    reply = text(client, services, david.mobile or "", "what is eGFR")
    assert reply == ["Did that help?", "Reply 1 for Yes, 2 for No."]
    text(client, services, david.mobile or "", "2")
    assert rasa_calls[-1]["message"] == "/feedback_unclear"
