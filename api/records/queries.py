"""Reading a patient's record for one caller: only the sections and entries they may see."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, defer, selectinload

from api.records import schemas as s
from api.records.models import (
    SECTION_MODELS,
    SECTIONS,
    Consultation,
    ConsultationEntry,
    EntryMixin,
    Patient,
    Result,
)


@dataclass(frozen=True)
class RecordView:
    """What one caller may see of a record, at one moment.

    Attributes:
        sections: the sections they may read.
        include_hidden: clinicians only: show hidden and not-yet-released entries.
        now: the moment that decides whether a delayed entry is released.
    """

    sections: frozenset[str]
    include_hidden: bool = False
    now: datetime | None = None

    @property
    def at(self) -> datetime:
        return self.now or datetime.now(timezone.utc)


def get_patient(session: Session, patient_id: str) -> Patient | None:
    """The patient, or None."""
    return session.get(Patient, patient_id)


def _visible(stmt: Select[Any], model: type[EntryMixin], view: RecordView) -> Select[Any]:
    if view.include_hidden:
        return stmt
    return stmt.where(
        model.hidden.is_(False),
        or_(model.release_after.is_(None), model.release_after <= view.at),
    )


_ORDER: dict[str, Callable[[Any], Any]] = {
    "problems": lambda m: (m.status, m.onset.desc()),
    "medications": lambda m: (m.status.desc(), m.name),
    "results": lambda m: (m.effective.desc(), m.panel, m.name),
    "consultations": lambda m: (m.date.desc(),),
    "immunisations": lambda m: (m.date.desc(),),
}


def _code(row: EntryMixin) -> s.Code | None:
    if row.code is None and row.code_system is None:
        return None
    return s.Code(system=row.code_system, code=row.code, display=row.display)


def _out(section: str, row: Any, view: RecordView) -> BaseModel:
    common: dict[str, Any] = {"id": row.id, "code": _code(row), "display": row.display,
                              "sensitive": row.sensitive}
    if view.include_hidden:
        common |= {"hidden": row.hidden, "release_after": row.release_after}
    cls: type[BaseModel] = SECTION_SCHEMAS[section]
    fields = {name: getattr(row, name) for name in cls.model_fields
              if name not in common and name not in ("entries", "hidden", "release_after")}
    if section == "consultations":
        fields["entries"] = [
            s.ConsultationEntryOut(heading=c.heading, text=c.text)
            for c in row.entries if view.include_hidden or not c.hidden
        ]
    return cls(**common, **fields)


SECTION_SCHEMAS: dict[str, type[BaseModel]] = {
    "problems": s.ProblemOut, "medications": s.MedicationOut, "results": s.ResultOut,
    "allergies": s.AllergyOut, "immunisations": s.ImmunisationOut,
    "consultations": s.ConsultationOut, "referrals": s.ReferralOut,
    "documents": s.DocumentOut, "procedures": s.ProcedureOut,
}


def section_entries(
    session: Session, patient_id: str, section: str, view: RecordView
) -> list[BaseModel]:
    """One section of a record, as the caller may see it.

    Raises:
        KeyError: for an unknown section name.
    """
    model = SECTION_MODELS[section]
    # The raw FHIR is never returned: do not load (and JSON-decode) it.
    stmt = select(model).where(model.patient_id == patient_id).options(defer(model.raw))
    if model is Consultation:
        stmt = stmt.options(selectinload(Consultation.entries).defer(ConsultationEntry.raw))
    stmt = _visible(stmt, model, view)
    order = _ORDER.get(section)
    if order is not None:
        stmt = stmt.order_by(*order(model))
    return [_out(section, row, view) for row in session.scalars(stmt)]


def patient_out(patient: Patient) -> s.PatientOut:
    """Demographics as the API returns them."""
    return s.PatientOut(id=patient.id, nhs_number=str(patient.nhs_number),
                        given_name=patient.given_name, family_name=patient.family_name,
                        birth_date=patient.birth_date, mobile=patient.mobile,
                        practice=patient.practice)


def full_record(session: Session, patient: Patient, view: RecordView) -> s.RecordOut:
    """Every section the caller may see; the others are absent."""
    sections = {name: section_entries(session, patient.id, name, view)
                for name in SECTIONS if name in view.sections}
    return s.RecordOut.model_validate({"patient": patient_out(patient), **sections})


def result_history(session: Session, patient_id: str, view: RecordView) -> list[s.ResultSeries]:
    """One series per test and unit, oldest point first.

    A test is its code system + code (else its name). The unit is part of the key: values in
    different units (HbA1c in % and in mmol/mol) must never be drawn as one line.
    """
    stmt = select(Result).where(Result.patient_id == patient_id).options(defer(Result.raw))
    stmt = _visible(stmt, Result, view)
    stmt = stmt.order_by(Result.effective.asc(), Result.id)
    series: dict[tuple[Any, ...], s.ResultSeries] = {}
    for row in session.scalars(stmt):
        key = (row.code_system, row.code, row.unit) if row.code else (None, row.name, row.unit)
        item = series.get(key)
        if item is None:
            item = series[key] = s.ResultSeries(
                code=s.Code(system=row.code_system, code=row.code, display=row.display),
                name=row.name, unit=row.unit, points=[])
        item.points.append(s.HistoryPoint(
            effective=row.effective, value=row.value, value_text=row.value_text,
            range_low=row.range_low, range_high=row.range_high,
            abnormal_flag=row.abnormal_flag))
    return list(series.values())


def results_for_series(results: Iterable[s.ResultOut]) -> dict[tuple[Any, ...], list[s.ResultOut]]:
    """Results grouped per test, oldest first (for explaining a result against its history)."""
    grouped: dict[tuple[Any, ...], list[s.ResultOut]] = {}
    for r in sorted(results, key=lambda r: (r.effective is None, r.effective)):
        key = ((r.code.system, r.code.code, r.unit) if r.code and r.code.code
               else (None, r.name, r.unit))
        grouped.setdefault(key, []).append(r)
    return grouped


def section_or_none(view: RecordView, names: Sequence[str]) -> list[str]:
    """The named sections the view includes, in API order."""
    return [n for n in SECTIONS if n in names and n in view.sections]
