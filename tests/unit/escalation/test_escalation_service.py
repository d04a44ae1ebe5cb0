"""The escalation domain against a real SQLAlchemy session (in-memory SQLite)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import textstat
from sqlalchemy import func, select

from api.escalation import service as svc
from api.escalation.models import Escalation, EscalationEvent, Reply, SmsOutbox

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
POLICY = svc.ResponsePolicy(urgent=2, soon=24, routine=72)


def test_create_stores_and_commits_before_returning(session, make_request):
    esc = svc.create_escalation(session, make_request(), policy=POLICY)
    # A second, independent connection sees it: it was committed, not just flushed.
    other = session.get_bind().connect()
    assert other.execute(select(func.count()).select_from(Escalation)).scalar() == 1
    other.close()
    assert esc.status == "new"
    assert esc.reference.startswith("PR-") and len(esc.reference) == 9
    assert esc.transcript[0] == {"sender": "patient", "text": "Why was my blood test repeated?"}
    assert esc.entries == [{"section": "results", "id": "r1", "display": "HbA1c"}]
    events = session.scalars(select(EscalationEvent)).all()
    assert [(e.actor, e.action, e.to_status) for e in events] == [("patient", "created", "new")]


def test_retry_with_same_key_returns_same_escalation(session, make_request):
    first = svc.submit_escalation(session, make_request("same"), policy=POLICY)
    again = svc.submit_escalation(session, make_request("same"), policy=POLICY)
    assert first.created and not again.created
    assert again.escalation.id == first.escalation.id
    assert session.scalar(select(func.count()).select_from(Escalation)) == 1


def test_key_is_unique_per_patient_not_globally(session, make_request):
    a = svc.create_escalation(session, make_request("k", patient_id="p1"), policy=POLICY)
    b = svc.create_escalation(session, make_request("k", patient_id="p2"), policy=POLICY)
    assert a.id != b.id


@pytest.mark.parametrize(("urgency", "hours"), [("urgent", 2), ("soon", 24), ("routine", 72)])
def test_response_due_follows_policy(session, make_request, urgency, hours):
    sub = svc.submit_escalation(session, make_request(urgency=urgency), policy=POLICY, now=T0)
    assert sub.escalation.response_due == T0 + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("field", "value"),
    [("reason", "bored"), ("urgency", "now"), ("channel", "fax"), ("patient_words", "  "),
     ("idempotency_key", ""), ("contact_preference", "pigeon"),
     ("transcript", [{"sender": "nurse", "text": "x"}]), ("entries", [{"display": "x"}])],
)
def test_invalid_requests_are_refused_and_nothing_stored(session, make_request, field, value):
    with pytest.raises(svc.InvalidEscalation, match=field.split("_")[0]):
        svc.create_escalation(session, make_request(**{field: value}), policy=POLICY)
    assert session.scalar(select(func.count()).select_from(Escalation)) == 0


def test_message_to_patient_is_plain_and_has_reference(session, make_request):
    esc = svc.create_escalation(session, make_request(), policy=POLICY)
    text = svc.message_to_patient(esc, POLICY)
    assert text.startswith("Your question has gone to the practice. They usually reply within "
                           "24 hours.")
    assert f"Your reference is {esc.reference}." in text
    assert textstat.flesch_kincaid_grade(text.replace(esc.reference, "one")) <= 7
    urgent = svc.create_escalation(session, make_request("u", urgency="urgent",
                                                         contact_preference="phone"), policy=POLICY)
    urgent_text = svc.message_to_patient(urgent, POLICY)
    assert "urgent" in urgent_text and "2 hours" in urgent_text and "phone" in urgent_text
    assert textstat.flesch_kincaid_grade(urgent_text.replace(urgent.reference, "one")) <= 7
    routine = svc.create_escalation(session, make_request("r", urgency="routine"), policy=POLICY)
    assert "3 days" in svc.message_to_patient(routine, POLICY)


def test_notify_is_called_after_commit_and_failures_do_not_lose_the_escalation(
    session, make_request
):
    seen = []

    def broken(payload):
        seen.append(payload)
        raise ConnectionError("redis down")

    esc = svc.create_escalation(session, make_request(), policy=POLICY, notify=broken)
    assert session.get(Escalation, esc.id) is not None
    assert seen == [{"type": "escalation.created", "id": esc.id, "reference": esc.reference,
                     "urgency": "soon", "reason": "clinical_question", "status": "new"}]
    assert "Why" not in str(seen)  # no patient words in the live payload


# --- state machine -------------------------------------------------------------------------------

def test_full_lifecycle_is_audited(session, make_request):
    esc = svc.create_escalation(session, make_request(), policy=POLICY)
    t = T0 + timedelta(hours=1)
    svc.claim(session, esc.id, "rec1", now=t)
    assert esc.status == "claimed" and esc.claimed_by == "rec1" and esc.seen_by_practice_at == t
    svc.forward(session, esc.id, "rec1", to="doc1", note="needs a GP", now=t)
    assert esc.status == "forwarded" and esc.forwarded_to == "doc1"
    svc.claim(session, esc.id, "doc1", now=t)
    message = svc.reply(session, esc.id, "doc1", "Your HbA1c was repeated to check it.",
                        send_sms=True, now=t + timedelta(minutes=5))
    assert esc.status == "replied" and esc.first_response_at == t + timedelta(minutes=5)
    outbox = session.scalars(select(SmsOutbox)).all()
    assert len(outbox) == 1 and outbox[0].reply_id == message.id and outbox[0].status == "queued"
    assert esc.reference in outbox[0].body
    svc.resolve(session, esc.id, "doc1", "answered", now=t + timedelta(minutes=6))
    assert esc.status == "resolved" and esc.outcome == "answered" and esc.resolved_at
    svc.reopen(session, esc.id, "rec1", reason="patient wrote back")
    assert esc.status == "new" and esc.outcome is None and esc.claimed_by is None
    actions = [(e.actor, e.action, e.from_status, e.to_status)
               for e in session.scalars(select(EscalationEvent).order_by(EscalationEvent.id))]
    assert actions == [
        ("patient", "created", None, "new"),
        ("rec1", "claim", "new", "claimed"),
        ("rec1", "forward", "claimed", "forwarded"),
        ("doc1", "claim", "forwarded", "claimed"),
        ("doc1", "reply", "claimed", "replied"),
        ("doc1", "resolve", "replied", "resolved"),
        ("rec1", "reopen", "resolved", "new"),
    ]


@pytest.mark.parametrize(
    ("action", "call"),
    [
        ("reply", lambda s, i: svc.reply(s, i, "u", "hello")),
        ("claim", lambda s, i: svc.claim(s, i, "u")),
        ("forward", lambda s, i: svc.forward(s, i, "u")),
        ("resolve", lambda s, i: svc.resolve(s, i, "u", "answered")),
    ],
)
def test_actions_on_a_resolved_escalation_are_refused(session, make_request, action, call):
    esc = svc.create_escalation(session, make_request(), policy=POLICY)
    svc.resolve(session, esc.id, "u", "no_action_needed")
    with pytest.raises(svc.InvalidTransition, match=r"it is resolved\. Reopen it first\."):
        call(session, esc.id)
    assert esc.status == "resolved"


def test_reopen_only_from_resolved_and_double_forward_refused(session, make_request):
    esc = svc.create_escalation(session, make_request(), policy=POLICY)
    with pytest.raises(svc.InvalidTransition, match="Cannot reopen"):
        svc.reopen(session, esc.id, "u")
    svc.forward(session, esc.id, "u")
    with pytest.raises(svc.InvalidTransition, match=r"Cannot forward .* it is forwarded"):
        svc.forward(session, esc.id, "u")


def test_claim_by_someone_else_is_refused_but_repeat_claim_is_harmless(session, make_request):
    esc = svc.create_escalation(session, make_request(), policy=POLICY)
    svc.claim(session, esc.id, "rec1")
    svc.claim(session, esc.id, "rec1")
    with pytest.raises(svc.InvalidTransition, match="already claimed by another member of staff"):
        svc.claim(session, esc.id, "rec2")
    assert esc.claimed_by == "rec1"
    claims = session.scalar(select(func.count()).where(EscalationEvent.action == "claim"))
    assert claims == 1


def test_reply_validation_and_unknown_outcome(session, make_request):
    esc = svc.create_escalation(session, make_request(), policy=POLICY)
    with pytest.raises(svc.InvalidEscalation, match="write a reply"):
        svc.reply(session, esc.id, "u", "   ")
    with pytest.raises(svc.InvalidEscalation, match="outcome must be one of"):
        svc.resolve(session, esc.id, "u", "vanished")
    with pytest.raises(svc.EscalationNotFound):
        svc.claim(session, "nope", "u")
    assert esc.status == "new"


def test_transition_table_matches_can():
    assert svc.can("reply", "new") and not svc.can("reply", "resolved")
    assert svc.can("reopen", "resolved") and not svc.can("reopen", "claimed")


# --- queue and SLA -------------------------------------------------------------------------------

def test_queue_orders_by_urgency_then_age_and_hides_resolved(session, make_request):
    def add(key, urgency, minutes):
        return svc.submit_escalation(session, make_request(key, urgency=urgency), policy=POLICY,
                                     now=T0 + timedelta(minutes=minutes)).escalation

    old_routine = add("a", "routine", 0)
    new_urgent = add("b", "urgent", 30)
    old_soon = add("c", "soon", 5)
    old_urgent = add("d", "urgent", 10)
    new_soon = add("e", "soon", 40)
    done = add("f", "urgent", 1)
    svc.resolve(session, done.id, "u", "answered")
    items = svc.queue(session, now=T0 + timedelta(hours=1))
    assert [i.escalation.id for i in items] == [
        old_urgent.id, new_urgent.id, old_soon.id, new_soon.id, old_routine.id]
    assert svc.queue_counts(session) == {"urgent": 2, "soon": 2, "routine": 1}
    resolved = svc.queue(session, svc.QueueFilters(status="resolved"))
    assert [i.escalation.id for i in resolved] == [done.id]
    only_soon = svc.queue(session, svc.QueueFilters(urgency="soon", reason="clinical_question"))
    assert [i.escalation.id for i in only_soon] == [old_soon.id, new_soon.id]
    assert len(svc.queue(session, svc.QueueFilters(reason="record_error"))) == 0
    # A junk filter value is ignored rather than hiding everything.
    assert len(svc.queue(session, svc.QueueFilters(urgency="bogus"))) == 5


def test_sla_states(session, make_request):
    esc = svc.submit_escalation(session, make_request(urgency="soon"), policy=POLICY,
                                now=T0).escalation
    assert svc.sla_state(esc, T0 + timedelta(hours=1)) == "on_time"
    assert svc.sla_state(esc, T0 + timedelta(hours=19)) == "due_soon"  # last quarter of 24 h
    assert svc.sla_state(esc, T0 + timedelta(hours=24)) == "overdue"
    urgent = svc.submit_escalation(session, make_request("u", urgency="urgent"), policy=POLICY,
                                   now=T0).escalation
    assert svc.sla_state(urgent, T0 + timedelta(minutes=80)) == "on_time"
    assert svc.sla_state(urgent, T0 + timedelta(minutes=91)) == "due_soon"  # 30 min floor
    svc.reply(session, esc.id, "u", "Done", now=T0 + timedelta(hours=25))
    assert svc.sla_state(esc, T0 + timedelta(hours=30)) == "answered_late"
    svc.reply(session, urgent.id, "u", "Done", now=T0 + timedelta(hours=1))
    assert svc.sla_state(urgent, T0 + timedelta(hours=30)) == "answered"
    item = svc.queue(session, svc.QueueFilters(), now=T0 + timedelta(hours=30))[0]
    assert item.minutes_left < 0 and item.age_minutes == 30 * 60


# --- the patient's side --------------------------------------------------------------------------

def test_patient_sees_read_then_replied_and_marks_read(session, make_request):
    esc = svc.create_escalation(session, make_request(asked_by="u-p1"), policy=POLICY)
    assert svc.patient_status_words(esc) == "Sent. Not read yet"
    svc.mark_seen(session, esc.id, "rec1")
    assert svc.patient_status_words(esc) == "Read by the practice"
    svc.reply(session, esc.id, "rec1", "We have booked you in.")
    mine = svc.escalations_for_patient(session, "p1", user_id="u-p1")
    assert [e.id for e in mine] == [esc.id]
    assert svc.patient_status_words(mine[0]) == "The practice has replied"
    assert svc.escalations_for_patient(session, "p2") == []
    assert svc.mark_replies_read(session, mine) == 1
    assert svc.mark_replies_read(session, mine) == 0
    assert session.scalars(select(Reply)).one().read_by_patient_at is not None


def test_proxy_sees_only_what_they_asked(session, make_request):
    by_patient = svc.create_escalation(session, make_request("a", asked_by="u-p1"), policy=POLICY)
    by_proxy = svc.create_escalation(session, make_request("b", asked_by="u-mum"), policy=POLICY)
    no_sender = svc.create_escalation(session, make_request("c"), policy=POLICY)
    proxy_view = svc.escalations_for_patient(session, "p1", user_id="u-mum", own_record=False)
    assert [e.id for e in proxy_view] == [by_proxy.id]
    own = {e.id for e in svc.escalations_for_patient(session, "p1", user_id="u-p1")}
    assert own == {by_patient.id, no_sender.id}


def test_feedback_is_stored(session):
    row = svc.record_feedback(session, svc.FeedbackRequest(
        patient_id="p1", conversation_id="c1", helpful=False, glossary_key="egfr"))
    assert row.id and row.helpful is False
    with pytest.raises(svc.InvalidEscalation, match="conversation_id"):
        svc.record_feedback(session, svc.FeedbackRequest(patient_id="p1", conversation_id="",
                                                         helpful=True))


def test_red_flag_helper_for_the_chat_relay_is_urgent_and_idempotent(session):
    args = {"patient_id": "p1", "user_id": "u1", "text": "I have crushing chest pain",
            "channel": "sms", "idempotency_key": "sms-abc:m1", "policy": POLICY}
    esc = svc.escalate_red_flag(session, **args)
    again = svc.escalate_red_flag(session, **args)
    assert again.id == esc.id
    assert (esc.reason, esc.urgency, esc.contact_preference) == ("red_flag", "urgent", "sms")
    assert esc.transcript == [{"sender": "patient", "text": "I have crushing chest pain"}]
    assert svc.queue(session)[0].escalation.id == esc.id
