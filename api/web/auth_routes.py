"""Routes: logging in and out (a page and JSON), and who am I."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.accounts.service import authenticate, proxy_patients
from api.accounts.throttle import LoginThrottle
from api.services import Services, get_services
from api.web import TEMPLATES_DIR
from api.web.deps import Principal, clear_session, get_principal, get_session, start_session

router = APIRouter(tags=["auth"])
ServicesDep = Annotated[Services, Depends(get_services)]
SessionDep = Annotated[Session, Depends(get_session)]
BAD_LOGIN = "The username or password is not right. Please check them and try again."
LOCKED = ("There have been too many tries to log in as this user. Please wait 15 minutes and "
          "try again, or ask the practice to help.")


@lru_cache(maxsize=1)
def get_throttle() -> LoginThrottle:
    """The process's login throttle (built on first use; tests override it)."""
    return LoginThrottle()


ThrottleDep = Annotated[LoginThrottle, Depends(get_throttle)]


def _check(session: Session, throttle: LoginThrottle, username: str,
           password: str) -> tuple[User | None, str | None]:
    """The user, or None and why not (wrong details, or locked after repeated failures)."""
    if throttle.blocked(username):
        return None, LOCKED
    user = authenticate(session, username, password)
    if user is None:
        throttle.failed(username)
        return None, BAD_LOGIN
    throttle.succeeded(username)
    return user, None


def _templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(TEMPLATES_DIR))


class LoginIn(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=200)


class ProxyFor(BaseModel):
    patient_id: str
    given_name: str
    family_name: str
    relationship: str
    sections: list[str]


class MeOut(BaseModel):
    """The logged-in user."""

    user_id: str
    role: str
    display_name: str
    patient_id: str | None
    proxy_for: list[ProxyFor]


def _home(role: str) -> str:
    return "/dashboard" if role in ("receptionist", "clinician") else "/"


def _safe_next(target: str | None, role: str) -> str:
    # Only same-site paths: never redirect to another site after login.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return _home(role)


def _login_page(request: Request, services: Services, error: str | None, username: str = "",
                next_url: str = "", status: int = 200) -> HTMLResponse:
    from api.records.demo import DEMO_USERS

    demo = DEMO_USERS if services.settings.demo_mode else []
    return _templates().TemplateResponse(
        request, "login.html",
        {"practice_name": services.settings.practice_name, "error": error,
         "username": username, "next_url": next_url, "demo_users": demo},
        status_code=status)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, services: ServicesDep, next: str = "") -> HTMLResponse:
    """The login form."""
    return _login_page(request, services, None, next_url=next)


@router.post("/login", response_class=HTMLResponse, include_in_schema=False, response_model=None)
def login_form(request: Request, services: ServicesDep, session: SessionDep,
               throttle: ThrottleDep, username: Annotated[str, Form(max_length=100)] = "",
               password: Annotated[str, Form(max_length=200)] = "",
               next: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Log in from the form; on failure show the form again with the error announced."""
    user, error = _check(session, throttle, username, password)
    if user is None:
        status = 429 if error == LOCKED else 401
        return _login_page(request, services, error, username, next, status=status)
    response = RedirectResponse(_safe_next(next, user.role), status_code=303)
    start_session(response, services.settings, user.id, "portal")
    return response


@router.post("/api/login", response_model=MeOut,
             responses={401: {"description": "Wrong login"},
                        429: {"description": "Too many failed tries"}})
def login_json(body: LoginIn, response: Response, services: ServicesDep,
               session: SessionDep, throttle: ThrottleDep) -> MeOut:
    """Log in with JSON; sets the session cookie."""
    user, error = _check(session, throttle, body.username, body.password)
    if user is None:
        raise HTTPException(429 if error == LOCKED else 401, error)
    start_session(response, services.settings, user.id, "api")
    return MeOut(user_id=user.id, role=user.role, display_name=user.display_name,
                 patient_id=user.patient_id,
                 proxy_for=[ProxyFor(**p) for p in proxy_patients(session, user.id)])  # type: ignore[arg-type]


@router.post("/logout", include_in_schema=False)
def logout_form() -> RedirectResponse:
    """Log out and go back to the login page."""
    response = RedirectResponse("/login", status_code=303)
    clear_session(response)
    return response


@router.post("/api/logout", status_code=204)
def logout_json(response: Response) -> Response:
    """Log out (forget the session cookie)."""
    response.status_code = 204
    clear_session(response)
    return response


@router.get("/api/me", response_model=MeOut, responses={401: {"description": "Not logged in"}})
def me(principal: Annotated[Principal, Depends(get_principal)], session: SessionDep) -> MeOut:
    """Who is logged in, and whose records they may open."""
    return MeOut(user_id=principal.user_id, role=principal.role,
                 display_name=principal.display_name, patient_id=principal.patient_id,
                 proxy_for=[ProxyFor(**p) for p in proxy_patients(session, principal.user_id)])  # type: ignore[arg-type]
