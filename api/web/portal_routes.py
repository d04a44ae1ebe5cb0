"""Routes: the patient portal's pages (the chat, and who viewed my record)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api.accounts.principal import Principal
from api.accounts.service import proxy_patients
from api.audit.log import events_for_patient, viewer_words
from api.services import Services, get_services
from api.web import TEMPLATES_DIR
from api.web.deps import get_optional_principal, get_session
from api.web.speaker import speaker_for

router = APIRouter(include_in_schema=False)
ServicesDep = Annotated[Services, Depends(get_services)]
MaybePrincipal = Annotated[Principal | None, Depends(get_optional_principal)]


def _templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(TEMPLATES_DIR))


def _subjects(session: Session, principal: Principal) -> list[dict[str, Any]]:
    subjects: list[dict[str, Any]] = []
    if principal.patient_id:
        subjects.append({"patient_id": principal.patient_id, "label": "My own record"})
    for p in proxy_patients(session, principal.user_id):
        subjects.append({"patient_id": p["patient_id"],
                         "label": f"{p['given_name']} {p['family_name']} ({p['relationship']})"})
    return subjects


@router.get("/", response_class=HTMLResponse, response_model=None)
def portal(request: Request, services: ServicesDep, principal: MaybePrincipal,
           session: Annotated[Session, Depends(get_session)],
           patient: str | None = None) -> Response:
    """The chat page; people who are not logged in go to the login page first."""
    if principal is None:
        return RedirectResponse("/login?next=/", status_code=303)
    if principal.is_staff:
        return RedirectResponse("/dashboard", status_code=303)
    speaker = speaker_for(session, principal, patient)
    subject = {"patient_id": speaker.patient_id, "proxy": speaker.proxy,
               "first_name": speaker.patient_first_name}
    return _templates().TemplateResponse(request, "portal.html", {
        "practice_name": services.settings.practice_name, "user_name": principal.display_name,
        "subject": subject, "subjects": _subjects(session, principal),
        "max_chars": services.settings.max_message_chars,
    })


@router.get("/record-views", response_class=HTMLResponse, response_model=None)
def record_views(request: Request, services: ServicesDep, principal: MaybePrincipal,
                 session: Annotated[Session, Depends(get_session)]) -> Response:
    """Who has viewed the patient's own record, newest first."""
    if principal is None:
        return RedirectResponse("/login?next=/record-views", status_code=303)
    if not principal.patient_id:
        return RedirectResponse("/", status_code=303)
    views = [{"at": e.at, "who": viewer_words(e.role, e.channel), "section": e.section,
              "allowed": e.outcome == "allowed"}
             for e in events_for_patient(session, principal.patient_id, limit=200)]
    return _templates().TemplateResponse(request, "record_views.html", {
        "practice_name": services.settings.practice_name, "user_name": principal.display_name,
        "views": views,
    })
