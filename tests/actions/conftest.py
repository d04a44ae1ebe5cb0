"""Fixtures for the action tests: the real record API (``tests/api/conftest.py``'s app on a
fresh SQLite database with the demo patients) behind the action server's HTTP client, and a
helper that runs an action with rasa-sdk's real ``Tracker`` and ``CollectingDispatcher``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from api.services import Services
from bot.actions import record_client
from tests.api import conftest as api_fixtures

# The API tests' fixtures (demo database, app, grants), shared rather than rebuilt.
_demo_template = api_fixtures._demo_template
services = api_fixtures.services
app = api_fixtures.app
user_ids = api_fixtures.user_ids
patient_ids = api_fixtures.patient_ids
grant_for = api_fixtures.grant_for


@pytest.fixture
def api_for_actions(app: FastAPI, services: Services,
                    monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """Point the action server's client at the real app (service token from its settings)."""
    monkeypatch.setenv("PLAINRECORD_SERVICE_TOKEN", services.settings.service_token)
    with TestClient(app) as client:
        record_client.set_http_factory(lambda: client)
        yield client
    record_client.set_http_factory(None)


@dataclass
class Turn:
    """What an action said and did in one run."""

    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def texts(self) -> str:
        """Every text the patient sees (free text and filled-in response names)."""
        return "\n".join(m.get("text") or "" for m in self.messages)

    @property
    def responses(self) -> list[str]:
        """The domain responses used, in order."""
        return [m["response"] for m in self.messages if m.get("response")]

    def slot(self, name: str) -> Any:
        """The value the action set for a slot (KeyError when it set none)."""
        for event in reversed(self.events):
            if event.get("event") == "slot" and event.get("name") == name:
                return event.get("value")
        raise KeyError(name)


@dataclass
class Conversation:
    """A conversation's state, built up turn by turn like Rasa would."""

    grant: str | None
    channel: str = "portal"
    proxy: bool = False
    patient_name: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    sender_id: str = "test-conversation"

    def tracker(self, text: str, intent: str, entities: list[dict[str, Any]] | None = None,
                message_id: str | None = None) -> Tracker:
        metadata: dict[str, Any] = {"channel": self.channel}
        if self.grant is not None:
            metadata["grant"] = self.grant
        if self.proxy:
            metadata.update(proxy=True, patient_name=self.patient_name)
        message = {"text": text, "intent": {"name": intent, "confidence": 0.99},
                   "entities": entities or [], "metadata": metadata,
                   "message_id": message_id or f"m{len(self.events)}"}
        for entity in entities or []:
            self.slots[entity["entity"]] = entity["value"]
        self.events.append({"event": "user", "text": text, "parse_data": message,
                            "metadata": metadata, "message_id": message["message_id"]})
        return Tracker(self.sender_id, dict(self.slots), message, list(self.events), False,
                       None, {}, "action_listen")

    def run(self, action: Action, text: str, intent: str,
            entities: list[dict[str, Any]] | None = None, message_id: str | None = None) -> Turn:
        """Run ``action`` on a new user message and apply its slot events."""
        dispatcher = CollectingDispatcher()
        events = action.run(dispatcher, self.tracker(text, intent, entities, message_id), {})
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        for message in dispatcher.messages:
            self.events.append({"event": "bot", "text": message.get("text")
                                or message.get("response")})
        return Turn(dispatcher.messages, events)


@pytest.fixture
def conversation(api_for_actions: TestClient,
                 grant_for: Callable[..., str]) -> Callable[..., Conversation]:
    """``conversation(username, patient=None, channel="portal")`` -> a new conversation."""

    def _start(username: str | None, patient: str | None = None,
               channel: str = "portal", patient_name: str | None = None) -> Conversation:
        grant = grant_for(username, patient, channel) if username else None
        return Conversation(grant=grant, channel=channel, proxy=patient_name is not None,
                            patient_name=patient_name)

    return _start
