"""Settings, read from the environment (prefix ``PLAINRECORD_``) and failing closed.

Nothing is read at import time: call :func:`get_settings` from the composition root.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_SECRET = "demo-only-not-secret"  # noqa: S105 - a placeholder that is refused outside demo mode


class Settings(BaseSettings):
    """Everything the service is configured with."""

    model_config = SettingsConfigDict(env_prefix="PLAINRECORD_", env_file=None, extra="ignore")

    demo_mode: bool = True
    data_dir: Path = Path("var")
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    rasa_url: str = "http://127.0.0.1:5005"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    rasa_port: int = 5005
    action_port: int = 5055
    public_url: str | None = None
    secret_key: str = DEMO_SECRET
    service_token: str = DEMO_SECRET
    sms_webhook_secret: str = DEMO_SECRET
    grant_ttl_seconds: int = 3600
    rasa_timeout_seconds: float = 20.0
    max_message_chars: int = 2000
    practice_name: str = "Riverside Surgery"
    # How soon the practice answers, by urgency (shown to the patient).
    response_hours_urgent: int = 2
    response_hours_soon: int = 24
    response_hours_routine: int = 72

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if not self.demo_mode:
            for name in ("secret_key", "service_token", "sms_webhook_secret"):
                value = getattr(self, name)
                if value == DEMO_SECRET or len(value) < 32:
                    raise ValueError(
                        f"PLAINRECORD_{name.upper()} must be set to a secret of 32+ characters "
                        "outside demo mode"
                    )
        return self

    @property
    def effective_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'plainrecord.sqlite3').resolve()}"

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.api_host}:{self.api_port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, built on first use."""
    return Settings()
