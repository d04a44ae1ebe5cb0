"""Actions that involve the practice: escalations (never answering a clinical question),
record-error reports, status, feedback, FAQ, admin signposting and the fallback."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.escalation.models import Escalation, ExplanationFeedback
from bot.actions.admin import ActionSignpostAdmin, admin_response
from bot.actions.escalate import (
    ActionEscalateClinical,
    ActionHandleAffirm,
    ActionHandleDeny,
    urgency_for,
)
from bot.actions.escalation_status import ActionEscalationStatus
from bot.actions.explain_term import ActionExplainTerm
from bot.actions.fallback import ActionHandleFallback
from bot.actions.faq import ActionAnswerFaq, faq_response
from bot.actions.feedback import ActionRecordFeedback
from bot.actions.record_error import ActionSubmitRecordError
from bot.actions.results import ActionResultDetail, ActionResultWhyAbnormal
from tests.actions.conftest import Conversation, Turn

Start = Callable[..., Conversation]


def my_escalations(client: TestClient, token: str, grant: str) -> list[dict]:
    r = client.get("/api/escalations/mine", headers={"Authorization": f"Bearer {token}",
                                                     "X-Conversation-Grant": grant})
    assert r.status_code == 200, r.text
    body = r.json()
    return body["escalations"] if isinstance(body, dict) else body


def told_reference(turn: Turn, client: TestClient, token: str, grant: str) -> str:
    """The reference of the patient's escalation that this turn told them about."""
    shown = turn.texts + " ".join(str(m.get("reference", "")) for m in turn.messages)
    for escalation in my_escalations(client, token, grant):
        if escalation["reference"] in shown:
            return str(escalation["reference"])
    raise AssertionError(f"no escalation reference in {shown!r}")


def test_clinical_question_is_not_answered_but_sent_with_the_exact_words(
        conversation: Start, api_for_actions: TestClient, services) -> None:
    chat = conversation("david")
    chat.run(ActionResultDetail(), "what is my cholesterol", "result_detail",
             [{"entity": "test_name", "value": "cholesterol"}])
    words = "should i stop my statin? my cholesterol is 4.9 now"
    turn = chat.run(ActionEscalateClinical(), words, "clinical_question", message_id="q1")
    assert turn.responses[0] == "utter_clinical_not_answered"
    token = services.settings.service_token
    reference = told_reference(turn, api_for_actions, token, chat.grant or "")
    assert "usually reply within" in turn.texts, "what happens next, and when (from the API)"
    assert turn.texts.count(reference) == 1
    # nothing in the reply is an answer: only the fixed response and the API's message
    mine = my_escalations(api_for_actions, services.settings.service_token, chat.grant or "")
    sent = next(e for e in mine if e["reference"] == reference)
    assert sent["reason"] == "clinical_question"
    assert sent["patient_words"] == words
    with services.db.sessions() as session:
        stored = session.scalars(select(Escalation).where(
            Escalation.reference == reference)).one()
        assert stored.urgency == "routine"
        assert {"sender": "patient", "text": words} in stored.transcript
        assert {"sender": "patient", "text": "what is my cholesterol"} in stored.transcript
        assert any(e["section"] == "results" and "cholesterol" in e["display"].lower()
                   for e in stored.entries), stored.entries
    # a retry of the same message (same id) is the same escalation, not a second one
    again = chat.run(ActionEscalateClinical(), words, "clinical_question", message_id="q1")
    assert told_reference(again, api_for_actions, token, chat.grant or "") == reference
    assert len(my_escalations(api_for_actions, services.settings.service_token,
                              chat.grant or "")) == 1


