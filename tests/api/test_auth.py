"""Logging in and out: the form, JSON, the session cookie, and /api/me."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.records.demo import DEMO_PASSWORD
from api.services import Services, get_services
from api.web.deps import SESSION_COOKIE
from tests.api.conftest import make_settings


def test_login_page_is_accessible_and_lists_demo_logins(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    html = page.text
    assert '<label for="username">' in html and 'id="username"' in html
    assert '<label for="password">' in html and 'autocomplete="current-password"' in html
    assert "Demo logins" in html and "reception" in html and DEMO_PASSWORD in html


def test_demo_logins_are_not_listed_outside_demo_mode(services: Services, tmp_path: Path) -> None:
    secret = "x" * 40
    live = Services(settings=make_settings(services.settings.data_dir, demo_mode=False,
                                           secret_key=secret, service_token=secret,
                                           sms_webhook_secret=secret))
    app = create_app()
    app.dependency_overrides[get_services] = lambda: live
    with TestClient(app) as c:
        html = c.get("/login").text
    assert "Demo logins" not in html and DEMO_PASSWORD not in html


def test_wrong_password_shows_the_form_with_an_announced_error(client: TestClient) -> None:
    r = client.post("/login", data={"username": "david", "password": "nope"},
                    follow_redirects=False)
    assert r.status_code == 401
    assert 'role="alert"' in r.text and "not right" in r.text
    assert 'aria-invalid="true"' in r.text
    assert 'value="david"' in r.text  # the username is kept, the password is not
    assert SESSION_COOKIE not in r.cookies


def test_form_login_sets_a_safe_cookie_and_redirects(client: TestClient) -> None:
    r = client.post("/login", data={"username": "David", "password": DEMO_PASSWORD,
                                    "next": "/inbox"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/inbox"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    me = client.get("/api/me").json()
    assert me["role"] == "patient" and me["display_name"] == "David Clarke"


def test_login_never_redirects_off_site(client: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = client.post("/login", data={"username": "reception", "password": DEMO_PASSWORD,
                                        "next": target}, follow_redirects=False)
        assert r.headers["location"] == "/dashboard", target


def test_json_login_me_and_logout(client: TestClient, patient_ids: dict[str, str]) -> None:
    assert client.get("/api/me").status_code == 401
    bad = client.post("/api/login", json={"username": "sarah", "password": "x"})
    assert bad.status_code == 401 and "error" in bad.json()
    r = client.post("/api/login", json={"username": "sarah", "password": DEMO_PASSWORD})
    assert r.status_code == 200
    me = client.get("/api/me").json()
    assert me["role"] == "proxy" and me["patient_id"] is None
    assert [p["patient_id"] for p in me["proxy_for"]] == [patient_ids["amelia"]]
    assert me["proxy_for"][0]["relationship"] == "parent"
    assert client.post("/api/logout").status_code == 204
    assert client.get("/api/me").status_code == 401


def test_carers_me_lists_limited_sections(login: Callable[[str], TestClient]) -> None:
    me = login("tom").get("/api/me").json()
    assert me["proxy_for"][0]["sections"] == ["allergies", "immunisations", "medications"]


def test_a_tampered_cookie_is_not_a_session(client: TestClient) -> None:
    client.post("/api/login", json={"username": "david", "password": DEMO_PASSWORD})
    token = client.cookies[SESSION_COOKIE]
    assert client.get("/api/me").status_code == 200
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert client.get("/api/me").status_code == 401


def test_a_cookie_signed_with_another_secret_is_refused(
        services: Services, app, patient_ids: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("not-the-secret", salt="plainrecord.session.v1").dumps(
        {"uid": "anything", "ch": "portal"})
    with TestClient(app, cookies={SESSION_COOKIE: forged}) as c:
        assert c.get(f"/api/patients/{patient_ids['david']}/record").status_code == 401


def test_repeated_wrong_passwords_lock_the_username_for_a_while(client: TestClient) -> None:
    for _ in range(5):
        assert client.post("/api/login", json={"username": "david", "password": "guess"}
                           ).status_code == 401
    locked = client.post("/api/login", json={"username": "David ", "password": DEMO_PASSWORD})
    assert locked.status_code == 429 and "too many tries" in locked.json()["error"]
    page = client.post("/login", data={"username": "david", "password": DEMO_PASSWORD})
    assert page.status_code == 429 and 'role="alert"' in page.text
    # Other users are not affected.
    assert client.post("/api/login", json={"username": "chloe", "password": DEMO_PASSWORD}
                       ).status_code == 200


def test_throttle_window_expires() -> None:
    from api.accounts.throttle import LoginThrottle

    now = [0.0]
    t = LoginThrottle(max_failures=2, window_seconds=60, clock=lambda: now[0])
    t.failed("a")
    t.failed("a")
    assert t.blocked("a") and not t.blocked("b")
    now[0] = 61.0
    assert not t.blocked("a")
    t.failed("a")
    t.succeeded("a")
    assert not t.blocked("a")
