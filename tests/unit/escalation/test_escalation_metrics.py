"""The practice numbers, from real rows in an in-memory SQLite database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from api.escalation import metrics
from api.escalation import service as svc
from api.escalation.models import ChatTurn

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
POLICY = svc.ResponsePolicy(urgent=2, soon=24, routine=72)


def test_record_turn_hashes_the_conversation_and_stores_no_text(session):
    turn = metrics.record_turn(session, patient_id="p1", conversation_id="portal-abc",
                               outcome="answered", escalated=False, now=T0)
    stored = session.scalars(select(ChatTurn)).one()
    assert stored.id == turn.id and stored.conversation_hash != "portal-abc"
    assert stored.conversation_hash == metrics.conversation_hash("portal-abc")


def test_practice_numbers(session, make_request):
    now = T0 + timedelta(days=10)
    # Week: p1 in two conversations, p2 once (escalated); month also has an older p3 turn.
    for pid, conv, escalated, days_ago in [("p1", "c1", False, 1), ("p1", "c1", False, 1),
                                           ("p1", "c2", False, 2), ("p2", "c3", True, 3),
                                           ("p3", "c4", False, 20)]:
        metrics.record_turn(session, patient_id=pid, conversation_id=conv, outcome="answered",
                            escalated=escalated, now=now - timedelta(days=days_ago))
    a = svc.submit_escalation(session, make_request("a", urgency="urgent", reason="red_flag"),
                              policy=POLICY, now=now - timedelta(hours=5)).escalation
    b = svc.submit_escalation(session, make_request("b"), policy=POLICY,
                              now=now - timedelta(hours=5)).escalation
    svc.submit_escalation(session, make_request("c", reason="record_error"), policy=POLICY,
                          now=now - timedelta(hours=1))
    svc.reply(session, a.id, "rec", "Called 999 advice given", now=now - timedelta(hours=2))
    svc.reply(session, b.id, "rec", "Answer", now=now - timedelta(hours=4, minutes=30))
    for helpful, key in [(False, "egfr"), (False, "egfr"), (True, "egfr"), (False, "hba1c")]:
        svc.record_feedback(session, svc.FeedbackRequest(
            patient_id="p1", conversation_id="c1", helpful=helpful, glossary_key=key),
            now=now - timedelta(days=1))

    n = metrics.practice_numbers(session, now=now)
    week, month = n.periods
    assert (week.active_patients, week.conversations, week.turns) == (2, 3, 4)
    assert week.answered_without_escalation == 3 and week.answered_share == 75
    assert (month.active_patients, month.conversations, month.turns) == (3, 4, 5)
    assert n.by_reason == {"red_flag": 1, "clinical_question": 1, "record_error": 1,
                           "unresolved": 0}
    assert n.by_urgency == {"urgent": 1, "soon": 2, "routine": 0}
    times = {t.urgency: t for t in n.response_times}
    assert times["urgent"].responded == 1 and times["urgent"].median_minutes == 180
    assert times["urgent"].within_target == 0  # 3 h against a 2 h target
    assert times["soon"].median_minutes == 30 and times["soon"].within_target == 1
    assert times["routine"].median_minutes is None
    assert [(u.glossary_key, u.unhelpful, u.helpful) for u in n.unclear] == [
        ("egfr", 2, 1), ("hba1c", 1, 0)]
