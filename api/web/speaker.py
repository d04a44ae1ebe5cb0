"""Which record a chat is about: the person's own, or one they hold proxy access to."""

from __future__ import annotations

from fastapi import HTTPException
from sqlalchemy.orm import Session

from api.accounts.principal import Principal
from api.chat.service import Speaker
from api.records.queries import get_patient


def speaker_for(session: Session, principal: Principal, patient_id: str | None) -> Speaker:
    """Resolve the record a patient or proxy is chatting about.

    Raises:
        HTTPException: 403 when the person may not read that record (staff do not chat as
            patients), 404 when there is no such patient.
    """
    if principal.is_staff or principal.is_service:
        raise HTTPException(403, "Only patients and their proxies can chat about a record.")
    target = patient_id or principal.patient_id or next(iter(principal.proxy), None)
    if target is None or not principal.can_read(target, "record"):
        raise HTTPException(403, "You do not have access to that record.")
    patient = get_patient(session, target)
    if patient is None:
        raise HTTPException(404, "No such patient.")
    first_name = patient.given_name.split()[0] if patient.given_name else None
    is_proxy = target != principal.patient_id
    return Speaker(user_id=principal.user_id, patient_id=target, proxy=is_proxy,
                   patient_first_name=first_name)
