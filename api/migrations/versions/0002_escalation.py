"""escalation: escalations, events, replies, sms outbox, feedback, chat turns

Revision ID: 0002_escalation
Revises: 0001_records
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002_escalation'
down_revision = '0001_records'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_turns',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.Column('conversation_hash', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=64), nullable=False),
    sa.Column('escalated', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_turns'))
    )
    op.create_index(op.f('ix_chat_turns_conversation_hash'), 'chat_turns', ['conversation_hash'], unique=False)
    op.create_index(op.f('ix_chat_turns_created_at'), 'chat_turns', ['created_at'], unique=False)
    op.create_index(op.f('ix_chat_turns_patient_id'), 'chat_turns', ['patient_id'], unique=False)
    op.create_table('escalations',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.Column('asked_by', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('patient_words', sa.Text(), nullable=False),
    sa.Column('transcript', sa.JSON(), nullable=False),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('contact_preference', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('forwarded_to', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('response_due', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_by_practice_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
    sa.UniqueConstraint('patient_id', 'idempotency_key', name='uq_escalations_patient_key'),
    sa.UniqueConstraint('reference', name=op.f('uq_escalations_reference'))
    )
    op.create_index(op.f('ix_escalations_asked_by'), 'escalations', ['asked_by'], unique=False)
    op.create_index(op.f('ix_escalations_patient_id'), 'escalations', ['patient_id'], unique=False)
    op.create_index('ix_escalations_status_urgency_created', 'escalations', ['status', 'urgency', 'created_at'], unique=False)
    op.create_table('explanation_feedback',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.Column('conversation_id', sa.String(length=128), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('glossary_key', sa.String(length=200), nullable=True),
    sa.Column('record_entry', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_explanation_feedback'))
    )
    op.create_index(op.f('ix_explanation_feedback_created_at'), 'explanation_feedback', ['created_at'], unique=False)
    op.create_index(op.f('ix_explanation_feedback_glossary_key'), 'explanation_feedback', ['glossary_key'], unique=False)
    op.create_index(op.f('ix_explanation_feedback_patient_id'), 'explanation_feedback', ['patient_id'], unique=False)
    op.create_table('escalation_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('escalation_id', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_events_escalation_id_escalations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_events'))
    )
    op.create_index(op.f('ix_escalation_events_escalation_id'), 'escalation_events', ['escalation_id'], unique=False)
    op.create_table('escalation_replies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('escalation_id', sa.String(length=32), nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.Column('author_id', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sent_by_sms', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_by_patient_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['escalation_id'], ['escalations.id'], name=op.f('fk_escalation_replies_escalation_id_escalations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation_replies'))
    )
    op.create_index(op.f('ix_escalation_replies_escalation_id'), 'escalation_replies', ['escalation_id'], unique=False)
    op.create_index(op.f('ix_escalation_replies_patient_id'), 'escalation_replies', ['patient_id'], unique=False)
    op.create_table('sms_outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.Column('reply_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['reply_id'], ['escalation_replies.id'], name=op.f('fk_sms_outbox_reply_id_escalation_replies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_outbox'))
    )
    op.create_index(op.f('ix_sms_outbox_patient_id'), 'sms_outbox', ['patient_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sms_outbox_patient_id'), table_name='sms_outbox')
    op.drop_table('sms_outbox')
    op.drop_index(op.f('ix_escalation_replies_patient_id'), table_name='escalation_replies')
    op.drop_index(op.f('ix_escalation_replies_escalation_id'), table_name='escalation_replies')
    op.drop_table('escalation_replies')
    op.drop_index(op.f('ix_escalation_events_escalation_id'), table_name='escalation_events')
    op.drop_table('escalation_events')
    op.drop_index(op.f('ix_explanation_feedback_patient_id'), table_name='explanation_feedback')
    op.drop_index(op.f('ix_explanation_feedback_glossary_key'), table_name='explanation_feedback')
    op.drop_index(op.f('ix_explanation_feedback_created_at'), table_name='explanation_feedback')
    op.drop_table('explanation_feedback')
    op.drop_index('ix_escalations_status_urgency_created', table_name='escalations')
    op.drop_index(op.f('ix_escalations_patient_id'), table_name='escalations')
    op.drop_index(op.f('ix_escalations_asked_by'), table_name='escalations')
    op.drop_table('escalations')
    op.drop_index(op.f('ix_chat_turns_patient_id'), table_name='chat_turns')
    op.drop_index(op.f('ix_chat_turns_created_at'), table_name='chat_turns')
    op.drop_index(op.f('ix_chat_turns_conversation_hash'), table_name='chat_turns')
    op.drop_table('chat_turns')
