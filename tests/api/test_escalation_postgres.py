"""Escalations on the real PostgreSQL: concurrent retries store one row, and the migration runs.

Each test uses its own throw-away database, dropped afterwards.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import sessionmaker

from api.escalation import service as svc
from api.escalation.models import Escalation, EscalationEvent

pytestmark = pytest.mark.postgres
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_url() -> Iterator[str]:
    name = f"esc_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_upgrade_and_downgrade(pg_url):
    from alembic import command

    from api.migrations import alembic_config

    cfg = alembic_config(pg_url)
    command.upgrade(cfg, "head")
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        tables = set(conn.execute(text(
            "select tablename from pg_tables where schemaname='public'")).scalars())
    assert {"escalations", "escalation_events", "escalation_replies", "sms_outbox",
            "explanation_feedback", "chat_turns"} <= tables
    command.downgrade(cfg, "0001_records")
    with engine.connect() as conn:
        assert conn.execute(text("select to_regclass('escalations')")).scalar() is None
    engine.dispose()


def test_concurrent_retries_with_one_key_store_exactly_one_escalation(pg_url):
    from api.migrations import upgrade

    upgrade(pg_url)
    engine = create_engine(pg_url, pool_size=20, max_overflow=0)
    factory = sessionmaker(engine, expire_on_commit=False)
    barrier = threading.Barrier(16)
    ids: list[str] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            with factory() as session:
                barrier.wait()
                ids.append(svc.create_escalation(session, svc.EscalationRequest(
                    patient_id="p1", reason="red_flag", urgency="urgent",
                    patient_words="chest pain", idempotency_key="conv:msg-1"),
                    policy=svc.ResponsePolicy()).id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(ids) == 16 and len(set(ids)) == 1
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Escalation)) == 1
        assert session.scalar(select(func.count()).select_from(EscalationEvent)) == 1
    engine.dispose()
