"""The command line: `python -m bot [run|sandbox|migrate|genkey|explain]` (`lapor-netral`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.explain import ExplainError, explain
from bot.explain import add_arguments as add_explain_arguments
from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from conversations.jurisdiction.engine import build_jurisdiction
from conversations.jurisdiction.errors import DataFileError

log = logging.getLogger("bot")


def parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    top = argparse.ArgumentParser(prog="lapor-netral", description="Lapor Netral Telegram bot")
    sub = top.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the sandbox when TELEGRAM_BOT_TOKEN is not set)")
    sub.add_parser("sandbox", help="run the fake Bot API and a terminal chat")
    sub.add_parser("migrate", help="apply database migrations and exit")
    sub.add_parser("genkey", help="print a new DATA_KEY")
    add_explain_arguments(
        sub.add_parser("explain", help="print the jurisdiction decision for the given facts")
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = parser().parse_args(argv)
    command = args.command or "run"
    if command == "genkey":
        print(Fernet.generate_key().decode("ascii"))
        return 0
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"lapor-netral: {error}", file=sys.stderr)
        return 2
    secrets = [s.get_secret_value() for s in (settings.telegram_bot_token, settings.data_key) if s]
    sandbox = command == "sandbox" or (command == "run" and settings.sandbox)
    # The sandbox terminal is a chat: its log goes to a file beside the database.
    log_file = settings.database_path.parent / "sandbox.log" if sandbox else None
    setup_logging(settings.log_level, secrets, log_file)
    try:
        jurisdiction = build_jurisdiction(settings.rules_file, settings.elections_file)
    except (DataFileError, OSError) as error:
        print(f"lapor-netral: {error}", file=sys.stderr)
        return 2
    if command == "explain":
        try:
            print(explain(jurisdiction, args, dt.datetime.now(settings.zone).date()))
        except ExplainError as error:
            print(f"lapor-netral explain: {error}", file=sys.stderr)
            return 2
        return 0
    if command == "migrate":
        return _run_async(lambda stop: _migrate(settings))
    if sandbox:
        settings = with_sandbox_key(settings)
        return _run_async(lambda stop: _sandbox(settings, stop))
    return _run_async(lambda stop: _telegram(settings, stop))


def with_sandbox_key(settings: Settings) -> Settings:
    """In the sandbox, a DATA_KEY is made once and kept beside the database."""
    if settings.data_key is not None:
        return settings
    key_file = settings.database_path.parent / "sandbox.key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(Fernet.generate_key().decode("ascii") + "\n", encoding="ascii")
        key_file.chmod(0o600)
    key = key_file.read_text(encoding="ascii").strip()
    return settings.model_copy(update={"data_key": SecretStr(key)})


def _run_async(body: Callable[[asyncio.Event], Coroutine[Any, Any, int]]) -> int:
    """Run `body` with a stop event that SIGINT and SIGTERM set; no traceback on Ctrl-C."""

    async def wrapper() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        return await body(stop)

    try:
        return asyncio.run(wrapper())
    except KeyboardInterrupt:
        return 130


async def _migrate(settings: Settings) -> int:
    from storage.database import connect
    from storage.migrator import migrate

    db = await connect(settings.database_path)
    try:
        applied = await migrate(db)
    finally:
        await db.close()
    print(f"applied migrations: {applied}" if applied else "database is up to date")
    return 0


async def _sandbox(settings: Settings, stop: asyncio.Event) -> int:
    from bot.sandbox.terminal import run_sandbox

    await run_sandbox(settings, stop)
    return 0


async def _telegram(settings: Settings, stop: asyncio.Event) -> int:
    from bot.application import build_application
    from bot.runtime import serve_until

    assert settings.telegram_bot_token is not None
    application = build_application(
        settings,
        token=settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        file_url=settings.file_url,
    )
    mode = "webhook" if settings.webhook_url else "long polling"
    log.info("starting against %s (%s)", _host(settings.telegram_api_base_url), mode)
    await serve_until(application, stop, settings)
    log.info("stopped cleanly")
    return 0


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


if __name__ == "__main__":
    raise SystemExit(main())
