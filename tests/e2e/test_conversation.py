"""A conversation through the portal's chat endpoint, with Rasa, the action server and the API
all running as real servers (marked ``e2e``)."""

from __future__ import annotations

import re

import httpx
import pytest

from api.records.demo import DEMO_USERS
from api.stack import Stack

pytestmark = pytest.mark.e2e


def login(stack: Stack, username: str) -> httpx.Client:
    user = next(u for u in DEMO_USERS if u.username == username)
    client = httpx.Client(base_url=stack.cfg.url(stack.cfg.api_port), timeout=60)
    r = client.post("/api/login", json={"username": user.username, "password": user.password})
    assert r.status_code == 200, r.text
    return client


def say(client: httpx.Client, text: str) -> tuple[int, dict]:
    r = client.post("/api/chat", json={"message": text})
    return r.status_code, r.json()


def texts(body: dict) -> str:
    return "\n".join(reply["text"] for reply in body["replies"])


def own_patient_id(client: httpx.Client) -> str:
    return str(client.get("/api/me").json()["patient_id"])


def test_chat_without_login_is_refused(stack: Stack) -> None:
    r = httpx.post(f"{stack.cfg.url(stack.cfg.api_port)}/api/chat", json={"message": "hi"})
    assert r.status_code == 401
    assert "error" in r.json()


def test_greeting_and_medicines_come_from_the_patients_own_record(stack: Stack) -> None:
    client = login(stack, DEMO_USERS[1].username)
    status, body = say(client, "hello")
    assert status == 200 and body["delivered"] and body["replies"]

    pid = own_patient_id(client)
    meds = client.get(f"/api/patients/{pid}/medications").json()
    current = [m for m in meds if m["status"] != "past"]
    assert current, "the demo patient should have current medicines"
    status, body = say(client, "what medicines am I on?")
    assert status == 200
    answer = texts(body).lower()
    for med in current:
        first_word = re.split(r"\W+", med["name"].lower())[0]
        assert first_word in answer, (first_word, answer)


def test_cholesterol_answer_shows_own_value_and_never_another_patients(stack: Stack) -> None:
    client = login(stack, DEMO_USERS[1].username)
    pid = own_patient_id(client)
    results = client.get(f"/api/patients/{pid}/results").json()
    chol = [r for r in results if "cholesterol" in r["name"].lower() and r["value"] is not None]
    assert chol
    latest = max(chol, key=lambda r: r["effective"])
    status, body = say(client, "what is my cholesterol")
    answer = texts(body)
    assert status == 200
    assert f"{latest['value']:g}" in answer, answer
    for bound in (latest["range_low"], latest["range_high"]):  # the lab's own range, as sent
        if bound is not None:
            assert f"{bound:g}" in answer, answer

    # Values that only another patient has must never appear in this patient's answers.
    other = login(stack, DEMO_USERS[2].username)
    other_pid = own_patient_id(other)
    assert other_pid != pid
    assert client.get(f"/api/patients/{other_pid}/results").status_code == 403
    other_meds = {m["name"].lower() for m in other.get(f"/api/patients/{other_pid}/medications").json()}
    own_meds = {m["name"].lower() for m in client.get(f"/api/patients/{pid}/medications").json()}
    status, body = say(client, "what medicines am I on?")
    answer = texts(body).lower()
    for name in other_meds - own_meds:
        assert name not in answer


def test_red_flag_is_signposted_first_and_escalated(stack: Stack) -> None:
    client = login(stack, DEMO_USERS[1].username)
    status, body = say(client, "I have crushing chest pain right now and my arm is numb")
    assert status == 200
    assert body["red_flag"] is True
    assert "999" in body["replies"][0]["text"]
    assert body["escalation_reference"]
