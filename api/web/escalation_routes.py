"""Routes: escalations (patients and the bot), feedback, the patient's inbox, staff JSON actions.

Thin: parse, call :mod:`api.escalation.service`, format. Who may do what:

- the bot (service token + conversation grant) or a logged-in patient: create escalations, list
  their own, send feedback — always for the grant's / session's own patient, never a body field;
- staff (receptionist, clinician): the queue and every action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.accounts.principal import Principal
from api.escalation import service as esc_service
from api.escalation.models import Escalation
from api.services import Services, get_services
from api.web.deps import get_optional_principal, get_principal, get_session, require_staff

router = APIRouter(tags=["escalations"])


ServicesDep = Annotated[Services, Depends(get_services)]
SessionDep = Annotated[Session, Depends(get_session)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
StaffDep = Annotated[Principal, Depends(require_staff)]


@dataclass(frozen=True)
class Asker:
    """Who is asking the practice, about whose record."""

    patient_id: str
    user_id: str
    own_record: bool  # False for a proxy asking about someone else's record


def asker_of(principal: Principal) -> Asker:
    """The patient an escalation or feedback is about: the grant's, or the logged-in patient's.

    Raises:
        HTTPException: 403 for staff, or a proxy without a conversation grant (the patient id
            never comes from the request body).
    """
    if principal.grant_patient_id is not None:
        patient_id = principal.grant_patient_id
        return Asker(patient_id, principal.user_id, principal.patient_id == patient_id)
    if principal.role == "patient" and principal.patient_id:
        return Asker(principal.patient_id, principal.user_id, True)
    raise HTTPException(403, "Only a patient, or the assistant for its conversation, can do this.")


def _visible(session: Session, principal: Principal) -> list[Escalation]:
    """What this person may follow: a proxy signed in to the portal sees what they sent."""
    if principal.role == "proxy" and principal.grant_patient_id is None:
        return esc_service.escalations_asked_by(session, principal.user_id)
    asker = asker_of(principal)
    return esc_service.escalations_for_patient(session, asker.patient_id, user_id=asker.user_id,
                                               own_record=asker.own_record)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class TurnIn(BaseModel):
    sender: Literal["patient", "bot"]
    text: str = Field(max_length=4000)


class EntryIn(BaseModel):
    section: str = Field(max_length=40)
    id: str = Field(max_length=100)
    display: str | None = Field(default=None, max_length=300)


class EscalationIn(BaseModel):
    reason: Literal["red_flag", "clinical_question", "record_error", "unresolved"]
    urgency: Literal["urgent", "soon", "routine"]
    patient_words: str = Field(min_length=1, max_length=esc_service.MAX_WORDS_CHARS)
    transcript: list[TurnIn] = Field(default_factory=list,
                                     max_length=esc_service.MAX_TRANSCRIPT_TURNS)
    entries: list[EntryIn] = Field(default_factory=list, max_length=50)
    channel: Literal["portal", "sms"] = "portal"
    contact_preference: Literal["portal", "sms", "phone"] = "portal"
    idempotency_key: str = Field(min_length=1, max_length=200)


class FeedbackIn(BaseModel):
    helpful: bool
    glossary_key: str | None = Field(default=None, max_length=200)
    record_entry: str | None = Field(default=None, max_length=200)
    conversation_id: str = Field(min_length=1, max_length=128)


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=esc_service.MAX_REPLY_CHARS)
    send_sms: bool = False


class ForwardIn(BaseModel):
    to: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, max_length=1000)


class ResolveIn(BaseModel):
    outcome: str = Field(max_length=32)
    note: str | None = Field(default=None, max_length=1000)


class ReopenIn(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)


def _error(exc: esc_service.EscalationError) -> HTTPException:
    if isinstance(exc, esc_service.EscalationNotFound):
        return HTTPException(404, str(exc))
    if isinstance(exc, esc_service.InvalidTransition):
        return HTTPException(409, str(exc))
    return HTTPException(422, str(exc))


# --- patients and the bot ------------------------------------------------------------------------

@router.post("/api/escalations", status_code=201)
def create(body: EscalationIn, response: Response,
           principal: PrincipalDep,
           services: ServicesDep,
           session: SessionDep) -> dict[str, Any]:
    """Store an escalation (committed before this returns); a retry with the same key gets 200."""
    asker = asker_of(principal)
    request = esc_service.EscalationRequest(
        patient_id=asker.patient_id, asked_by=asker.user_id,
        **body.model_dump(exclude={"transcript", "entries"}),
        transcript=[t.model_dump() for t in body.transcript],
        entries=[e.model_dump() for e in body.entries],
    )
    try:
        result = esc_service.submit_escalation(session, request, policy=services.response_policy,
                                               notify=services.live.publish)
    except esc_service.EscalationError as exc:
        raise _error(exc) from exc
    if not result.created:
        response.status_code = 200
    esc = result.escalation
    return {"id": esc.id, "reference": esc.reference, "status": esc.status,
            "urgency": esc.urgency, "response_due": _iso(esc.response_due),
            "message_to_patient": esc_service.message_to_patient(esc, services.response_policy)}


def _patient_view(esc: Escalation) -> dict[str, Any]:
    return {
        "id": esc.id, "reference": esc.reference, "status": esc.status,
        "status_text": esc_service.patient_status_words(esc), "urgency": esc.urgency,
        "reason": esc.reason, "patient_words": esc.patient_words,
        "created_at": _iso(esc.created_at), "response_due": _iso(esc.response_due),
        "read_by_practice": esc.seen_by_practice_at is not None,
        "replies": [{"text": r.text, "created_at": _iso(r.created_at),
                     "read": r.read_by_patient_at is not None} for r in esc.replies],
    }


@router.get("/api/escalations/mine")
def mine(principal: PrincipalDep,
         session: SessionDep) -> dict[str, Any]:
    """The caller's own escalations, newest first, with the practice's replies."""
    return {"escalations": [_patient_view(e) for e in _visible(session, principal)]}


@router.post("/api/feedback", status_code=201)
def feedback(body: FeedbackIn, principal: PrincipalDep,
             session: SessionDep) -> dict[str, Any]:
    """Store "was this explanation helpful?"."""
    try:
        row = esc_service.record_feedback(session, esc_service.FeedbackRequest(
            patient_id=asker_of(principal).patient_id, **body.model_dump()))
    except esc_service.EscalationError as exc:
        raise _error(exc) from exc
    return {"id": row.id}


@router.get("/api/inbox")
def inbox(principal: PrincipalDep,
          session: SessionDep) -> dict[str, Any]:
    """The patient's messages from the practice (same shape as ``/mine``, plus an unread count)."""
    rows = _visible(session, principal)
    unread = sum(1 for e in rows for r in e.replies if r.read_by_patient_at is None)
    return {"unread": unread, "escalations": [_patient_view(e) for e in rows]}


