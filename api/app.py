"""The FastAPI application: built by :func:`create_app`, never at import time."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.web import STATIC_DIR
from api.web.limits import BodySizeLimit

MAX_BODY_BYTES = 5 * 1024 * 1024  # a FHIR bundle import may be a few MB; chat is far smaller


def create_app() -> FastAPI:
    """Assemble the routers of every area."""
    from api.web import (
        auth_routes,
        chat_routes,
        dashboard_routes,
        escalation_routes,
        portal_routes,
        record_routes,
        sms_routes,
    )

    app = FastAPI(
        title="plainrecord",
        version="0.1.0",
        description="Explains a patient's GP record in plain English.",
    )

    @app.exception_handler(StarletteHTTPException)
    async def _json_errors(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _json_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"where": ".".join(str(p) for p in e.get("loc", ())), "why": e.get("msg", "")}
                   for e in exc.errors()]
        return JSONResponse({"error": "The request is not valid.", "details": details},
                            status_code=422)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (auth_routes, record_routes, chat_routes, sms_routes, escalation_routes,
                   dashboard_routes, portal_routes):
        app.include_router(module.router)
    return app
