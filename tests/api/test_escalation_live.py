"""Live updates through the real Redis on 127.0.0.1:6379 (each test on its own channel)."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

import api.escalation.models  # noqa: F401 - tables on Base
from api.db import Base
from api.escalation import service as svc
from api.live import LiveBus, LiveUnavailable

REDIS_URL = "redis://127.0.0.1:6379/0"


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{s.getsockname()[1]}/0"


async def _receive_after(bus: LiveBus, publish: Any, count: int = 1) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    stream = bus.listen(heartbeat_seconds=0.2)
    first = await stream.__anext__()
    assert first == {"type": "subscribed"}
    await asyncio.get_running_loop().run_in_executor(None, publish)
    deadline = time.monotonic() + 5
    async for message in stream:
        if message is not None:
            got.append(message)
        if len(got) >= count or time.monotonic() > deadline:
            break
    await stream.aclose()
    return got


@pytest.mark.redis
def test_published_event_reaches_a_listener():
    bus = LiveBus(REDIS_URL, channel=f"test:{uuid.uuid4().hex}")
    got = asyncio.run(_receive_after(bus, lambda: bus.publish({"type": "x", "id": "1"})))
    assert got == [{"type": "x", "id": "1"}]
    bus.close()


@pytest.mark.redis
def test_a_created_escalation_is_announced_without_the_patients_words():
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False},
                           poolclass=StaticPool)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["escalations"],
                                             Base.metadata.tables["escalation_events"]])
    session = sessionmaker(engine, expire_on_commit=False)()
    bus = LiveBus(REDIS_URL, channel=f"test:{uuid.uuid4().hex}")
    created: list[svc.Escalation] = []

    def create() -> None:
        created.append(svc.create_escalation(session, svc.EscalationRequest(
            patient_id="p1", reason="red_flag", urgency="urgent",
            patient_words="crushing chest pain", idempotency_key="k"),
            policy=svc.ResponsePolicy(), notify=bus.publish))

    got = asyncio.run(_receive_after(bus, create))
    assert got == [{"type": "escalation.created", "id": created[0].id,
                    "reference": created[0].reference, "urgency": "urgent",
                    "reason": "red_flag", "status": "new"}]
    assert "chest" not in str(got)
    session.close()
    bus.close()


def test_publish_with_redis_down_returns_quickly_and_backs_off():
    bus = LiveBus(_dead_url(), timeout_seconds=0.5, backoff_seconds=30)
    started = time.monotonic()
    assert bus.publish({"type": "x"}) is False
    assert time.monotonic() - started < 2
    started = time.monotonic()
    assert bus.publish({"type": "x"}) is False  # skipped during the back-off: no connect at all
    assert time.monotonic() - started < 0.05
    assert LiveBus(None).publish({"type": "x"}) is False


def test_listen_with_redis_down_or_unconfigured_raises_live_unavailable():
    async def first(bus: LiveBus) -> Any:
        return await bus.listen().__anext__()

    with pytest.raises(LiveUnavailable):
        asyncio.run(first(LiveBus(_dead_url())))
    with pytest.raises(LiveUnavailable):
        asyncio.run(first(LiveBus(None)))


def test_creating_an_escalation_never_fails_because_redis_is_down():
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False},
                           poolclass=StaticPool)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables["escalations"],
                                             Base.metadata.tables["escalation_events"]])
    with sessionmaker(engine, expire_on_commit=False)() as session:
        esc = svc.create_escalation(session, svc.EscalationRequest(
            patient_id="p1", reason="clinical_question", urgency="soon", patient_words="why",
            idempotency_key="k"), policy=svc.ResponsePolicy(), notify=LiveBus(_dead_url()).publish)
        assert session.get(svc.Escalation, esc.id) is not None
