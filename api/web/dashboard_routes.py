"""Routes: the staff dashboard (server-rendered), its live updates (SSE) and practice numbers.

Every page works without JavaScript: the forms post and redirect back (post/redirect/get).
``dashboard.js`` adds live updates from ``GET /dashboard/events`` (Redis pub/sub relayed as
server-sent events); when Redis is down the stream says so and the page asks for a reload.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.principal import Principal
from api.audit.log import record_access
from api.escalation import metrics
from api.escalation import service as esc_service
from api.escalation.models import REASONS, STATUSES, URGENCIES, Escalation
from api.live import LiveUnavailable
from api.services import Services
from api.web import TEMPLATES_DIR
from api.web.deps import get_optional_principal
from api.web.escalation_routes import ServicesDep, SessionDep

router = APIRouter(tags=["dashboard"], include_in_schema=False)


def require_staff_page(
    request: Request, principal: Annotated[Principal | None, Depends(get_optional_principal)]
) -> Principal:
    """Staff only; anyone not signed in is sent to the login page and brought back after.

    Raises:
        HTTPException: 303 to ``/login`` when nobody is signed in; 403 for non-staff.
    """
    if principal is None:
        target = request.url.path if request.url.path != "/dashboard/events" else "/dashboard"
        raise HTTPException(303, "Please sign in.",
                            headers={"Location": "/login?" + urlencode({"next": target})})
    if not principal.is_staff:
        raise HTTPException(403, "Only practice staff can see the dashboard.")
    return principal


StaffPage = Annotated[Principal, Depends(require_staff_page)]
LONDON = ZoneInfo("Europe/London")
_CSRF_SALT = "plainrecord.dashboard.csrf.v1"
CSRF_MAX_AGE = 12 * 3600

URGENCY_WORDS = {"urgent": "Urgent", "soon": "Soon", "routine": "Routine"}
REASON_WORDS = {"red_flag": "Red flag", "clinical_question": "Clinical question",
                "record_error": "Possible record error", "unresolved": "Assistant could not help"}
STATUS_WORDS = {"new": "New", "claimed": "Claimed", "forwarded": "With a clinician",
                "replied": "Replied", "resolved": "Resolved"}
CHANNEL_WORDS = {"portal": "portal", "sms": "SMS"}
CONTACT_WORDS = {"portal": "Portal inbox", "sms": "Text message", "phone": "Phone call"}
ACTION_WORDS = {"created": "sent the question", "claim": "claimed it", "reply": "replied",
                "forward": "forwarded it to a clinician", "resolve": "resolved it",
                "reopen": "reopened it"}
DONE_WORDS = {"claim": "You have claimed this escalation.", "reply": "Your reply has been sent.",
              "forward": "Forwarded to a clinician.", "resolve": "Resolved.",
              "reopen": "Reopened. It is back in the queue."}


# --- presentation helpers ------------------------------------------------------------------------

def when(value: datetime | None) -> str:
    """A time as practice staff read it (UK time)."""
    if value is None:
        return ""
    return value.astimezone(LONDON).strftime("%-d %b %Y, %H:%M")


def when_iso(value: str | None) -> str:
    """An ISO timestamp as a patient reads it."""
    return when(datetime.fromisoformat(value)) if value else ""


def duration(minutes: int | None) -> str:
    """``95`` -> ``1 h 35 min``."""
    if minutes is None:
        return "–"
    minutes = abs(minutes)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def sla_words(item: esc_service.QueueItem) -> str:
    """The SLA state as a short phrase."""
    if item.sla == "overdue":
        return f"Overdue by {duration(item.minutes_left)}"
    if item.sla == "due_soon":
        return f"Due soon: {duration(item.minutes_left)} left"
    if item.sla == "on_time":
        return f"Due in {duration(item.minutes_left)}"
    return "Answered on time" if item.sla == "answered" else "Answered late"


def age_words(minutes: int) -> str:
    """How long ago it was sent."""
    return "just now" if minutes < 1 else f"{duration(minutes)} ago"


@lru_cache(maxsize=1)
def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.globals.update(
        urgency_words=URGENCY_WORDS, reason_words=REASON_WORDS, status_words=STATUS_WORDS,
        channel_words=CHANNEL_WORDS, contact_words=CONTACT_WORDS, action_words=ACTION_WORDS,
        outcomes=esc_service.OUTCOMES, urgencies=URGENCIES, reasons=REASONS, statuses=STATUSES,
        when=when, when_iso=when_iso, duration=duration, sla_words=sla_words, age_words=age_words,
        max_reply=esc_service.MAX_REPLY_CHARS,
    )
    return templates


def templates(services: Services) -> Jinja2Templates:
    """The dashboard's Jinja2 environment (built on first use)."""
    del services  # one environment per process; the argument keeps call sites explicit
    return _templates()


