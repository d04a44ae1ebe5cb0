"""Browser-test fixtures: a real uvicorn server on a free 127.0.0.1 port with a temporary SQLite
database (migrated, demo users loaded), and Debian's chromium driven by Playwright.

Chromium and axe-core come through tests/browser_support.py.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.stack import free_port, start_api, stop_process
from tests.browser_support import launch_chromium

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("PLAINRECORD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")



@dataclass
class Server:
    """A running app server."""

    url: str
    database_url: str
    env: dict[str, str]


def _prepare_database(url: str) -> None:
    """Migrate the empty database and load the demo patients and users (as `plainrecord demo`)."""
    from api.db import Database
    from api.migrations import upgrade
    from api.records.demo import load_demo

    upgrade(url)
    db = Database.from_url(url)
    with db.session() as session:
        load_demo(session)
    db.engine.dispose()


def start_server(tmp: Path, redis_url: str | None) -> tuple[subprocess.Popen[bytes], Server]:
    """Start uvicorn in its own process group and wait for /healthz."""
    port = free_port()
    database_url = f"sqlite:///{tmp / 'browser.sqlite3'}"
    if not (tmp / "browser.sqlite3").exists():
        _prepare_database(database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "PLAINRECORD_DATA_DIR": str(tmp),
           "PLAINRECORD_DEMO_MODE": "true", "PLAINRECORD_API_PORT": str(port)}
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    proc, url = start_api(env, tmp / f"uvicorn-{port}.log", port=port,
                          extra_args=["--timeout-graceful-shutdown", "1"])
    return proc, Server(url, database_url, env)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server we started (its own process group only)."""
    stop_process(proc, grace=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app with live updates through the real Redis."""
    proc, srv = start_server(tmp_path_factory.mktemp("browser"), REDIS_URL)
    yield srv
    stop_server(proc)


@pytest.fixture(scope="module")
def server_without_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app pointed at a Redis port nobody listens on."""
    proc, srv = start_server(tmp_path_factory.mktemp("noredis"),
                             f"redis://127.0.0.1:{free_port()}/0")
    yield srv
    stop_server(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launch_chromium() as b:
        yield b