@router.post("/api/inbox/read")
def inbox_read(principal: PrincipalDep,
               session: SessionDep) -> dict[str, int]:
    """Mark every reply as read."""
    rows = _visible(session, principal)
    return {"marked": esc_service.mark_replies_read(session, rows)}


@router.get("/inbox", response_class=HTMLResponse, include_in_schema=False, response_model=None)
def inbox_page(request: Request,
               principal: Annotated[Principal | None, Depends(get_optional_principal)],
               services: ServicesDep, session: SessionDep) -> Response:
    """The patient's accessible inbox page; opening it marks replies as read."""
    from api.web.dashboard_routes import templates

    if principal is None:
        return RedirectResponse("/login?next=/inbox", status_code=303)
    rows = _visible(session, principal)
    views = [_patient_view(e) for e in rows]  # taken before marking, so "New" still shows
    esc_service.mark_replies_read(session, rows)
    return templates(services).TemplateResponse(
        request, "inbox.html",
        {"escalations": views, "user_name": principal.display_name,
         "practice_name": services.settings.practice_name},
    )


# --- staff (JSON) --------------------------------------------------------------------------------

def staff_view(item: esc_service.QueueItem) -> dict[str, Any]:
    """A queue row or a detail, as JSON."""
    esc = item.escalation
    return {
        "id": esc.id, "reference": esc.reference, "patient_id": esc.patient_id,
        "reason": esc.reason, "urgency": esc.urgency, "status": esc.status,
        "claimed_by": esc.claimed_by, "forwarded_to": esc.forwarded_to,
        "patient_words": esc.patient_words, "transcript": esc.transcript,
        "entries": esc.entries, "channel": esc.channel,
        "contact_preference": esc.contact_preference, "outcome": esc.outcome,
        "created_at": _iso(esc.created_at), "response_due": _iso(esc.response_due),
        "first_response_at": _iso(esc.first_response_at), "resolved_at": _iso(esc.resolved_at),
        "sla": item.sla, "minutes_left": item.minutes_left,
    }


