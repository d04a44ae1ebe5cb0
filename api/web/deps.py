"""Authentication dependencies: who is calling, and may they read this record?

Two ways in:

- a person: the signed session cookie set by ``/login`` or ``/api/login``;
- the action server: ``Authorization: Bearer <service token>`` plus ``X-Conversation-Grant``
  (see docs/CONTRACTS.md). It is served only for the grant's patient, and only the sections the
  grant's user may see.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from api.accounts.grants import GrantError, verify_grant
from api.accounts.principal import Principal
from api.accounts.service import load_principal, principal_for_grant
from api.audit.log import record_access
from api.records.models import Patient
from api.records.queries import RecordView, get_patient
from api.services import Services, get_services
from api.settings import Settings

__all__ = [
    "SESSION_COOKIE",
    "Principal",
    "clear_session",
    "get_optional_principal",
    "get_principal",
    "get_session",
    "require_patient_access",
    "require_staff",
    "start_session",
]

SESSION_COOKIE = "plainrecord_session"
SESSION_MAX_AGE = 12 * 3600
_SESSION_SALT = "plainrecord.session.v1"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=_SESSION_SALT)


def start_session(response: Response, settings: Settings, user_id: str, channel: str) -> None:
    """Set the signed session cookie (httponly, samesite=lax; secure outside demo mode)."""
    token = _serializer(settings).dumps({"uid": user_id, "ch": channel})
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_MAX_AGE, httponly=True,
                        samesite="lax", secure=not settings.demo_mode, path="/")


def clear_session(response: Response) -> None:
    """Forget the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/")


def get_session(services: Annotated[Services, Depends(get_services)]) -> Iterator[Session]:
    """One database session per request (the work done through it commits itself)."""
    with services.db.sessions() as session:
        yield session


def _service_principal(request: Request, services: Services, auth: str) -> Principal:
    scheme, _, token = auth.partition(" ")
    expected = services.settings.service_token
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(401, "The service token is not valid.")
    try:
        grant = verify_grant(services.settings.secret_key,
                             request.headers.get("x-conversation-grant"),
                             services.settings.grant_ttl_seconds)
    except GrantError as exc:
        raise HTTPException(401, str(exc)) from exc
    with services.db.sessions() as session:
        principal = principal_for_grant(session, grant)
    if principal is None:
        raise HTTPException(401, "The conversation's user no longer exists.")
    return principal


def get_optional_principal(
    request: Request, services: Annotated[Services, Depends(get_services)]
) -> Principal | None:
    """The caller, or None when nobody is logged in (for pages that redirect to /login)."""
    auth = request.headers.get("authorization")
    if auth:
        return _service_principal(request, services, auth)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        data = _serializer(services.settings).loads(cookie, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    with services.db.sessions() as session:
        return load_principal(session, str(data.get("uid")), str(data.get("ch", "portal")))


def get_principal(
    principal: Annotated[Principal | None, Depends(get_optional_principal)],
) -> Principal:
    """The caller; 401 when nobody is logged in."""
    if principal is None:
        raise HTTPException(401, "Please log in.")
    return principal


def require_staff(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """Practice staff only (a receptionist or clinician, not through a conversation grant)."""
    if not principal.is_staff:
        raise HTTPException(403, "Only practice staff can do this.")
    return principal


def require_patient_access(
    session: Session, principal: Principal, patient_id: str, section: str
) -> Patient:
    """Check (and audit) that the caller may read a section of a patient's record.

    Args:
        session: the request's database session (the audit row is committed here).
        principal: the caller.
        patient_id: whose record.
        section: a record section, or ``record``, ``results/history``, ``record/explained``,
            ``audit``.

    Returns:
        The patient.

    Raises:
        HTTPException: 404 when there is no such patient; 403 (audited) when the caller may not
            read it.
    """
    patient = get_patient(session, patient_id)
    if patient is None:
        raise HTTPException(404, "No record was found for that patient.")
    allowed = (principal.can_read_audit(patient_id) if section == "audit"
               else principal.can_read(patient_id, section))
    record_access(session, user_id=principal.user_id, role=principal.role,
                  patient_id=patient_id, section=section, channel=principal.channel,
                  outcome="allowed" if allowed else "denied")
    session.commit()
    if not allowed:
        raise HTTPException(403, "You do not have access to this part of that record.")
    return patient


def record_view(principal: Principal, patient_id: str) -> RecordView:
    """What this caller may see of this patient's record, now."""
    return RecordView(sections=principal.sections_for(patient_id),
                      include_hidden=principal.include_hidden)