def test_why_abnormal_offer_then_yes_sends_it_soon(conversation: Start,
                                                   api_for_actions: TestClient, services) -> None:
    chat = conversation("david")
    chat.run(ActionResultWhyAbnormal(), "why is my hba1c high", "result_why_abnormal",
             [{"entity": "test_name", "value": "hba1c"}])
    turn = chat.run(ActionHandleAffirm(), "yes please", "affirm")
    told_reference(turn, api_for_actions, services.settings.service_token, chat.grant or "")
    assert chat.slots["pending_offer"] is None
    mine = my_escalations(api_for_actions, services.settings.service_token, chat.grant or "")
    assert mine[0]["reason"] == "clinical_question"
    assert mine[0]["urgency"] == "soon"
    assert mine[0]["patient_words"] == "why is my hba1c high"


def test_deny_sends_nothing(conversation: Start, api_for_actions: TestClient, services) -> None:
    chat = conversation("david")
    chat.run(ActionResultWhyAbnormal(), "why is my hba1c high", "result_why_abnormal",
             [{"entity": "test_name", "value": "hba1c"}])
    turn = chat.run(ActionHandleDeny(), "no thanks", "deny")
    assert turn.responses == ["utter_not_sent", "utter_anything_else"]
    assert my_escalations(api_for_actions, services.settings.service_token,
                          chat.grant or "") == []
    # "yes" with nothing offered sends nothing either
    assert chat.run(ActionHandleAffirm(), "yes", "affirm").responses == ["utter_anything_else"]


def test_fallback_rephrase_then_offer_then_unresolved_escalation(
        conversation: Start, api_for_actions: TestClient, services) -> None:
    chat = conversation("david")
    first = chat.run(ActionHandleFallback(), "blorp the thing", "nlu_fallback")
    assert first.responses == ["utter_rephrase"]
    assert first.messages and first.events == []
    second = chat.run(ActionHandleFallback(), "the wotsit on my notes", "nlu_fallback")
    assert second.responses == ["utter_offer_send_unresolved"]
    chat.run(ActionHandleAffirm(), "yes", "affirm")
    mine = my_escalations(api_for_actions, services.settings.service_token, chat.grant or "")
    assert mine[0]["reason"] == "unresolved"
    assert "the wotsit on my notes" in mine[0]["patient_words"]


def test_record_error_report_is_queued(conversation: Start, api_for_actions: TestClient,
                                       services) -> None:
    chat = conversation("david")
    chat.slots.update(error_entry="my allergies", error_what="I am not allergic to penicillin")
    turn = chat.run(ActionSubmitRecordError(), "I am not allergic to penicillin", "record_wrong")
    told_reference(turn, api_for_actions, services.settings.service_token, chat.grant or "")
    assert chat.slots["error_entry"] is None and chat.slots["error_what"] is None
    mine = my_escalations(api_for_actions, services.settings.service_token, chat.grant or "")
    assert mine[0]["reason"] == "record_error"
    assert "not allergic to penicillin" in mine[0]["patient_words"]


def test_escalation_status_shows_the_patients_own_questions(
        conversation: Start, api_for_actions: TestClient, services) -> None:
    chat = conversation("david")
    assert chat.run(ActionEscalationStatus(), "any news", "escalation_status").responses == [
        "utter_escalation_none"]
    sent = chat.run(ActionEscalateClinical(), "do i need more tests", "clinical_question")
    reference = told_reference(sent, api_for_actions, services.settings.service_token,
                               chat.grant or "")
    status = chat.run(ActionEscalationStatus(), "any news on my question", "escalation_status")
    assert reference in status.texts
    # another patient's conversation does not see it
    other = conversation("amelia").run(ActionEscalationStatus(), "any news", "escalation_status")
    assert reference not in other.texts


def test_no_grant_escalation_is_not_claimed_as_sent(conversation: Start) -> None:
    turn = conversation(None).run(ActionEscalateClinical(), "is 7.2 bad", "clinical_question")
    assert turn.responses == ["utter_no_grant"]
    assert "gone to the practice" not in turn.texts


@pytest.mark.parametrize(("intent", "helpful"), [("feedback_unclear", False),
                                                   ("feedback_helpful", True)])
