"""The action server's HTTP client for plainrecord's API (record, escalations, feedback).

Every call carries the service token and the conversation grant (docs/CONTRACTS.md): the API
serves only the patient the grant names. Nothing is built at import time: the ``httpx.Client``
comes from a factory on first use, and tests swap the factory for FastAPI's ``TestClient``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_API_URL = "http://127.0.0.1:8000"
DEMO_SERVICE_TOKEN = "demo-only-not-secret"  # noqa: S105 - the API refuses it outside demo mode
TIMEOUT_SECONDS = 10.0

SECTIONS = (
    "problems", "medications", "results", "allergies", "immunisations", "consultations",
    "referrals", "documents", "procedures",
)


class RecordApiError(RuntimeError):
    """A call to the API failed; the subclasses say how."""


class GrantRejected(RecordApiError):
    """401: the conversation grant is missing, forged or expired."""


class Forbidden(RecordApiError):
    """403: this conversation may not see that (another patient, or a section a proxy can't)."""


class NotFound(RecordApiError):
    """404: no such thing."""


class ApiUnavailable(RecordApiError):
    """The API could not be reached, or failed (5xx, or an answer that is not JSON)."""


HttpFactory = Callable[[], httpx.Client]


def _default_http() -> httpx.Client:
    base_url = os.environ.get("PLAINRECORD_API_URL", DEFAULT_API_URL)
    return httpx.Client(base_url=base_url, timeout=TIMEOUT_SECONDS)


_factory: HttpFactory = _default_http
_http: httpx.Client | None = None


def set_http_factory(factory: HttpFactory | None) -> None:
    """Use ``factory`` to build the HTTP client from now on (tests pass a ``TestClient``).

    Args:
        factory: builds an ``httpx.Client`` whose base URL is the API; ``None`` restores the
            default (``PLAINRECORD_API_URL``).
    """
    global _factory, _http
    _factory = factory or _default_http
    _http = None


def http_client() -> httpx.Client:
    """The shared HTTP client, built on first use."""
    global _http
    if _http is None:
        _http = _factory()
    return _http


def service_token() -> str:
    """The action server's service token (``PLAINRECORD_SERVICE_TOKEN``)."""
    return os.environ.get("PLAINRECORD_SERVICE_TOKEN", DEMO_SERVICE_TOKEN)


@dataclass(frozen=True)
class RecordClient:
    """The API as one conversation may use it: one patient, one grant."""

    http: httpx.Client
    grant: str
    patient_id: str

    def _request(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {service_token()}",
                   "X-Conversation-Grant": self.grant}
        try:
            response = self.http.request(method, path, headers=headers, json=json)
        except httpx.HTTPError as exc:
            raise ApiUnavailable(type(exc).__name__) from exc
        if response.status_code == 401:
            raise GrantRejected(path)
        if response.status_code == 403:
            raise Forbidden(path)
        if response.status_code == 404:
            raise NotFound(path)
        if response.status_code >= 400:
            raise ApiUnavailable(f"{response.status_code} on {method} {path}")
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiUnavailable(f"not JSON from {method} {path}") from exc

    def record(self) -> dict[str, Any]:
        """The whole record: only the sections this conversation may see are present."""
        data = self._request("GET", f"/api/patients/{self.patient_id}/record")
        return data if isinstance(data, dict) else {}

    def section(self, name: str) -> list[dict[str, Any]]:
        """One section's entries (``medications``, ``results``...).

        Raises:
            Forbidden: the conversation may not see this section.
        """
        data = self._request("GET", f"/api/patients/{self.patient_id}/{name}")
        return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []

    def results_history(self) -> list[dict[str, Any]]:
        """One series per test, oldest point first."""
        data = self._request("GET", f"/api/patients/{self.patient_id}/results/history")
        return [s for s in data if isinstance(s, dict)] if isinstance(data, list) else []

    def create_escalation(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue a question for the practice; returns what the API says to tell the patient."""
        data = self._request("POST", "/api/escalations", json=body)
        return data if isinstance(data, dict) else {}

    def my_escalations(self) -> list[dict[str, Any]]:
        """The patient's escalations with their status and replies."""
        data = self._request("GET", "/api/escalations/mine")
        if isinstance(data, dict):  # tolerate {"escalations": [...]}
            data = data.get("escalations", data.get("items", []))
        return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []

    def send_feedback(self, body: dict[str, Any]) -> None:
        """Record whether an explanation helped."""
        self._request("POST", "/api/feedback", json=body)