def _labels(session: Session, escalations: Iterable[Escalation]) -> dict[str, Callable[..., str]]:
    """Look up patients' and staff names for display (never logged)."""
    from api.accounts.models import User
    from api.records.models import Patient

    rows = list(escalations)
    patient_ids = {e.patient_id for e in rows}
    staff_ids = {x for e in rows for x in (e.claimed_by, e.forwarded_to) if x}
    staff_ids |= {ev.actor for e in rows if "events" in e.__dict__ for ev in e.events}
    staff_ids |= {r.author_id for e in rows if "replies" in e.__dict__ for r in e.replies}
    patients = {p.id: p for p in session.scalars(
        select(Patient).where(Patient.id.in_(patient_ids)))} if patient_ids else {}
    users = {u.id: u.display_name for u in session.scalars(
        select(User).where(User.id.in_(staff_ids)))} if staff_ids else {}

    def patient_label(patient_id: str) -> str:
        p = patients.get(patient_id)
        if p is None:
            return "Patient not found in the record store"
        born = f", born {p.birth_date}" if p.birth_date else ""
        return f"{p.given_name} {p.family_name} (NHS {p.nhs_number.formatted}{born})"

    def patient_phone(patient_id: str) -> str:
        p = patients.get(patient_id)
        return p.mobile or "" if p is not None else ""

    def staff_label(user_id: str) -> str:
        return users.get(user_id, user_id)

    return {"patient_label": patient_label, "patient_phone": patient_phone,
            "staff_label": staff_label}


def csrf_token(services: Services, staff: Principal) -> str:
    """A signed token tying a form to the signed-in staff member."""
    return URLSafeTimedSerializer(services.settings.secret_key, salt=_CSRF_SALT).dumps(
        staff.user_id)


def check_csrf(services: Services, staff: Principal, token: str) -> None:
    """Refuse a form that was not rendered for this staff member (cross-site posts).

    Raises:
        HTTPException: 403 when the token is missing, forged, stale or someone else's.
    """
    try:
        user_id = URLSafeTimedSerializer(services.settings.secret_key, salt=_CSRF_SALT).loads(
            token, max_age=CSRF_MAX_AGE)
    except BadSignature as exc:
        raise HTTPException(403, "This form has expired. Go back, reload and try again.") from exc
    if user_id != staff.user_id:
        raise HTTPException(403, "This form was not made for you. Reload and try again.")


def _page(request: Request, name: str, staff: Principal, services: Services,
          context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    context.update(staff_name=staff.display_name or staff.user_id, staff_role=staff.role,
                   practice_name=services.settings.practice_name)
    return templates(services).TemplateResponse(request, name, context, status_code=status_code)


def _filters(urgency: str | None, reason: str | None, status: str | None
             ) -> tuple[esc_service.QueueFilters, str]:
    filters = esc_service.QueueFilters(urgency or None, reason or None, status or None).cleaned()
    params = {k: v for k, v in (("urgency", filters.urgency), ("reason", filters.reason),
                                ("status", filters.status)) if v}
    return filters, ("?" + urlencode(params)) if params else ""


def _queue_context(session: Session, filters: esc_service.QueueFilters) -> dict[str, Any]:
    items = esc_service.queue(session, filters)
    return {"items": items, "counts": esc_service.queue_counts(session), "filters": filters,
            **_labels(session, [i.escalation for i in items])}


# --- pages ---------------------------------------------------------------------------------------

@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, staff: StaffPage, services: ServicesDep, session: SessionDep,
              urgency: str | None = None, reason: str | None = None,
              status: str | None = None) -> HTMLResponse:
    """The queue, with filters."""
    filters, query = _filters(urgency, reason, status)
    context = _queue_context(session, filters)
    context.update(section="queue", query=query)
    return _page(request, "dashboard.html", staff, services, context)


@router.get("/dashboard/queue", response_class=HTMLResponse)
def queue_fragment(request: Request, staff: StaffPage, services: ServicesDep,
                   session: SessionDep, urgency: str | None = None, reason: str | None = None,
                   status: str | None = None) -> HTMLResponse:
    """Just the queue (for live refresh)."""
    filters, _query = _filters(urgency, reason, status)
    return _page(request, "dashboard_queue.html", staff, services,
                 _queue_context(session, filters))


