"""Routes: the record API (see docs/CONTRACTS.md). Thin: check access (audited), query, return."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.audit.log import events_for_patient, viewer_words
from api.records import queries
from api.records import schemas as s
from api.records.explain import explain_record
from api.records.importer import BundleError, import_bundle
from api.services import Services, get_services
from api.web.deps import (
    Principal,
    get_principal,
    get_session,
    record_view,
    require_patient_access,
    require_staff,
)

router = APIRouter(tags=["record"])

PrincipalDep = Annotated[Principal, Depends(get_principal)]
SessionDep = Annotated[Session, Depends(get_session)]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in"}, 403: {"description": "Not your record (audited)"},
    404: {"description": "No such patient"},
}
PREFIX = "/api/patients/{patient_id}"


def json_response(value: BaseModel | list[BaseModel]) -> Response:
    """Serialise once, leaving out absent sections (the response model still documents it).

    Returning a ``Response`` skips FastAPI's second validation of the same data, which for a
    1,000-entry record costs more than the query.
    """
    if isinstance(value, BaseModel):
        body = value.model_dump_json(exclude_unset=True)
    else:
        body = "[" + ",".join(v.model_dump_json(exclude_unset=True) for v in value) + "]"
    return Response(content=body, media_type="application/json")


@router.get(f"{PREFIX}/record", response_model=s.RecordOut, responses=ERRORS,
            response_model_exclude_unset=True)
def record(patient_id: str, principal: PrincipalDep, session: SessionDep) -> Response:
    """The whole record; sections the caller may not see are absent."""
    patient = require_patient_access(session, principal, patient_id, "record")
    return json_response(queries.full_record(session, patient, record_view(principal, patient_id)))


@router.get(f"{PREFIX}/record/explained", response_model=s.ExplainedRecordOut,
            responses={**ERRORS, 503: {"description": "The glossary is not available"}},
            response_model_exclude_unset=True)
def record_explained(patient_id: str, principal: PrincipalDep, session: SessionDep,
                     services: Annotated[Services, Depends(get_services)]) -> Response:
    """The record with a plain-English explanation attached to each entry."""
    patient = require_patient_access(session, principal, patient_id, "record/explained")
    try:
        glossary = services.glossary
    except Exception as exc:  # any failure to build it: say so rather than half-explain
        raise HTTPException(503, "Explanations are not available right now.") from exc
    full = queries.full_record(session, patient, record_view(principal, patient_id))
    return json_response(explain_record(full, glossary))


@router.get(f"{PREFIX}/results/history", response_model=list[s.ResultSeries], responses=ERRORS)
def results_history(patient_id: str, principal: PrincipalDep,
                    session: SessionDep) -> list[s.ResultSeries]:
    """One series per test, oldest first."""
    require_patient_access(session, principal, patient_id, "results/history")
    return queries.result_history(session, patient_id, record_view(principal, patient_id))


@router.get(f"{PREFIX}/audit", response_model=list[s.AuditEventOut], responses=ERRORS)
def audit(patient_id: str, principal: PrincipalDep, session: SessionDep) -> list[s.AuditEventOut]:
    """Who viewed this record (the patient themselves, or staff)."""
    require_patient_access(session, principal, patient_id, "audit")
    return [s.AuditEventOut(at=e.at, viewer=viewer_words(e.role, e.channel), user_id=e.user_id,
                            role=e.role, section=e.section, channel=e.channel, outcome=e.outcome)
            for e in events_for_patient(session, patient_id)]


def _section_route(section: str) -> Callable[..., Response]:
    def read_section(patient_id: str, principal: PrincipalDep, session: SessionDep) -> Response:
        require_patient_access(session, principal, patient_id, section)
        return json_response(queries.section_entries(session, patient_id, section,
                                                     record_view(principal, patient_id)))

    read_section.__doc__ = f"The {section} section of the record."
    read_section.__name__ = f"read_{section}"
    return read_section


for _name, _schema in queries.SECTION_SCHEMAS.items():
    router.add_api_route(f"{PREFIX}/{_name}", _section_route(_name), methods=["GET"],
                         response_model=list[_schema],  # type: ignore[valid-type]
                         response_model_exclude_unset=True, responses=ERRORS)


@router.post("/api/records/import", response_model=s.ImportReportOut,
             responses={401: ERRORS[401], 403: {"description": "Staff only"}}, tags=["import"])
def import_record(bundle: Annotated[dict[str, Any], Body(description="A FHIR Bundle")],
                  staff: Annotated[Principal, Depends(require_staff)],
                  session: SessionDep) -> s.ImportReportOut:
    """Import one FHIR bundle (R4, or a GP Connect STU3 structured record). Staff only."""
    try:
        report = import_bundle(session, bundle, source="api")
    except BundleError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return s.ImportReportOut(
        source=report.source, patients=report.patients, created=report.created,
        updated=report.updated, unchanged=report.unchanged,
        issues=[s.ImportIssueOut(index=i.index, resource_type=i.resource_type, reason=i.reason)
                for i in report.issues])
