"""Settings read from the environment and `.env`, validated once at start-up."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_API = "https://api.telegram.org/bot"
WHATSAPP_API = "https://graph.facebook.com"  # Meta's Graph API host (the Cloud API)


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line meant for the operator."""


class Settings(BaseSettings):
    """Every setting of the bot; names match the environment variables (upper case)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API
    telegram_api_file_url: str | None = None
    database_path: Path = Path("data/lapor.db")
    database_url: SecretStr | None = None  # postgresql://…: several workers share it
    database_pool_size: int = Field(default=10, ge=1, le=500)
    worker_lease_seconds: float = Field(default=10.0, ge=1.0, le=3600.0)
    inbox_max_attempts: int = Field(default=5, ge=1, le=100)  # then an update is set aside
    evidence_dir: Path | None = None
    data_key: SecretStr | None = None
    admin_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    timezone: str = "Asia/Jakarta"
    default_language: Literal["id", "en"] = "id"
    digest_interval_minutes: int = Field(default=60, ge=1, le=24 * 60)
    digest_daily_time: dt.time = dt.time(7, 0)
    ticket_prefix: str = "LN"
    elections_file: Path | None = None
    rules_file: Path | None = None
    draft_ttl_hours: int = Field(default=72, ge=1)
    max_evidence_items: int = Field(default=10, ge=0, le=50)
    max_evidence_mb: int = Field(default=20, ge=1, le=2000)
    status_lookups_per_hour: int = Field(default=20, ge=1)
    retention_days: int = Field(default=365, ge=0)
    messages_per_minute: int = Field(default=60, ge=1)
    reports_per_day: int = Field(default=5, ge=1)
    new_reports_per_minute: int = Field(default=600, ge=1)
    max_drafts: int = Field(default=100_000, ge=1)
    max_additions_per_case: int = Field(default=20, ge=1)
    max_case_evidence_mb: int = Field(default=100, ge=1)
    outbox_poll_seconds: float = Field(default=5.0, gt=0, le=3600)
    outbox_retry_seconds: float = Field(default=2.0, gt=0, le=3600)
    sends_per_second: int = Field(default=30, ge=0, le=10_000)
    concurrent_chats: int = Field(default=32, ge=1, le=10_000)
    service_targets_file: Path | None = None
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    web_listen: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    web_base_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # WhatsApp (the Cloud API): on when WHATSAPP_TOKEN is set
    whatsapp_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_base_url: str = WHATSAPP_API
    whatsapp_api_version: str = "v23.0"
    whatsapp_status_template: str = "lapor_netral_status"
    whatsapp_template_languages: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["id", "en"]
    )
    whatsapp_listen: str = "127.0.0.1"
    whatsapp_port: int = Field(default=8444, ge=0, le=65535)

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("postgresql://", "postgres://")
        ):
            raise ValueError("must start with postgresql:// (or leave it empty for SQLite)")
        return value

    @field_validator(
        "telegram_bot_token", "data_key", "webhook_secret", "database_url", "whatsapp_token",
        "whatsapp_app_secret", "whatsapp_verify_token", "whatsapp_phone_number_id", mode="before",
    )  # fmt: skip
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            bot_id, sep, secret = value.get_secret_value().partition(":")
            if not (sep and bot_id.isdigit() and secret):
                raise ValueError("must look like 123456:ABC-DEF (bot id, colon, secret)")
        return value

    @field_validator("web_base_url", mode="before")
    @classmethod
    def _blank_url_is_none(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip().rstrip("/") or None
        return value

    @field_validator(
        "telegram_api_base_url", "telegram_api_file_url", "webhook_url", "web_base_url",
        "whatsapp_api_base_url",
    )  # fmt: skip
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("data_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            check_data_key(value.get_secret_value())
        return value

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _comma_separated_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            bad = [p for p in parts if not p.isdigit()]
            if bad:
                raise ValueError(f"must be comma-separated Telegram user ids, got {bad[0]!r}")
            return [int(p) for p in parts]
        return value

    @field_validator("whatsapp_phone_number_id")
    @classmethod
    def _phone_number_id(cls, value: str | None) -> str | None:
        if value is not None and not value.strip().isdigit():
            raise ValueError("must be the digits Meta shows as the phone number's ID")
        return value.strip() if value is not None else None

    @field_validator("whatsapp_api_version")
    @classmethod
    def _graph_version(cls, value: str) -> str:
        if not re.fullmatch(r"v\d{1,2}\.\d", value.strip()):
            raise ValueError("must be a Graph API version such as v23.0")
        return value.strip()

    @field_validator("whatsapp_template_languages", mode="before")
    @classmethod
    def _template_languages(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("whatsapp_template_languages")
    @classmethod
    def _our_languages(cls, value: list[str]) -> list[str]:
        if sorted(value) != ["en", "id"]:
            raise ValueError("must name the template's two languages: id,en")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Jakarta)") from None
        return value

    @field_validator("digest_daily_time", mode="before")
    @classmethod
    def _hh_mm(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return dt.datetime.strptime(value.strip(), "%H:%M").time()
            except ValueError:
                raise ValueError(f"must be a time as HH:MM, got {value!r}") from None
        return value

    @field_validator("ticket_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        value = value.strip().upper()
        if not (1 <= len(value) <= 6 and value.isascii() and value.isalpha()):
            raise ValueError("must be 1 to 6 letters A-Z")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{24,256}", value.get_secret_value()
        ):
            raise ValueError(
                "must be 24 to 256 letters, digits, _ or - (make one with: python -m lapor genkey"
                " webhook)"
            )
        return value

    @model_validator(mode="after")
    def _secret_with_webhook(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_SECRET is required with WEBHOOK_URL: without it anyone could send the"
                " bot forged updates (make one with: python -m lapor genkey webhook)"
            )
        return self

    @model_validator(mode="after")
    def _key_with_token(self) -> Settings:
        if self.telegram_bot_token is not None and self.data_key is None:
            raise ValueError(
                "DATA_KEY is required when TELEGRAM_BOT_TOKEN is set "
                "(make one with: python -m lapor genkey)"
            )
        return self

    @model_validator(mode="after")
    def _whatsapp_complete(self) -> Settings:
        if self.whatsapp_token is None:
            return self
        for name in ("whatsapp_phone_number_id", "whatsapp_app_secret", "whatsapp_verify_token"):
            if getattr(self, name) is None:
                raise ValueError(
                    f"{name.upper()} is required with WHATSAPP_TOKEN (Meta's app dashboard,"
                    " WhatsApp > API Setup and App settings > Basic)"
                )
        if self.data_key is None:
            raise ValueError("DATA_KEY is required when WHATSAPP_TOKEN is set")
        if self.telegram_bot_token is None:
            raise ValueError(
                "TELEGRAM_BOT_TOKEN is required with WHATSAPP_TOKEN: staff work in the Telegram"
                " chat (without a token the sandbox would run, with its own fake WhatsApp)"
            )
        return self

    @property
    def whatsapp(self) -> bool:
        """True when WhatsApp is on (WHATSAPP_TOKEN set) and its webhook has a port."""
        return self.whatsapp_token is not None and self.whatsapp_port != 0

    @property
    def sandbox(self) -> bool:
        """True when no token is set: the bot runs against the built-in fake Bot API."""
        return self.telegram_bot_token is None

    @property
    def file_url(self) -> str:
        """Base of file downloads; follows the API base URL unless set explicitly."""
        if self.telegram_api_file_url:
            return self.telegram_api_file_url
        base = self.telegram_api_base_url.rstrip("/")
        if base.endswith("/bot"):
            return base[: -len("/bot")] + "/file/bot"
        return base + "/file"

    @property
    def evidence_path(self) -> Path:
        """Folder for evidence files: EVIDENCE_DIR, or `evidence/` beside the database."""
        return self.evidence_dir or self.database_path.parent / "evidence"

    @property
    def database_url_text(self) -> str | None:
        """DATABASE_URL as text (it holds a password), or None for SQLite."""
        return self.database_url.get_secret_value() if self.database_url else None

    @property
    def console_url(self) -> str:
        """The address staff open for the web console: WEB_BASE_URL, else where it listens."""
        if self.web_base_url:
            return self.web_base_url
        host = "127.0.0.1" if self.web_listen in {"0.0.0.0", "::", ""} else self.web_listen
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.web_port}"

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)


def check_data_key(keys: str) -> None:
    """Raise ValueError unless every comma-separated key is url-safe base64 of exactly 32 bytes
    (a Fernet key; several while rotating: the new one first)."""
    for key in keys.split(","):
        try:
            raw = base64.urlsafe_b64decode(key.strip().encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError(
                "must be url-safe base64 of 32 bytes (python -m lapor genkey); while rotating,"
                " the new key and the old one separated by a comma"
            )


def describe_error(error: ValidationError) -> str:
    """One line naming the first wrong setting and what is wrong with it."""
    first = error.errors()[0]
    name = "_".join(str(part) for part in first["loc"] if not isinstance(part, int)).upper()
    message = str(first["msg"]).removeprefix("Value error, ")
    value = first.get("input")
    secret = {
        "TELEGRAM_BOT_TOKEN", "DATA_KEY", "WEBHOOK_SECRET", "DATABASE_URL", "WHATSAPP_TOKEN",
        "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN",
    }  # fmt: skip
    shown = "" if name in secret else value
    suffix = ""
    if isinstance(shown, str | int) and repr(shown) not in message:
        suffix = f" (got {shown!r})"
    if not name:
        return f"Setting error: {message}"
    return f"Setting {name}: {message}{suffix}"


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise SettingsError with one clear line when something is wrong."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_error(error)) from None