@router.get("/api/staff/escalations")
def staff_queue(_staff: StaffDep, session: SessionDep, urgency: str | None = None,
                reason: str | None = None, status: str | None = None) -> dict[str, Any]:
    """The queue: open escalations, most urgent first, then oldest first."""
    items = esc_service.queue(session, esc_service.QueueFilters(urgency, reason, status))
    return {"counts": esc_service.queue_counts(session),
            "escalations": [staff_view(i) for i in items]}


@router.get("/api/staff/escalations/{escalation_id}")
def staff_detail(escalation_id: str, staff: StaffDep,
                 session: SessionDep) -> dict[str, Any]:
    """One escalation with its audit trail and replies (opening it marks it read)."""
    try:
        esc = esc_service.mark_seen(session, escalation_id, staff.user_id)
    except esc_service.EscalationError as exc:
        raise _error(exc) from exc
    view = staff_view(esc_service.queue_item(esc))
    view["events"] = [{"actor": e.actor, "action": e.action, "from": e.from_status,
                       "to": e.to_status, "at": _iso(e.created_at)} for e in esc.events]
    view["replies"] = [{"text": r.text, "author": r.author_id, "sms": r.sent_by_sms,
                        "at": _iso(r.created_at), "read_by_patient_at": _iso(r.read_by_patient_at)}
                       for r in esc.replies]
    return view


def _act(action: str, escalation_id: str, staff: Principal, services: Services,
         session: Session, **kwargs: Any) -> dict[str, Any]:
    try:
        esc_service.perform(session, action, escalation_id, staff.user_id,
                            notify=services.live.publish, **kwargs)
        esc = esc_service.get_escalation(session, escalation_id)
    except esc_service.EscalationError as exc:
        raise _error(exc) from exc
    return staff_view(esc_service.queue_item(esc))


@router.post("/api/staff/escalations/{escalation_id}/claim")
def staff_claim(escalation_id: str, staff: StaffDep,
                services: ServicesDep,
                session: SessionDep) -> dict[str, Any]:
    """Claim it (refused with 409 when someone else has)."""
    return _act("claim", escalation_id, staff, services, session)


@router.post("/api/staff/escalations/{escalation_id}/reply")
def staff_reply(escalation_id: str, body: ReplyIn, staff: StaffDep,
                services: ServicesDep,
                session: SessionDep) -> dict[str, Any]:
    """Reply to the patient's inbox (and by SMS if ``send_sms``)."""
    return _act("reply", escalation_id, staff, services, session, text=body.text,
                send_sms=body.send_sms)


@router.post("/api/staff/escalations/{escalation_id}/forward")
def staff_forward(escalation_id: str, body: ForwardIn, staff: StaffDep,
                  services: ServicesDep,
                  session: SessionDep) -> dict[str, Any]:
    """Forward to a clinician."""
    return _act("forward", escalation_id, staff, services, session, to=body.to, note=body.note)


@router.post("/api/staff/escalations/{escalation_id}/resolve")
def staff_resolve(escalation_id: str, body: ResolveIn, staff: StaffDep,
                  services: ServicesDep,
                  session: SessionDep) -> dict[str, Any]:
    """Resolve with an outcome."""
    return _act("resolve", escalation_id, staff, services, session, outcome=body.outcome,
                note=body.note)


@router.post("/api/staff/escalations/{escalation_id}/reopen")
def staff_reopen(escalation_id: str, staff: StaffDep, services: ServicesDep,
                 session: SessionDep, body: ReopenIn | None = None) -> dict[str, Any]:
    """Reopen a resolved escalation."""
    return _act("reopen", escalation_id, staff, services, session,
                reason=body.reason if body else None)
