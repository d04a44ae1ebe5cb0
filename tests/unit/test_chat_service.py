"""The chat relay's decisions: red flags never reach Rasa, escalate once, Rasa down is kind.

Rasa is replaced by httpx's MockTransport and the screen by a tiny keyword fake: these are unit
tests of the relay's own logic (the real screen and real Rasa are exercised in tests/e2e).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
import pytest

from api.accounts.grants import verify_grant
from api.chat.rasa_client import RasaClient
from api.chat.service import NO_ANSWER, RASA_DOWN, ChatService, Escalated, MessageRejected, Speaker

SECRET = "x" * 40


@dataclass
class FakeVerdict:  # a fake screen result, for unit tests only
    red_flag: bool
    category: str | None = None
    signposting: list[str] = field(default_factory=list)


class FakeScreen:  # flags any message containing "chest pain" (unit-test fake)
    def check(self, text: str) -> FakeVerdict:
        if "chest pain" in text:
            return FakeVerdict(True, "chest_pain", ["Call 999 now."])
        return FakeVerdict(False)


@dataclass
class Recorder:
    rasa_calls: list[dict] = field(default_factory=list)
    escalations: dict[str, Escalated] = field(default_factory=dict)
    turns: list[tuple[str, bool]] = field(default_factory=list)

    def rasa(self, request: httpx.Request) -> httpx.Response:
        self.rasa_calls.append(json.loads(request.content))
        return httpx.Response(200, json=[{"text": "Hello!", "buttons": [{"title": "Help", "payload": "/help"}]}])

    def escalate(self, speaker: Speaker, text: str, category: str, channel: str, key: str) -> Escalated:
        return self.escalations.setdefault(key, Escalated(f"REF{len(self.escalations) + 1}", "Sent to the practice."))

    def turn(self, speaker: Speaker, conversation: str, outcome: str, escalated: bool) -> None:
        self.turns.append((outcome, escalated))


def make(rec: Recorder, transport: httpx.BaseTransport | None = None) -> ChatService:
    rasa = RasaClient("http://rasa.test", 5, transport=transport or httpx.MockTransport(rec.rasa))
    return ChatService(secret=SECRET, max_chars=200, screen=FakeScreen(), rasa=rasa,
                       escalate_red_flag=rec.escalate, record_turn=rec.turn)


SPEAKER = Speaker(user_id="u1", patient_id="p1")


def test_message_is_relayed_with_a_grant_for_the_speakers_patient() -> None:
    rec = Recorder()
    out = make(rec).handle(SPEAKER, "  hello ", "portal", "m1")
    assert [r.text for r in out.replies] == ["Hello!"]
    assert out.replies[0].buttons == [{"title": "Help", "payload": "/help"}]
    sent = rec.rasa_calls[0]
    assert sent["message"] == "hello"
    grant = verify_grant(SECRET, sent["metadata"]["grant"], 60)
    assert grant.patient_id == "p1" and grant.user_id == "u1" and grant.channel == "portal"
    assert sent["sender"] == out.conversation_id and "p1" not in sent["sender"]
    assert sent["metadata"]["message_id"] == "m1"  # so a retried question escalates once
    assert rec.turns == [("answered", False)]


def test_red_flag_never_reaches_rasa() -> None:
    rec = Recorder()
    out = make(rec).handle(SPEAKER, "I have chest pain now", "portal", "m1")
    assert out.red_flag and out.category == "chest_pain"
    assert out.replies[0].text == "Call 999 now."  # signposting comes first
    assert out.replies[-1].text == "Sent to the practice."
    assert rec.rasa_calls == []
    assert rec.turns == [("red_flag", True)]


def test_red_flag_escalates_once_per_message() -> None:
    rec = Recorder()
    service = make(rec)
    first = service.handle(SPEAKER, "chest pain", "portal", "m1")
    retry = service.handle(SPEAKER, "chest pain", "portal", "m1")
    other = service.handle(SPEAKER, "chest pain again", "portal", "m2")
    assert first.escalation == retry.escalation
    assert other.escalation != first.escalation
    assert len(rec.escalations) == 2


def test_rasa_down_is_said_kindly() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    rec = Recorder()
    out = make(rec, httpx.MockTransport(down)).handle(SPEAKER, "hello", "portal", "m1")
    assert out.delivered is False
    assert [r.text for r in out.replies] == [RASA_DOWN]
    assert rec.turns == []


def test_rasa_error_status_counts_as_down() -> None:
    rec = Recorder()
    service = make(rec, httpx.MockTransport(lambda r: httpx.Response(500, text="boom")))
    assert service.handle(SPEAKER, "hello", "portal", "m1").delivered is False


def test_no_reply_from_rasa_is_not_shown_as_an_answer() -> None:
    rec = Recorder()
    service = make(rec, httpx.MockTransport(lambda r: httpx.Response(200, json=[])))
    out = service.handle(SPEAKER, "what medicines am I on", "portal", "m1")
    assert out.delivered is False
    assert [r.text for r in out.replies] == [NO_ANSWER]


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_message_is_refused(text: str) -> None:
    with pytest.raises(MessageRejected):
        make(Recorder()).handle(SPEAKER, text, "portal", "m1")


def test_overlong_message_is_refused_not_cut() -> None:
    rec = Recorder()
    with pytest.raises(MessageRejected, match="under 200"):
        make(rec).handle(SPEAKER, "a" * 201, "portal", "m1")
    assert rec.rasa_calls == []


def test_conversation_ids_are_stable_and_distinct() -> None:
    service = make(Recorder())
    a = service.conversation_id(SPEAKER, "portal")
    assert a == service.conversation_id(SPEAKER, "portal")
    assert a != service.conversation_id(Speaker("u1", "p2", proxy=True), "portal")
    assert a != service.conversation_id(SPEAKER, "sms")
