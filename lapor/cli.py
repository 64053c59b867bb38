"""The command line, and the composition root that starts what it asks for:
`python -m lapor [run|sandbox|migrate|ingress|worker|genkey|explain|staff|export|...]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import secrets
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet
from pydantic import SecretStr
from telegram.error import InvalidToken

from conversations.datafiles import DataFileError
from conversations.jurisdiction.engine import Jurisdiction, build_jurisdiction
from conversations.jurisdiction.ruleset import shipped_rules
from lapor.explain import ExplainError, explain
from lapor.explain import add_arguments as add_explain_arguments
from lapor.logs import setup_logging
from service import operations
from service.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.application import AnyApplication


log = logging.getLogger("bot")


def parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    top = argparse.ArgumentParser(prog="lapor-netral", description="Lapor Netral Telegram bot")
    sub = top.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the sandbox when TELEGRAM_BOT_TOKEN is not set)")
    sub.add_parser("sandbox", help="run the fake Bot API and a terminal chat")
    sub.add_parser("migrate", help="apply database migrations and exit")
    ingress = sub.add_parser(
        "ingress",
        help="take Telegram's webhook calls into the PostgreSQL inbox (with `worker`)",
        description="The webhook endpoint of several workers: needs DATABASE_URL, WEBHOOK_URL"
        " and WEBHOOK_SECRET; listens on WEBHOOK_LISTEN:WEBHOOK_PORT; /healthz and /readyz.",
    )
    ingress.add_argument(
        "--no-register", action="store_true", help="do not call setWebhook (another did)"
    )
    worker = sub.add_parser(
        "worker",
        help="handle updates from the PostgreSQL inbox (run any number, on any machine)",
        description="Needs DATABASE_URL. Runs the handlers, the outbox and the jobs; the web"
        " console too when WEB_PORT is set (with /healthz and /readyz).",
    )
    worker.add_argument(
        "--lanes", type=int, default=8, help="updates of different chats handled at once"
    )
    genkey = sub.add_parser("genkey", help="print a new DATA_KEY (or WEBHOOK_SECRET)")
    genkey.add_argument(
        "what", nargs="?", choices=["data", "webhook"], default="data",
        help="data: a DATA_KEY (default); webhook: a WEBHOOK_SECRET",
    )  # fmt: skip
    add_explain_arguments(
        sub.add_parser("explain", help="print the jurisdiction decision for the given facts")
    )
    elections = sub.add_parser(
        "elections", help="list the election windows, or check them for what is missing"
    )
    elections.add_argument("action", choices=["list", "check"], nargs="?", default="check")
    staff = sub.add_parser("staff", help="add, change, remove or list staff members")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_sub.add_parser("add", help="add or change: USER_ID AGENCY [SCOPE]")
    add.add_argument("user_id", type=int)
    agencies = shipped_rules().staff_agencies()
    add.add_argument("agency", help=f"one of: {', '.join(agencies)}")
    add.add_argument(
        "scope",
        nargs="*",
        default=[],
        help="a province or regency/city, as a code (36, 36.73) or a name (banten, kota serang);"
        " none: national",
    )
    remove = staff_sub.add_parser("remove", help="remove: USER_ID")
    remove.add_argument("user_id", type=int)
    staff_sub.add_parser("list", help="list staff members")
    backup = sub.add_parser("backup", help="write a consistent copy of the database (bot may run)")
    backup.add_argument("path", type=Path)
    rotate = sub.add_parser(
        "rotate-key",
        help="re-encrypt all data with a new DATA_KEY",
        description="Change the data key: set DATA_KEY to the new key, a comma, and the old key"
        " (DATA_KEY=NEW,OLD) for every process of the bot and restart them (they keep running"
        " while this runs), run this once, then set DATA_KEY to the new key alone and restart."
        " A process still on the old key alone stops within 30 seconds of the start (what it"
        " wrote is resealed); the new key alone is accepted only once this has finished.",
    )
    rotate.add_argument(
        "--grace",
        type=float,
        default=2 * operations.KEY_WATCH_SECONDS + 10,
        help="seconds to wait for processes on the old key alone to stop (default %(default)s)",
    )
    purge = sub.add_parser("purge", help="remove identity and evidence of old closed cases")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be removed")
    export = sub.add_parser("export", help="write a CSV of cases (no identity unless open)")
    export.add_argument(
        "--since", type=dt.date.fromisoformat, help="filed on or after (YYYY-MM-DD)"
    )
    export.add_argument("--until", type=dt.date.fromisoformat, help="filed on or before")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = parser().parse_args(argv)
    command = args.command or "run"
    if command == "genkey":
        webhook = args.what == "webhook"
        print(secrets.token_urlsafe(32) if webhook else Fernet.generate_key().decode("ascii"))
        return 0
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"lapor-netral: {error}", file=sys.stderr)
        return 2
    hidden = [
        s.get_secret_value()
        for s in (settings.telegram_bot_token, settings.data_key, settings.webhook_secret)
        if s
    ]
    sandbox = command == "sandbox" or (command == "run" and settings.sandbox)
    # The sandbox terminal is a chat: its log goes to a file beside the database.
    log_file = settings.database_path.parent / "sandbox.log" if sandbox else None
    setup_logging(settings.log_level, hidden, log_file)
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
    if command == "elections":
        print(election_windows(jurisdiction, dt.datetime.now(settings.zone).date(), args.action))
        return 0
    if command == "migrate":
        return _run_async(lambda stop: _migrate(settings))
    if command in {"ingress", "worker"}:
        missing = [
            name
            for name, value in (
                ("DATABASE_URL", settings.database_url),
                ("TELEGRAM_BOT_TOKEN", settings.telegram_bot_token),
                ("DATA_KEY", settings.data_key),
                ("WEBHOOK_URL", settings.webhook_url if command == "ingress" else "-"),
            )
            if not value
        ]
        if missing:
            print(f"lapor-netral {command}: set {', '.join(missing)}", file=sys.stderr)
            return 2
    admin = command in {"staff", "export", "backup", "purge", "rotate-key"}
    if admin and settings.sandbox:
        settings = with_sandbox_key(settings)  # the sandbox's own database and key
    if admin or not sandbox:
        if settings.data_key is None:
            print("lapor-netral: DATA_KEY is not set (python -m lapor genkey)", file=sys.stderr)
            return 2
        checked = _run_async(lambda stop: _check_key(settings, args.command == "rotate-key"))
        if checked != 0:
            return checked
    if admin:
        return _run_async(lambda stop: _admin(settings, args))
    if command == "ingress":
        return _run_async(lambda stop: _ingress(settings, stop, register=not args.no_register))
    if command == "worker":
        return _run_async(lambda stop: _worker(settings, stop, max(1, args.lanes)))
    if sandbox:
        settings = with_sandbox_key(settings)
        return _run_async(lambda stop: _sandbox(settings, stop))
    return _run_async(lambda stop: _telegram(settings, stop))


def election_windows(jurisdiction: Jurisdiction, today: dt.date, action: str) -> str:
    """The election windows the bot routes by (and the expected ones), and for `check` what an
    operator must add or confirm."""
    lines = [f"election windows (today {today.isoformat()}):"]
    for window in jurisdiction.elections.elections:
        where = ", ".join(window.regions) or "everywhere"
        state = "EXPECTED (warns only)" if window.status == "expected" else "confirmed"
        lines.append(
            f"- {window.name} [{window.kind}, {state}]: {window.start} to {window.end},"
            f" voting {window.voting_day}; {where}; source: {window.source}"
        )
    if action == "check":
        found = jurisdiction.elections.warnings(today)
        lines += [f"warning: {w}" for w in found] or ["ok: a confirmed window is known ahead"]
    return "\n".join(lines)


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
    applied = await operations.migrate_database(settings)
    print(f"applied migrations: {applied}" if applied else "database is up to date")
    return 0


async def _check_key(settings: Settings, rotating: bool) -> int:
    """Before anything reads encrypted data: does DATA_KEY fit this database?"""
    try:
        key_count = await operations.check_data_key(settings)
    except operations.WrongKeyError as error:
        print(f"lapor-netral: {error}", file=sys.stderr)
        return 2
    if key_count > 1 and not rotating:
        log.warning("DATA_KEY holds %s keys: run `rotate-key`, then keep only the first", key_count)
    return 0


async def _admin(settings: Settings, args: argparse.Namespace) -> int:
    from conversations.casefilters import Filters
    from service.casedesk import add_staff, export_csv, staff_list
    from service.jobs import purge_old_cases
    from service.services import open_services

    svc = await open_services(settings)
    try:
        if args.command == "backup":
            await operations.backup(svc, args.path)
            print(f"backup written to {args.path}")
        elif args.command == "purge":
            result = await purge_old_cases(svc, dry_run=args.dry_run)
            verb = "would be" if args.dry_run else "were"
            files = len(result.evidence_files)
            print(f"{result.cases} closed cases {verb} anonymised, {files} evidence files removed")
        elif args.command == "rotate-key":
            grace = args.grace if svc.cipher.key_count > 1 else 0.0
            print(f"waiting {grace:.0f} s for processes on the old key alone to stop", flush=True)
            try:
                rewritten = await operations.rotate_key(svc, grace)
            except operations.RotationIncompleteError as error:
                print(f"lapor-netral: {error}", file=sys.stderr)
                return 1
            print(
                f"{rewritten} encrypted values now use the first key of DATA_KEY;"
                " set DATA_KEY to that key alone and restart the bot"
            )
        elif args.command == "export":
            data, count = await export_csv(svc, None, Filters(since=args.since, until=args.until))
            if args.out:
                args.out.write_bytes(data)
                print(f"{count} cases written to {args.out}", file=sys.stderr)
            else:
                sys.stdout.write(data.decode("utf-8-sig"))
        elif args.staff_command == "add":
            scope = " ".join(args.scope)
            ok, answer = await add_staff(svc, args.user_id, args.agency, scope, None, "en")
            print(answer, file=sys.stdout if ok else sys.stderr)
            return 0 if ok else 1
        elif args.staff_command == "remove":
            removed = await operations.remove_staff(svc, args.user_id)
            print(f"removed {args.user_id}" if removed else f"no staff member {args.user_id}")
            return 0 if removed else 1
        else:
            for member in await staff_list(svc):
                scope = member.scope or "national"
                blocked = " (blocked the bot)" if member.blocked else ""
                print(f"{member.user_id}\t{member.agency}\t{scope}{blocked}")
    finally:
        await svc.db.close()
    return 0


async def _sandbox(settings: Settings, stop: asyncio.Event) -> int:
    from lapor.runtime import running
    from sandbox.terminal import run_sandbox

    await run_sandbox(settings, stop, running)
    return 0


def _application(settings: Settings) -> AnyApplication:
    """The bot against the Bot API server of the settings."""
    from bot.application import build_application

    assert settings.telegram_bot_token is not None
    return build_application(
        settings,
        token=settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        file_url=settings.file_url,
    )


async def _telegram(settings: Settings, stop: asyncio.Event) -> int:
    from lapor.runtime import serve_until

    application = _application(settings)
    mode = "webhook" if settings.webhook_url else "long polling"
    log.info("starting against %s (%s)", _host(settings.telegram_api_base_url), mode)
    try:
        await serve_until(application, stop, settings)
    except InvalidToken:
        # PTB's message quotes the token: say it in our words instead
        host = _host(settings.telegram_api_base_url)
        print(
            f"lapor-netral: the Bot API server at {host} refused the bot token; check"
            " TELEGRAM_BOT_TOKEN (and TELEGRAM_API_BASE_URL)",
            file=sys.stderr,
        )
        return 2
    log.info("stopped cleanly")
    return 0


async def _ingress(settings: Settings, stop: asyncio.Event, *, register: bool) -> int:
    from aiohttp import web

    from bot.ingress import build_ingress, register_webhook
    from service.services import open_services
    from whatsapp.webhook import ingress_routes

    assert settings.telegram_bot_token is not None
    svc = await open_services(settings)
    ingress = build_ingress(svc)
    if settings.whatsapp_token is not None:  # WhatsApp's webhook calls go to the same inbox
        ingress.add_routes(ingress_routes(svc))
    runner = web.AppRunner(ingress, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.webhook_listen, settings.webhook_port).start()
        if register:
            await register_webhook(svc, settings.telegram_bot_token.get_secret_value())
        log.info("ingress listening on %s:%s", settings.webhook_listen, settings.webhook_port)
        await stop.wait()
    finally:
        await runner.cleanup()
        await svc.db.close()
    log.info("stopped cleanly")
    return 0


async def _worker(settings: Settings, stop: asyncio.Event, lanes: int) -> int:
    from bot.botdata import services_of_application
    from bot.worker import work
    from lapor.runtime import inbox_channels, running, settle_startup_memory

    application = _application(settings)
    async with running(application, settings, inbox=True):
        settle_startup_memory()
        channels = inbox_channels(services_of_application(application))
        await work(application, stop, lanes, channels)
    log.info("stopped cleanly")
    return 0


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


if __name__ == "__main__":
    raise SystemExit(main())
