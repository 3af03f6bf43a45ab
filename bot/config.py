"""Configuration from ``RELAIS_*`` environment variables or a ``.env`` file.

A wrong value must stop start-up with one line that names the variable, so ``load_settings``
turns pydantic's validation report into :class:`ConfigError`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOCALES_DIR = PROJECT_ROOT / "locales"
TELEGRAM_API_DEFAULT = "https://api.telegram.org"
# Telegram's rule for setWebhook's secret_token; production asks for at least 32 of them.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_SECRET_MIN_PRODUCTION = 32


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message names the variable."""


class Settings(BaseSettings):
    """Every setting Relais reads, with its embedded default."""

    model_config = SettingsConfigDict(
        env_prefix="RELAIS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    bot_username: str = "RelaisBot"
    database_url: str = "sqlite+aiosqlite:///relais.db"
    redis_url: str | None = None
    telegram_api: str = TELEGRAM_API_DEFAULT
    default_language: Literal["fr", "en"] = "fr"
    timezone: str = "America/Toronto"
    mode: Literal["development", "production"] = "development"
    locales_dir: Path = DEFAULT_LOCALES_DIR

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"  # behind a reverse proxy; 0.0.0.0 to expose it directly
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    invite_ttl_hours: int = Field(default=72, ge=1, le=24 * 60)
    # Conversation state and data in Redis expire this long after their last change.
    state_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)

    data_key: SecretStr | None = None
    retention_days: int = Field(default=90, ge=1)
    # Figures (/stats, relais stats): a count from 1 to min_cell - 1 is shown as "< min_cell".
    min_cell: int = Field(default=5, ge=2, le=100)

    urgent_accept_minutes: int = Field(default=30, ge=1)
    urgent_expire_minutes: int = Field(default=120, ge=1)
    routine_accept_days: int = Field(default=2, ge=1)
    routine_expire_days: int = Field(default=7, ge=1)

    broadcast_rate: float = Field(default=25.0, gt=0)
    broadcast_per_chat_rate: float = Field(default=1.0, gt=0)

    # Reminders and scheduled jobs.
    verify_days: int = Field(default=30, ge=1, le=365)  # receivers confirm their listing
    capacity_stale_hours: int = Field(default=24, ge=1)  # older capacity prompts a nudge
    reminder_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    reminder_batch: int = Field(default=50, ge=1, le=1000)
    reminder_lease_seconds: float = Field(default=60.0, ge=1)
    # jobs sent at once by one dispatcher; 1 = at most one message in flight when it dies
    reminder_concurrency: int = Field(default=1, ge=1, le=64)
    reminder_late_seconds: float = Field(default=120.0, ge=1)  # later than this: marked late
    reminder_backoff_seconds: float = Field(default=30.0, gt=0)
    reminder_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    reminder_max_attempts: int = Field(default=8, ge=1)
    reminder_morning: str = Field(default="09:00", pattern=r"^\d{2}:\d{2}$")
    reminder_rate_limit: bool = True  # pace sends with the shared rate limiter

    # An update whose handling has not ended this long after it was taken is taken for dead (its
    # process died) and handled again by a live process.
    inbox_claim_seconds: float = Field(default=30.0, ge=1, le=3600)

    # Operations: /healthz, /readyz and /metrics on a local port (0 turns the server off), and
    # logs on standard error as text or one JSON object per line (for log collectors).
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=8081, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_any_case(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _telegram_secret(cls, value: object) -> object:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if raw is None or raw == "":
            return None  # unset (an empty variable counts as unset)
        if not isinstance(raw, str) or not WEBHOOK_SECRET_PATTERN.fullmatch(raw):
            # Never echo the value: it is a secret.
            raise ValueError("must be 1 to 256 characters among A-Z, a-z, 0-9, _ and - "
                             "(`relais webhook secret` prints a good one)")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("telegram_api")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite://`` URLs and pick the async driver."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    raise ValueError("must be a sqlite:// or postgresql:// URL")


def load_settings(**overrides: object) -> Settings:
    """Read the settings, raising :class:`ConfigError` with one line naming the bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else "?"
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ConfigError(f"RELAIS_{field.upper()}: {message}") from None
