"""sms: identity-check state for the SMS channel

Revision ID: 0003_sms
Revises: 0002_escalation
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_sms"
down_revision = "0002_escalation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_sessions",
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=True),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("phone_hash", name=op.f("pk_sms_sessions")),
    )


def downgrade() -> None:
    op.drop_table("sms_sessions")
