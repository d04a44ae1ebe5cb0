"""A small client for Rasa's REST channel (``POST /webhooks/rest/webhook``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx


class RasaUnavailable(RuntimeError):
    """Rasa (or the action server behind it) did not answer."""


@dataclass(frozen=True)
class BotReply:
    """One message from the assistant, with optional quick-reply buttons and extra data."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None


def parse_replies(payload: Any) -> list[BotReply]:
    """Turn Rasa's REST response into replies, ignoring anything malformed."""
    replies: list[BotReply] = []
    if not isinstance(payload, list):
        return replies
    for item in payload:
        if not isinstance(item, dict):
            continue
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in item.get("buttons") or []
            if isinstance(b, dict)
        ]
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else None
        text = item.get("text")
        if text or buttons or custom:
            replies.append(BotReply(text=str(text or ""), buttons=buttons, custom=custom))
    return replies


class RasaClient:
    """Relays one message to Rasa and returns its replies."""

    def __init__(self, base_url: str, timeout: float, transport: httpx.BaseTransport | None = None):
        self._client = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        """Send a message as ``sender_id``.

        Raises:
            RasaUnavailable: when Rasa cannot be reached or answers with an error.
        """
        body = {"sender": sender_id, "message": text, "metadata": metadata}
        try:
            response = self._client.post("/webhooks/rest/webhook", json=body)
            response.raise_for_status()
            return parse_replies(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc

    def ready(self) -> bool:
        """Whether Rasa answers and has a model loaded."""
        try:
            return self._client.get("/status").status_code == 200
        except httpx.HTTPError:
            return False
