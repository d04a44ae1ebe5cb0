"""The SMS channel's identity-check state, one row per phone number (stored only as a hash)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base, UtcDateTime


class SmsSession(Base):
    """Where a phone number is in the identity check, and the numbered options last offered."""

    __tablename__ = "sms_sessions"

    phone_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # awaiting_dob | verified | locked
    patient_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