@router.get("/dashboard/escalations/{escalation_id}", response_class=HTMLResponse)
def item(request: Request, escalation_id: str, staff: StaffPage, services: ServicesDep,
         session: SessionDep, done: str | None = None) -> HTMLResponse:
    """One escalation: the patient's words, transcript, entries, history and the actions."""
    try:
        esc = esc_service.mark_seen(session, escalation_id, staff.user_id)
    except esc_service.EscalationNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    # Opening an item shows record entries and contact details: audited like any record read.
    record_access(session, user_id=staff.user_id, role=staff.role, patient_id=esc.patient_id,
                  section="escalation", channel="portal", outcome="allowed")
    session.commit()
    return _item_page(request, esc, staff, services, session, done=DONE_WORDS.get(done or ""))


def _item_page(request: Request, esc: Escalation, staff: Principal, services: Services,
               session: Session, *, done: str | None = None, error: str | None = None,
               status_code: int = 200) -> HTMLResponse:
    from api.accounts.models import User

    clinicians = [{"id": u.id, "name": u.display_name} for u in session.scalars(
        select(User).where(User.role == "clinician").order_by(User.display_name))]
    context: dict[str, Any] = {
        "e": esc, "item": esc_service.queue_item(esc), "section": "queue", "done": done,
        "error": error, "csrf": csrf_token(services, staff), "clinicians": clinicians,
        "can": lambda action: esc_service.can(action, esc.status),
        **_labels(session, [esc]),
    }
    return _page(request, "dashboard_item.html", staff, services, context, status_code)


@router.post("/dashboard/escalations/{escalation_id}/{action}", response_class=HTMLResponse)
def act(
    request: Request,
    escalation_id: str,
    action: str,
    staff: StaffPage,
    services: ServicesDep,
    session: SessionDep,
    csrf: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    send_sms: Annotated[str, Form()] = "",
    to: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Run one action from the item page's forms, then go back to the item (or show the error)."""
    check_csrf(services, staff, csrf)
    by_action: dict[str, dict[str, Any]] = {
        "claim": {}, "reply": {"text": text, "send_sms": bool(send_sms)},
        "forward": {"to": to or None, "note": note}, "resolve": {"outcome": outcome, "note": note},
        "reopen": {"reason": reason},
    }
    kwargs = by_action.get(action, {})
    try:
        esc_service.perform(session, action, escalation_id, staff.user_id,
                            notify=services.live.publish, **kwargs)
    except esc_service.EscalationNotFound as exc:
        raise HTTPException(404, str(exc)) from exc
    except esc_service.EscalationError as exc:
        session.rollback()
        esc = esc_service.get_escalation(session, escalation_id)
        code = 409 if isinstance(exc, esc_service.InvalidTransition) else 422
        return _item_page(request, esc, staff, services, session, error=str(exc),
                          status_code=code)
    return RedirectResponse(f"/dashboard/escalations/{escalation_id}?done={action}", 303)


@router.get("/dashboard/numbers", response_class=HTMLResponse)
def numbers(request: Request, staff: StaffPage, services: ServicesDep,
            session: SessionDep) -> HTMLResponse:
    """Use, escalations, response times and the unclear-explanations worklist."""
    context = {"n": metrics.practice_numbers(session), "section": "numbers"}
    return _page(request, "dashboard_numbers.html", staff, services, context)


# --- live updates --------------------------------------------------------------------------------

def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


@router.get("/dashboard/events")
async def events(request: Request, staff: StaffPage, services: ServicesDep) -> StreamingResponse:
    """Server-sent events: ``escalation`` for every change, ``offline`` when Redis is down."""
    del staff  # only signed-in staff may listen
    bus = services.live

    async def stream() -> AsyncIterator[str]:
        yield "retry: 5000\n\n"
        try:
            async for message in bus.listen(heartbeat_seconds=10.0):
                if message is None:
                    if await request.is_disconnected():
                        break
                    yield ": keep-alive\n\n"
                elif message.get("type") == "subscribed":
                    yield _sse("ready", {})
                else:
                    yield _sse("escalation", message)
        except LiveUnavailable:
            # Ask the browser to retry less often, and tell the page to offer a reload.
            yield "retry: 30000\n\n"
            yield _sse("offline", {"reason": "live updates unavailable"})

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
