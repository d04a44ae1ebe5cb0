"""Fixtures shared across test tiers."""

from __future__ import annotations

import json

import httpx
import pytest

from api.chat.rasa_client import RasaClient
from api.chat.service import ChatService
from api.services import Services


@pytest.fixture(scope="session")
def red_flag_screen() -> object:
    """The real red-flag screen, compiled once per run (it takes about a second)."""
    from api.safety.screen import RedFlagScreen

    return RedFlagScreen.load()


@pytest.fixture
def rasa_calls(services: Services, red_flag_screen: object) -> list[dict]:
    """Point the app's chat relay at a fake Rasa (httpx MockTransport) and record what it gets.

    A fake for API tests only: the real Rasa is used in tests/e2e.
    """
    calls: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        return httpx.Response(200, json=[{"text": "Here is what I found."}])

    services.__dict__["screen"] = red_flag_screen
    chat = services.chat  # built by the composition root, then pointed at a fake Rasa
    services.__dict__["chat"] = ChatService(
        secret=services.settings.secret_key, max_chars=services.settings.max_message_chars,
        screen=services.screen, rasa=RasaClient("http://rasa.test", 5, httpx.MockTransport(handler)),
        escalate_red_flag=chat._escalate, record_turn=chat._record_turn)
    return calls
