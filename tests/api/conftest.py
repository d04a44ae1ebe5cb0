"""Shared API fixtures: an app on a fresh SQLite database holding the demo data.

Use them from any test under ``tests/api``:

- ``services``: a :class:`api.services.Services` on a fresh SQLite file (a copy of a database
  built once per run: schema + demo patients + demo users), demo mode on.
- ``app``: ``create_app()`` with ``get_services`` overridden to ``services`` (and a fresh login
  throttle, so failed logins in one test never lock a user in another).
- ``client``: an anonymous ``TestClient``.
- ``login(username)``: a new ``TestClient`` logged in (via ``POST /api/login``) as a demo user;
  see ``api.records.demo.DEMO_USERS`` (patients amelia, david, margaret, chloe, robert; proxies
  sarah (Amelia, whole record) and tom (Margaret: medications, allergies, immunisations);
  reception; drshah).
- ``patient_client`` (david), ``proxy_client`` (sarah), ``carer_client`` (tom),
  ``receptionist_client``, ``clinician_client``: ready-made logins.
- ``patient_ids``: demo username -> patient id (for the five patients).
- ``user_ids``: demo username -> user id.
- ``service_client(username, patient=None)``: a ``TestClient`` calling as the action server:
  service token + a conversation grant for that user, about ``patient`` (default: their own
  record, or the first record a proxy holds).
- ``grant_for(username, patient=None)``: just the grant token.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.accounts.grants import ConversationGrant, mint_grant
from api.accounts.models import ProxyAccess, User
from api.app import create_app
from api.db import Database
from api.migrations import load_models
from api.records.demo import DEMO_USERS, load_demo
from api.services import Services, get_services
from api.settings import Settings

DB_NAME = "plainrecord.sqlite3"


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the schema and the demo data, built once and copied per test."""
    folder = tmp_path_factory.mktemp("demo-template")
    db = Database.from_url(f"sqlite:///{folder / DB_NAME}")
    load_models().create_all(db.engine)
    with db.session() as session:
        load_demo(session)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.engine.dispose()
    return folder / DB_NAME


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Demo-mode settings on an SQLite file in ``data_dir``."""
    values: dict[str, object] = {"data_dir": data_dir, "demo_mode": True,
                                 "DATABASE_URL": f"sqlite:///{data_dir / DB_NAME}"}
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def services(tmp_path: Path, _demo_template: Path) -> Iterator[Services]:
    shutil.copy(_demo_template, tmp_path / DB_NAME)
    services = Services(settings=make_settings(tmp_path))
    yield services
    services.db.engine.dispose()


@pytest.fixture
def app(services: Services) -> FastAPI:
    from api.accounts.throttle import LoginThrottle
    from api.web.auth_routes import get_throttle

    application = create_app()
    application.dependency_overrides[get_services] = lambda: services
    throttle = LoginThrottle()  # a fresh one per test: failures never leak between tests
    application.dependency_overrides[get_throttle] = lambda: throttle
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def login(app: FastAPI) -> Iterator[Callable[[str], TestClient]]:
    opened: list[TestClient] = []

    def _login(username: str) -> TestClient:
        user = next(u for u in DEMO_USERS if u.username == username)
        c = TestClient(app)
        r = c.post("/api/login", json={"username": user.username, "password": user.password})
        assert r.status_code == 200, r.text
        opened.append(c)
        return c

    yield _login
    for c in opened:
        c.close()


@pytest.fixture
def patient_client(login: Callable[[str], TestClient]) -> TestClient:
    return login("david")


@pytest.fixture
def proxy_client(login: Callable[[str], TestClient]) -> TestClient:
    return login("sarah")


@pytest.fixture
def carer_client(login: Callable[[str], TestClient]) -> TestClient:
    return login("tom")


@pytest.fixture
def receptionist_client(login: Callable[[str], TestClient]) -> TestClient:
    return login("reception")


@pytest.fixture
def clinician_client(login: Callable[[str], TestClient]) -> TestClient:
    return login("drshah")


@pytest.fixture
def user_ids(services: Services) -> dict[str, str]:
    with services.db.sessions() as s:
        return {u.username: u.id for u in s.scalars(select(User))}


@pytest.fixture
def patient_ids(services: Services) -> dict[str, str]:
    with services.db.sessions() as s:
        return {u.username: u.patient_id for u in s.scalars(select(User))
                if u.patient_id is not None}


@pytest.fixture
def grant_for(services: Services, user_ids: dict[str, str],
              patient_ids: dict[str, str]) -> Callable[..., str]:
    def _grant(username: str, patient: str | None = None, channel: str = "portal") -> str:
        if patient is None and username in patient_ids:
            patient_id = patient_ids[username]
        elif patient is None:
            with services.db.sessions() as s:
                patient_id = s.scalars(select(ProxyAccess.patient_id).where(
                    ProxyAccess.user_id == user_ids[username])).first() or ""
        else:
            patient_id = patient_ids.get(patient, patient)
        grant = ConversationGrant(patient_id=patient_id, user_id=user_ids[username],
                                  channel=channel, conversation_id=f"test-{username}",
                                  proxy=username not in patient_ids)
        return mint_grant(services.settings.secret_key, grant)

    return _grant


@pytest.fixture
def service_client(app: FastAPI, services: Services,
                   grant_for: Callable[..., str]) -> Iterator[Callable[..., TestClient]]:
    opened: list[TestClient] = []

    def _client(username: str, patient: str | None = None, channel: str = "portal") -> TestClient:
        c = TestClient(app, headers={
            "Authorization": f"Bearer {services.settings.service_token}",
            "X-Conversation-Grant": grant_for(username, patient, channel)})
        opened.append(c)
        return c

    yield _client
    for c in opened:
        c.close()
