"""The stored GP record: a patient and the sections of their record.

Every entry keeps the code system, code and display exactly as the GP system sent them, the raw
FHIR resource it came from, and the practice's release controls (hidden from online view, or
held back until ``release_after``). Entries are keyed by patient + FHIR resource type + FHIR id
(or identifier), so importing the same bundle twice changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from api.db import Base, UtcDateTime, utcnow
from api.records.nhs_number import NhsNumber


def new_id() -> str:
    """A new random primary key (UUID4 as text)."""
    return str(uuid.uuid4())




class NhsNumberType(TypeDecorator[NhsNumber]):
    """Stores an :class:`NhsNumber` as its 10 digits; refuses anything that is not valid."""

    impl = String(10)
    cache_ok = True

    def process_bind_param(self, value: NhsNumber | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return NhsNumber(value).value if isinstance(value, str) else value.value

    def process_result_value(self, value: str | None, dialect: Dialect) -> NhsNumber | None:
        return None if value is None else NhsNumber(value)


class Patient(Base):
    """A registered patient."""

    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    nhs_number: Mapped[NhsNumber] = mapped_column(NhsNumberType(), unique=True)
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    mobile: Mapped[str | None] = mapped_column(String(32))
    practice: Mapped[str | None] = mapped_column(String(200))
    source_id: Mapped[str | None] = mapped_column(String(200))
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class EntryMixin:
    """Columns every record entry has: identity, coding as sent, raw FHIR, release controls."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    source_type: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(200))
    code_system: Mapped[str | None] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(64))
    display: Mapped[str | None] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Release controls: hidden entries never reach a patient or proxy; delayed ones wait.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    release_after: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    @declared_attr
    def patient_id(cls) -> Mapped[str]:
        return mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (
            UniqueConstraint(
                "patient_id", "source_type", "source_id",
                name=f"uq_{cls.__tablename__}_source",  # type: ignore[attr-defined]
            ),
        )


class Problem(EntryMixin, Base):
    """A problem (diagnosis) on the problem list."""

    __tablename__ = "problems"

    status: Mapped[str] = mapped_column(String(10))  # active | past
    significant: Mapped[bool] = mapped_column(Boolean, default=False)
    onset: Mapped[str | None] = mapped_column(String(32))
    ended: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)


class Consultation(EntryMixin, Base):
    """A consultation (encounter) and its free-text entries."""

    __tablename__ = "consultations"

    date: Mapped[datetime | None] = mapped_column(UtcDateTime())
    kind: Mapped[str | None] = mapped_column(String(200))
    clinician: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    entries: Mapped[list[ConsultationEntry]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan",
        order_by="ConsultationEntry.position", lazy="selectin",
    )


class ConsultationEntry(Base):
    """One free-text line of a consultation, as the clinician typed it."""

    __tablename__ = "consultation_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[str] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(String(200))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    consultation: Mapped[Consultation] = relationship(back_populates="entries")


class Result(EntryMixin, Base):
    """One test result value (a blood pressure gives two: systolic and diastolic)."""

    __tablename__ = "results"

    name: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    value_text: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(64))
    range_low: Mapped[float | None] = mapped_column(Float)
    range_high: Mapped[float | None] = mapped_column(Float)
    range_text: Mapped[str | None] = mapped_column(String(200))
    abnormal_flag: Mapped[str | None] = mapped_column(String(2))
    effective: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    panel: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)


class Medication(EntryMixin, Base):
    """A medicine: repeat, acute, or past."""

    __tablename__ = "medications"

    name: Mapped[str] = mapped_column(Text)
    dose: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10))  # repeat | acute | past
    started: Mapped[str | None] = mapped_column(String(32))
    last_issued: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)


class Allergy(EntryMixin, Base):
    """An allergy or intolerance."""

    __tablename__ = "allergies"

    kind: Mapped[str | None] = mapped_column(String(20))  # allergy | intolerance
    status: Mapped[str | None] = mapped_column(String(20))
    reaction: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str | None] = mapped_column(String(20))
    recorded: Mapped[str | None] = mapped_column(String(32))


class Immunisation(EntryMixin, Base):
    """A vaccination given (or recorded as not given)."""

    __tablename__ = "immunisations"

    date: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(20))
    dose_number: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)


class Procedure(EntryMixin, Base):
    """An operation or procedure."""

    __tablename__ = "procedures"

    date: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)


class Referral(EntryMixin, Base):
    """A referral to another service (a two-week-wait referral is marked urgent)."""

    __tablename__ = "referrals"

    date: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[str | None] = mapped_column(String(20))
    service: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class Document(EntryMixin, Base):
    """A letter or report attached to the record (metadata only)."""

    __tablename__ = "documents"

    title: Mapped[str] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(32))
    author: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ImportIssue(Base):
    """An entry the importer could not store, kept raw with the reason."""

    __tablename__ = "import_issues"
    __table_args__ = (
        UniqueConstraint("bundle_hash", "entry_index", name="uq_import_issues_entry"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bundle_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(Text)
    entry_index: Mapped[int] = mapped_column(Integer)
    resource_type: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


SECTION_MODELS: dict[str, type[EntryMixin]] = {
    "problems": Problem,
    "medications": Medication,
    "results": Result,
    "allergies": Allergy,
    "immunisations": Immunisation,
    "consultations": Consultation,
    "referrals": Referral,
    "documents": Document,
    "procedures": Procedure,
}
"""Each record section and the table it lives in (the order the API returns them)."""

SECTIONS: tuple[str, ...] = tuple(SECTION_MODELS)
