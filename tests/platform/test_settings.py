"""Settings: defaults, parsing, and one clear line for every bad value."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from service.settings import Settings, SettingsError, load_settings
from tests.paths import ROOT

KEY = Fernet.generate_key().decode()


def test_defaults_mean_sandbox() -> None:
    assert load_settings().sandbox  # no token: the built-in sandbox


def test_env_example_documents_every_setting_with_its_default() -> None:
    """.env.example is what an operator copies: every setting is in it, each with the value
    the code takes when it is left out (or left empty)."""
    documented = {}
    example = ROOT / ".env.example"
    for line in example.read_text("utf-8").splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            documented[name.strip()] = value.strip()
    fields = Settings.model_fields
    assert set(documented) == {name.upper() for name in fields}
    defaults = load_settings()
    for name, value in documented.items():
        if not value:
            continue  # left empty: a secret, or "not set"
        from_example = Settings(_env_file=None, **{name.lower(): value})  # type: ignore[call-arg]
        assert getattr(from_example, name.lower()) == getattr(defaults, name.lower()), name


def test_values_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("DATA_KEY", KEY)
    monkeypatch.setenv("ADMIN_USER_IDS", " 11, 22 ,33")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("DIGEST_DAILY_TIME", "06:30")
    monkeypatch.setenv("TICKET_PREFIX", "ln")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert not settings.sandbox
    assert settings.admin_user_ids == [11, 22, 33]
    assert settings.file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.digest_daily_time == dt.time(6, 30)
    assert settings.ticket_prefix == "LN"
    assert settings.log_level == "DEBUG"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DIGEST_INTERVAL_MINUTES=15\nDEFAULT_LANGUAGE=en\n")
    settings = load_settings()
    assert settings.digest_interval_minutes == 15
    assert settings.default_language == "en"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ADMIN_USER_IDS", "abc", "Setting ADMIN_USER_IDS: must be comma-separated"),
        ("TIMEZONE", "Mars/Olympus", "Setting TIMEZONE: unknown time zone"),
        ("DIGEST_DAILY_TIME", "7 pagi", "Setting DIGEST_DAILY_TIME: must be a time as HH:MM"),
        ("DIGEST_INTERVAL_MINUTES", "0", "Setting DIGEST_INTERVAL_MINUTES:"),
        ("DIGEST_INTERVAL_MINUTES", "sering", "Setting DIGEST_INTERVAL_MINUTES:"),
        ("DATA_KEY", "short", "Setting DATA_KEY: must be url-safe base64 of 32 bytes"),
        ("TELEGRAM_BOT_TOKEN", "nocolon", "Setting TELEGRAM_BOT_TOKEN: must look like"),
        ("TELEGRAM_API_BASE_URL", "ftp://x", "Setting TELEGRAM_API_BASE_URL: must start with"),
        ("DEFAULT_LANGUAGE", "fr", "Setting DEFAULT_LANGUAGE:"),
        ("TICKET_PREFIX", "L-N", "Setting TICKET_PREFIX: must be 1 to 6 letters"),
        ("WEBHOOK_PORT", "70000", "Setting WEBHOOK_PORT:"),
    ],
)
def test_bad_value_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_secrets_are_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_KEY", "my-very-secret-but-wrong-key")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "my-very-secret" not in str(caught.value)


def test_token_requires_data_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    with pytest.raises(SettingsError, match="DATA_KEY is required"):
        load_settings()


def test_command_line_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "ADMIN_USER_IDS": "abc", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "lapor"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "ADMIN_USER_IDS" in lines[0]
    assert "Traceback" not in done.stderr


def test_genkey_prints_a_usable_key(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lapor", "genkey"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    key = done.stdout.strip()
    Fernet(key.encode())  # raises if it is not a valid key
    assert load_settings(data_key=key).data_key is not None


def test_whatsapp_names_the_setting_it_misses() -> None:
    base = {"_env_file": None, "data_key": Fernet.generate_key().decode()}
    with pytest.raises(SettingsError, match="WHATSAPP_PHONE_NUMBER_ID is required"):
        load_settings(**base, telegram_bot_token="1:a", whatsapp_token="t")
    whole = {"whatsapp_token": "t", "whatsapp_phone_number_id": "1000",
             "whatsapp_app_secret": "s", "whatsapp_verify_token": "v"}  # fmt: skip
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN is required with WHATSAPP_TOKEN"):
        load_settings(**base, **whole)
    with pytest.raises(SettingsError, match="WHATSAPP_API_VERSION"):
        load_settings(**base, **whole, telegram_bot_token="1:a", whatsapp_api_version="23")
    assert load_settings(**base, **whole, telegram_bot_token="1:a").whatsapp
