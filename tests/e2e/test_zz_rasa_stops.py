"""When the action server or Rasa stops, the portal says so kindly and keeps the message.

Named to run last in the e2e session: it stops the real action server and Rasa that the other tests share.
"""

from __future__ import annotations

import pytest

from api.records.demo import DEMO_USERS
from api.stack import Stack
from tests.e2e.test_conversation import login, say, texts

pytestmark = pytest.mark.e2e


def test_action_server_down_is_said_kindly_and_the_message_is_kept(stack: Stack) -> None:
    client = login(stack, DEMO_USERS[1].username)
    actions = stack.procs["actions"]
    actions.terminate()
    actions.wait(timeout=30)
    status, body = say(client, "what medicines am I on?")
    assert status == 503
    assert body["delivered"] is False
    assert "not been lost" in texts(body)


def test_rasa_down_is_said_kindly_and_the_message_is_kept(stack: Stack) -> None:
    client = login(stack, DEMO_USERS[1].username)
    rasa = stack.procs["rasa"]
    rasa.terminate()
    rasa.wait(timeout=30)
    status, body = say(client, "what medicines am I on?")
    assert status == 503
    assert body["delivered"] is False
    assert "not been lost" in texts(body)
