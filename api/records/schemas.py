"""The record API's response shapes (pydantic), shared by the queries and the routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Code(BaseModel):
    """A code exactly as the GP system sent it."""

    system: str | None
    code: str | None
    display: str | None


class EntryOut(BaseModel):
    """Fields every entry has."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    code: Code | None = None
    display: str | None = None
    sensitive: bool = False
    # Only ever true for clinicians (patients and proxies never receive hidden entries).
    hidden: bool = False
    release_after: datetime | None = None


class PatientOut(BaseModel):
    """Who the record belongs to."""

    id: str
    nhs_number: str
    given_name: str
    family_name: str
    birth_date: str | None
    mobile: str | None
    practice: str | None


class ProblemOut(EntryOut):
    status: Literal["active", "past"]
    significant: bool
    onset: str | None
    ended: str | None = None
    notes: str | None


class ConsultationEntryOut(BaseModel):
    heading: str | None
    text: str


class ConsultationOut(EntryOut):
    date: datetime | None
    kind: str | None
    clinician: str | None
    location: str | None
    entries: list[ConsultationEntryOut]


class ResultOut(EntryOut):
    name: str
    value: float | None
    value_text: str | None
    unit: str | None
    range_low: float | None
    range_high: float | None
    range_text: str | None
    abnormal_flag: Literal["H", "L", "HH", "LL", "A", "N"] | None
    effective: datetime | None
    panel: str | None
    comment: str | None


class MedicationOut(EntryOut):
    name: str
    dose: str | None
    quantity: str | None = None
    status: Literal["repeat", "acute", "past"]
    started: str | None
    last_issued: str | None
    reason: str | None = None


class AllergyOut(EntryOut):
    kind: str | None
    status: str | None
    reaction: str | None
    severity: str | None
    recorded: str | None


class ImmunisationOut(EntryOut):
    date: str | None
    status: str | None
    dose_number: str | None
    notes: str | None


class ProcedureOut(EntryOut):
    date: str | None
    status: str | None
    notes: str | None


class ReferralOut(EntryOut):
    date: str | None
    status: str | None
    priority: str | None
    service: str | None
    reason: str | None
    notes: str | None


class DocumentOut(EntryOut):
    title: str
    date: str | None
    author: str | None
    description: str | None
    content_type: str | None
    url: str | None


class RecordOut(BaseModel):
    """A patient's record; sections the caller may not see are absent (not empty)."""

    model_config = ConfigDict(json_schema_extra={"description": "Absent sections are not visible."})

    patient: PatientOut
    problems: list[ProblemOut] | None = None
    medications: list[MedicationOut] | None = None
    results: list[ResultOut] | None = None
    allergies: list[AllergyOut] | None = None
    immunisations: list[ImmunisationOut] | None = None
    consultations: list[ConsultationOut] | None = None
    referrals: list[ReferralOut] | None = None
    documents: list[DocumentOut] | None = None
    procedures: list[ProcedureOut] | None = None


class HistoryPoint(BaseModel):
    effective: datetime | None
    value: float | None
    value_text: str | None = None
    range_low: float | None
    range_high: float | None
    abnormal_flag: str | None


class ResultSeries(BaseModel):
    """One test's results over time, oldest first."""

    code: Code
    name: str
    unit: str | None
    points: list[HistoryPoint]


class ExplanationOut(BaseModel):
    """A glossary explanation (the glossary may add fields; they are passed through)."""

    model_config = ConfigDict(extra="allow")

    title: str | None = None
    text: str | None = None


class ExplainedEntry(BaseModel):
    """An entry (as in the plain record) with its explanation, if the glossary has one."""

    model_config = ConfigDict(extra="allow")

    id: str
    explanation: ExplanationOut | None = None
    terms: list[list[dict[str, Any]]] | None = Field(
        default=None, description="Consultations: glossary terms found in each line")


class ExplainedRecordOut(BaseModel):
    """The record with a plain-English explanation attached to each entry."""

    patient: PatientOut
    problems: list[ExplainedEntry] | None = None
    medications: list[ExplainedEntry] | None = None
    results: list[ExplainedEntry] | None = None
    allergies: list[ExplainedEntry] | None = None
    immunisations: list[ExplainedEntry] | None = None
    consultations: list[ExplainedEntry] | None = None
    referrals: list[ExplainedEntry] | None = None
    documents: list[ExplainedEntry] | None = None
    procedures: list[ExplainedEntry] | None = None


class AuditEventOut(BaseModel):
    """One view of the record (ids only; ``viewer`` says who in words)."""

    at: datetime
    viewer: str = Field(description="'you', 'your proxy', 'practice staff' or 'assistant'")
    user_id: str | None
    role: str
    section: str
    channel: str
    outcome: str


class ImportIssueOut(BaseModel):
    index: int
    resource_type: str | None
    reason: str


class ImportReportOut(BaseModel):
    """What an import did."""

    source: str | None
    patients: list[str]
    created: int
    updated: int
    unchanged: int
    issues: list[ImportIssueOut]


def entry_dump(model: BaseModel) -> dict[str, Any]:
    """An entry as a plain dict (for attaching explanations)."""
    return model.model_dump(mode="json")
