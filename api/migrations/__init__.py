"""Alembic migrations (linear): 0001_records, 0002_escalation, 0003_sms."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import MetaData

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent

# Every module that defines tables on api.db.Base; a module not written yet is skipped.
MODEL_MODULES = (
    "api.records.models",
    "api.accounts.models",
    "api.audit.models",
    "api.escalation.models",
    "api.chat.sms_models",
)


def load_models() -> MetaData:
    """Import every model module and return the one shared metadata."""
    from api.db import Base

    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return Base.metadata


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` for these migrations (works from any directory)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` on the database at ``url``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
