"""The composition root: every engine, client and matcher is built here, once, on first use.

FastAPI routes get these through ``Depends(get_services)``; tests override ``get_services``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from api.db import Database
from api.settings import Settings, get_settings

if TYPE_CHECKING:
    from glossary import Glossary


@dataclass
class Services:
    """What the service needs at run time, each built lazily."""

    settings: Settings
    _db: Database | None = field(default=None, repr=False)

    @property
    def db(self) -> Database:
        if self._db is None:
            self.settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._db = Database.from_url(self.settings.effective_database_url)
        return self._db

    @cached_property
    def glossary(self) -> Glossary:
        from glossary import get_glossary

        return get_glossary()


@lru_cache(maxsize=1)
def get_services() -> Services:
    """The process's services."""
    return Services(settings=get_settings())