def test_feedback_is_stored_with_the_glossary_key(conversation: Start, services, intent: str,
                                                  helpful: bool) -> None:
    chat = conversation("david")
    chat.run(ActionExplainTerm(), "what does eGFR mean", "explain_term",
             [{"entity": "term", "value": "eGFR"}])
    turn = chat.run(ActionRecordFeedback(), "2" if not helpful else "1", intent)
    assert turn.responses == ["utter_feedback_thanks" if helpful else "utter_feedback_sorry"]
    with services.db.sessions() as session:
        rows = list(session.scalars(select(ExplanationFeedback)))
    assert [(r.helpful, r.glossary_key) for r in rows] == [(helpful, "abbr:eGFR")]


def test_feedback_with_nothing_explained_stores_nothing(conversation: Start, services) -> None:
    turn = conversation("david").run(ActionRecordFeedback(), "1", "feedback_helpful")
    assert turn.responses == ["utter_feedback_nothing"]
    with services.db.sessions() as session:
        assert list(session.scalars(select(ExplanationFeedback))) == []


@pytest.mark.parametrize(("text", "response"), [
    ("how do i see my full record online", "utter_faq_online_access"),
    ("who else can read my notes", "utter_faq_who_can_see"),
    ("how can my wife get access to my record", "utter_faq_proxy"),
    ("why can't i see my latest results yet", "utter_faq_hidden"),
    ("how do i get a mistake corrected", "utter_faq_correction"),
    ("will the gp see what i write here", "utter_faq_messages"),
    ("tell me about records", "utter_faq_general"),
])
def test_faq_topics(text: str, response: str) -> None:
    assert faq_response(text) == response


@pytest.mark.parametrize(("text", "response"), [
    ("can i book an appointment", "utter_admin_appointment"),
    ("i need my repeat prescription", "utter_admin_prescription"),
    ("i need a sick note for work", "utter_admin_fit_note"),
    ("change my address", "utter_admin_general"),
])
def test_admin_is_signposted(text: str, response: str) -> None:
    assert admin_response(text) == response


def test_faq_and_admin_actions_need_no_record(conversation: Start) -> None:
    chat = conversation(None)
    assert chat.run(ActionAnswerFaq(), "what is proxy access", "records_access_faq"
                    ).responses == ["utter_faq_proxy"]
    assert chat.run(ActionSignpostAdmin(), "order my meds", "admin_request"
                    ).responses == ["utter_admin_prescription"]


def test_urgency() -> None:
    assert urgency_for("should i stop my statin") == "routine"
    assert urgency_for("I'm really worried about this result") == "soon"
    assert urgency_for("do i need more tests", flagged=True) == "soon"


def test_when_the_api_is_down_nothing_is_claimed_as_sent(conversation: Start) -> None:
    from bot.actions import record_client
    from bot.actions.medicines import ActionListMedicines

    chat = conversation("david")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    record_client.set_http_factory(lambda: httpx.Client(
        base_url="http://api.invalid", transport=httpx.MockTransport(refuse)))
    turn = chat.run(ActionEscalateClinical(), "should i stop my statin", "clinical_question")
    assert turn.responses == ["utter_clinical_not_answered", "utter_escalation_failed",
                              "utter_urgent_reminder"]
    assert chat.run(ActionListMedicines(), "my meds", "my_medicines").responses == [
        "utter_api_down"]


def test_sensitive_explanations_get_support_and_an_offer(conversation: Start,
                                                         api_for_actions: TestClient,
                                                         services) -> None:
    from bot.actions.medicines import ActionMedicineDetail

    chat = conversation("david")
    turn = chat.run(ActionMedicineDetail(), "what is sertraline for", "medicine_detail",
                    [{"entity": "medicine", "value": "sertraline"}])
    assert "utter_sensitive_support" in turn.responses
    assert "utter_offer_contact_practice" in turn.responses
    assert chat.slots["pending_offer"] == "clinical"
    chat.run(ActionHandleAffirm(), "yes please", "affirm")
    mine = my_escalations(api_for_actions, services.settings.service_token, chat.grant or "")
    assert mine[0]["patient_words"] == "what is sertraline for"
