"""Unit-test fixtures: a real SQLAlchemy session on an in-memory SQLite database (no fakes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

import api.escalation.models  # noqa: F401 - registers the tables on Base
from api.db import Base
from api.escalation.service import EscalationRequest


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False},
                           poolclass=StaticPool)
    tables = [t for name, t in Base.metadata.tables.items()
              if name in {"escalations", "escalation_events", "escalation_replies", "sms_outbox",
                          "explanation_feedback", "chat_turns"}]
    Base.metadata.create_all(engine, tables=tables)
    with sessionmaker(engine, expire_on_commit=False)() as s:
        yield s
    engine.dispose()


def _make_request(key: str = "k1", **overrides: object) -> EscalationRequest:
    fields: dict[str, object] = {
        "patient_id": "p1", "reason": "clinical_question", "urgency": "soon",
        "patient_words": "Why was my blood test repeated?", "idempotency_key": key,
        "transcript": [{"sender": "patient", "text": "Why was my blood test repeated?"},
                       {"sender": "bot", "text": "I can pass that to the practice."}],
        "entries": [{"section": "results", "id": "r1", "display": "HbA1c"}],
        "channel": "portal", "contact_preference": "portal",
    }
    fields.update(overrides)
    return EscalationRequest(**fields)  # type: ignore[arg-type]


@pytest.fixture
def make_request() -> object:
    """A factory for valid escalation requests, with fields overridable."""
    return _make_request
