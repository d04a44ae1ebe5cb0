"""The escalation API through the real application, with the shared demo fixtures
(tests/api/conftest.py: a fresh SQLite copy of the demo data per test, logins, service clients).

Patients: david (patient_client), margaret; sarah is Amelia's proxy; reception and drshah are
staff. Redis is not configured here, which also proves escalations are stored without it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.escalation.models import Escalation, EscalationEvent, SmsOutbox

BODY = {
    "reason": "clinical_question", "urgency": "soon",
    "patient_words": "Why is my eGFR lower than last year?",
    "transcript": [{"sender": "patient", "text": "what is egfr"},
                   {"sender": "bot", "text": "eGFR shows how well your kidneys filter blood."}],
    "entries": [{"section": "results", "id": "res-1", "display": "eGFR"}],
    "channel": "portal", "contact_preference": "portal", "idempotency_key": "conv-1:msg-7",
}


def count(services, model) -> int:
    with services.db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_bot_creates_escalation_and_a_retry_returns_the_same_one(
    service_client, services, patient_ids, user_ids
):
    bot = service_client("david")
    first = bot.post("/api/escalations", json=BODY)
    assert first.status_code == 201, first.text
    data = first.json()
    assert set(data) == {"id", "reference", "status", "urgency", "response_due",
                         "message_to_patient"}
    assert data["status"] == "new" and data["urgency"] == "soon"
    assert data["message_to_patient"].startswith(
        "Your question has gone to the practice. They usually reply within 24 hours.")
    assert data["reference"] in data["message_to_patient"]
    # Stored before the response was sent: a fresh session finds it.
    with services.db.sessions() as s:
        stored = s.get(Escalation, data["id"])
        assert stored is not None
        assert (stored.patient_id, stored.asked_by) == (patient_ids["david"], user_ids["david"])
    again = bot.post("/api/escalations", json=BODY)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert count(services, Escalation) == 1


def test_the_patient_id_comes_from_the_grant_not_the_body(service_client, services,
                                                          patient_ids):
    r = service_client("david").post("/api/escalations",
                                     json={**BODY, "patient_id": patient_ids["margaret"]})
    assert r.status_code == 201
    with services.db.sessions() as s:
        assert s.get(Escalation, r.json()["id"]).patient_id == patient_ids["david"]


def test_logged_in_patient_can_escalate_and_list_theirs_only(login):
    david, margaret = login("david"), login("margaret")
    created = david.post("/api/escalations", json=BODY)
    assert created.status_code == 201
    margaret.post("/api/escalations", json={**BODY, "idempotency_key": "m-1"})
    mine = david.get("/api/escalations/mine").json()["escalations"]
    assert [e["id"] for e in mine] == [created.json()["id"]]
    assert mine[0]["status_text"] == "Sent. Not read yet" and mine[0]["replies"] == []


@pytest.mark.parametrize("path", ["/api/escalations", "/api/feedback"])
def test_anonymous_and_staff_cannot_escalate_or_give_feedback(
    path, client, receptionist_client, services
):
    body = BODY if path == "/api/escalations" else {"helpful": True, "conversation_id": "c"}
    assert client.post(path, json=body).status_code == 401
    assert receptionist_client.post(path, json=body).status_code == 403
    bad = {"Authorization": "Bearer wrong", "X-Conversation-Grant": "x"}
    assert client.post(path, json=body, headers=bad).status_code == 401
    assert count(services, Escalation) == 0


def test_proxy_needs_a_grant_and_then_sees_only_their_own_questions(
    proxy_client, service_client, login
):
    assert proxy_client.post("/api/escalations", json=BODY).status_code == 403
    bot_for_sarah = service_client("sarah")  # about Amelia's record
    r = bot_for_sarah.post("/api/escalations", json={**BODY, "idempotency_key": "sarah-1"})
    assert r.status_code == 201
    login("amelia").post("/api/escalations", json=BODY)
    listed = bot_for_sarah.get("/api/escalations/mine").json()["escalations"]
    assert [e["id"] for e in listed] == [r.json()["id"]]


def test_invalid_body_is_422_and_nothing_stored(patient_client, services):
    assert patient_client.post("/api/escalations",
                               json={**BODY, "urgency": "whenever"}).status_code == 422
    assert patient_client.post("/api/escalations",
                               json={**BODY, "patient_words": ""}).status_code == 422
    assert count(services, Escalation) == 0


def test_feedback(service_client):
    r = service_client("david").post("/api/feedback", json={
        "helpful": False, "glossary_key": "egfr", "record_entry": "res-1",
        "conversation_id": "portal-abc"})
    assert r.status_code == 201 and r.json()["id"]


STAFF_ENDPOINTS = [
    ("get", "/api/staff/escalations", None),
    ("get", "/api/staff/escalations/{id}", None),
    ("post", "/api/staff/escalations/{id}/claim", None),
    ("post", "/api/staff/escalations/{id}/reply", {"text": "hi"}),
    ("post", "/api/staff/escalations/{id}/forward", {}),
    ("post", "/api/staff/escalations/{id}/resolve", {"outcome": "answered"}),
    ("post", "/api/staff/escalations/{id}/reopen", {}),
]


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ENDPOINTS)
def test_staff_endpoints_refuse_anonymous_patients_and_the_bot(
    method, path, body, client, patient_client, service_client, services
):
    esc_id = patient_client.post("/api/escalations", json=BODY).json()["id"]
    url = path.format(id=esc_id)
    kwargs = {"json": body} if body is not None else {}
    assert getattr(client, method)(url, **kwargs).status_code == 401
    assert getattr(patient_client, method)(url, **kwargs).status_code == 403
    assert getattr(service_client("david"), method)(url, **kwargs).status_code == 403
    with services.db.sessions() as s:
        assert s.get(Escalation, esc_id).status == "new"


def test_staff_workflow_through_the_api_and_the_patient_inbox(
    patient_client, receptionist_client, clinician_client, services, user_ids
):
    david, rita = patient_client, receptionist_client
    urgent = david.post("/api/escalations", json={**BODY, "urgency": "urgent",
                                                  "idempotency_key": "u"}).json()
    soon = david.post("/api/escalations", json=BODY).json()
    queue = rita.get("/api/staff/escalations").json()
    assert [e["id"] for e in queue["escalations"]] == [urgent["id"], soon["id"]]
    assert queue["counts"] == {"urgent": 1, "soon": 1, "routine": 0}
    assert queue["escalations"][0]["sla"] == "on_time"
    filtered = rita.get("/api/staff/escalations?urgency=soon").json()["escalations"]
    assert [e["id"] for e in filtered] == [soon["id"]]

    detail = rita.get(f"/api/staff/escalations/{soon['id']}").json()
    assert detail["patient_words"] == BODY["patient_words"]
    assert detail["entries"] == BODY["entries"] and len(detail["transcript"]) == 2
    mine = david.get("/api/escalations/mine").json()["escalations"]
    assert next(e for e in mine if e["id"] == soon["id"])["status_text"] == "Read by the practice"

    claimed = rita.post(f"/api/staff/escalations/{soon['id']}/claim").json()
    assert claimed["claimed_by"] == user_ids["reception"]
    clash = clinician_client.post(f"/api/staff/escalations/{soon['id']}/claim")
    assert clash.status_code == 409 and "already claimed" in clash.json()["error"]
    r = rita.post(f"/api/staff/escalations/{soon['id']}/reply",
                  json={"text": "Your kidney test is stable. No action needed.", "send_sms": True})
    assert r.status_code == 200 and r.json()["status"] == "replied"
    assert count(services, SmsOutbox) == 1
    assert rita.post(f"/api/staff/escalations/{soon['id']}/resolve",
                     json={"outcome": "nonsense"}).status_code == 422
    done = rita.post(f"/api/staff/escalations/{soon['id']}/resolve", json={"outcome": "answered"})
    assert done.json()["status"] == "resolved"
    late = rita.post(f"/api/staff/escalations/{soon['id']}/reply", json={"text": "again"})
    assert late.status_code == 409 and "Reopen it first" in late.json()["error"]
    assert rita.post("/api/staff/escalations/nope/claim").status_code == 404

    assert david.get("/api/inbox").json()["unread"] == 1
    page = david.get("/inbox")
    assert page.status_code == 200 and "Your kidney test is stable" in page.text
    assert david.get("/api/inbox").json()["unread"] == 0  # opening the page marked it read
    with services.db.sessions() as s:
        actions = [e.action for e in s.scalars(select(EscalationEvent).where(
            EscalationEvent.escalation_id == soon["id"]).order_by(EscalationEvent.id))]
    assert actions == ["created", "viewed", "claim", "reply", "resolve"]


def test_inbox_page_redirects_to_login_when_signed_out(client):
    r = client.get("/inbox", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/inbox"


def test_dashboard_pages_need_staff_and_forms_need_the_csrf_token(
    client, patient_client, receptionist_client, clinician_client
):
    r = client.get("/dashboard", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fdashboard")
    assert patient_client.get("/dashboard").status_code == 403
    esc_id = patient_client.post("/api/escalations", json=BODY).json()["id"]
    rita = receptionist_client
    page = rita.get("/dashboard")
    assert page.status_code == 200 and "David" in page.text and "Clinical question" in page.text
    forged = rita.post(f"/dashboard/escalations/{esc_id}/claim", data={"csrf": "forged"})
    assert forged.status_code == 403
    item = rita.get(f"/dashboard/escalations/{esc_id}")
    assert BODY["patient_words"] in item.text and "eGFR" in item.text
    token = item.text.split('name="csrf" value="')[1].split('"')[0]
    done = rita.post(f"/dashboard/escalations/{esc_id}/claim", data={"csrf": token},
                     follow_redirects=False)
    assert done.status_code == 303
    # Someone else's token is refused even though it is validly signed.
    assert clinician_client.post(f"/dashboard/escalations/{esc_id}/resolve",
                                 data={"csrf": token, "outcome": "answered"}).status_code == 403
    wrong = rita.post(f"/dashboard/escalations/{esc_id}/reopen", data={"csrf": token})
    assert wrong.status_code == 409 and "Cannot reopen" in wrong.text
    assert rita.get("/dashboard/numbers").status_code == 200


def test_a_proxy_signed_in_to_the_portal_sees_the_replies_to_what_they_sent(
    service_client, proxy_client, receptionist_client
):
    sent = service_client("sarah").post("/api/escalations",
                                        json={**BODY, "idempotency_key": "s-1"}).json()
    receptionist_client.post(f"/api/staff/escalations/{sent['id']}/reply",
                             json={"text": "Amelia's inhaler review is booked."})
    inbox = proxy_client.get("/api/inbox").json()
    assert [e["id"] for e in inbox["escalations"]] == [sent["id"]] and inbox["unread"] == 1
    assert "inhaler review is booked" in proxy_client.get("/inbox").text


def test_opening_an_escalation_is_audited_as_a_record_read(
        service_client, receptionist_client, patient_ids) -> None:
    created = service_client("david").post("/api/escalations", json={
        "reason": "clinical_question", "urgency": "routine", "patient_words": "Is my dose right?",
        "transcript": [], "entries": [], "channel": "portal", "contact_preference": "portal",
        "idempotency_key": "audit-1"})
    assert created.status_code in (200, 201), created.text
    page = receptionist_client.get(f"/dashboard/escalations/{created.json()['id']}")
    assert page.status_code == 200
    audit = receptionist_client.get(f"/api/patients/{patient_ids['david']}/audit").json()
    assert any(e["section"] == "escalation" and e["role"] == "receptionist" for e in audit), audit
