"""A fresh in-memory SQLite store per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from api.db import Database
from api.migrations import load_models


@pytest.fixture
def db() -> Iterator[Database]:
    database = Database.from_url("sqlite://")
    load_models().create_all(database.engine)
    yield database
    database.engine.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.sessions() as s:
        yield s
