"""The FastAPI application: built by :func:`create_app`, never at import time."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.web import STATIC_DIR


def create_app() -> FastAPI:
    """Assemble the routers of every area."""
    from api.web import chat_routes, escalation_routes, portal_routes, record_routes, sms_routes

    app = FastAPI(
        title="plainrecord",
        version="0.1.0",
        description="Explains a patient's GP record in plain English.",
    )

    @app.exception_handler(StarletteHTTPException)
    async def _json_errors(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (record_routes, chat_routes, sms_routes, escalation_routes, portal_routes):
        app.include_router(module.router)
    return app
