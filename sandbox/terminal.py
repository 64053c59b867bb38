"""`make run` without a token: the fake Bot API on loopback, the bot, and a chat in the terminal."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
import socket
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TextIO

from pydantic import SecretStr

from bot.application import AnyApplication, build_application
from bot.botdata import services_of_application
from bot.chat import TelegramChat
from sandbox.fake_api import JSON, FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from sandbox.fake_whatsapp import FakeWhatsApp, choices, text_of
from service.settings import Settings


def sandbox_token() -> str:
    """A bot token for one sandbox run: a fixed one would let any local process post into the
    sandbox chat, or take its updates, through the fake server on loopback."""
    return f"1000001:{secrets.token_urlsafe(24)}"


CITIZEN_ID = 10001
STAFF_ID = 90001  # Ombudsman RI, national, and an administrator
BAWASLU_ID = 90002  # Bawaslu, national

HELP = """Sandbox chat. Type as you would in Telegram; a number (1-99) presses that button.
  /as citizen | /as staff | /as bawaslu   switch who you are (staff: Ombudsman RI, admin)
  /as whatsapp              be a citizen on WhatsApp (a fake Cloud API: lists, reply buttons)
  then as staff: /kasus, /digest, /ekspor, /petugas for the staff commands, and /web for
                            a sign-in link to the web console (open it in a browser)
  /photo PATH | /file PATH   send a picture or a file as evidence
  /location LAT LON         share a location
  /contact                  share your phone number
  /date YYYY-MM-DD          make the bot believe today is that day (e.g. 2024-02-10, during
                            the Pemilu 2024 stages); /date alone goes back to the real date
  /quit                     leave (Ctrl-C works too)"""

WHATSAPP_NUMBER = "6281200001001"  # the sandbox's WhatsApp citizen

WHO = {
    "whatsapp": "a citizen on WhatsApp",
    "citizen": "a citizen",
    "staff": "an Ombudsman RI handler (national) and administrator",
    "bawaslu": "a Bawaslu handler (national)",
}


class SandboxClock:
    """The bot's clock: the real time, moved to another day with /date."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def set_day(self, day: dt.date | None, zone: dt.tzinfo) -> None:
        """Make today `day` in `zone` at the current time of day (None: the real date)."""
        if day is None:
            self.offset = dt.timedelta()
            return
        now = dt.datetime.now(zone)
        self.offset = dt.datetime.combine(day, now.timetz()) - now


class TerminalChat:
    """Prints what the bot says to the current user and turns typed lines into user actions."""

    def __init__(
        self,
        server: FakeTelegram,
        out: TextIO,
        clock: SandboxClock | None = None,
        zone: dt.tzinfo = dt.UTC,
        files_dir: Path | None = None,
        whatsapp: FakeWhatsApp | None = None,
    ) -> None:
        self.server = server
        self.out = out
        self.files_dir = files_dir  # where the files the bot sends are saved (None: nowhere)
        self.clock = clock or SandboxClock()
        self.zone = zone
        language = "id"
        self.users = {
            "citizen": FakeUser(server, CITIZEN_ID, "Warga", language),
            "staff": FakeUser(server, STAFF_ID, "Petugas Ombudsman", language),
            "bawaslu": FakeUser(server, BAWASLU_ID, "Petugas Bawaslu", language),
        }
        self.current = "citizen"
        self._shown: dict[tuple[int, int], str] = {}
        server.listeners.append(self._on_bot_message)
        self.person = whatsapp.person(WHATSAPP_NUMBER, "Warga") if whatsapp else None
        if whatsapp is not None:
            whatsapp.listeners.append(self._on_whatsapp_message)
        self._sending: asyncio.Future[None] | None = None  # the WhatsApp person's last action

    @property
    def user(self) -> FakeUser:
        """The Telegram user typing now (the citizen while the WhatsApp person types)."""
        return self.users.get(self.current, self.users["citizen"])

    def _on_bot_message(self, kind: str, message: JSON) -> None:
        chat_id = message["chat"]["id"]
        key = (chat_id, message["message_id"])
        text = str(message.get("text") or message.get("caption") or "")
        previous = self._shown.get(key)
        self._shown[key] = text
        if kind == "edit" and previous == text:
            return  # only the buttons changed
        who = "" if chat_id == self.user.chat_id else f"[to {self._name(chat_id)}] "
        if "photo" in message or "document" in message:
            text = f"[file {self._save(message)}] {text}"
        # The server keeps what Telegram shows: the text after its HTML was parsed, so what a
        # person typed appears exactly as typed.
        self.out.write(f"\n{who}🤖 {text}\n")
        for number, (label, _) in enumerate(buttons(message), start=1):
            self.out.write(f"   [{number}] {label}\n")
        self.out.flush()

    def _on_whatsapp_message(self, to: str, message: JSON) -> None:
        who = "" if self.current == "whatsapp" else "[to whatsapp] "
        self.out.write(f"\n{who}🟢 {text_of(message)}\n")
        for number, choice in enumerate(choices(message), start=1):
            self.out.write(f"   [{number}] {choice.label}\n")
        self.out.flush()

    def _whatsapp(self, line: str) -> None:
        """A typed line as the WhatsApp person's action, after their previous one."""
        person = self.person
        assert person is not None
        previous = self._sending

        async def act() -> None:
            if previous is not None:
                await previous
            if line.isdigit() and len(line) <= 2:
                if await person.press_number(int(line)) is None:
                    await person.say(line)
            elif line.startswith(("/photo ", "/file ")):
                command, _, name = line.partition(" ")
                data = self._read(name)
                if data is not None and command == "/photo":
                    await person.send_photo(data)
                elif data is not None:
                    await person.send_document(data, Path(name).name, "application/octet-stream")
            elif line.startswith("/location "):
                parts = line.split()
                await person.send_location(float(parts[1]), float(parts[2]))
            elif line == "/contact":
                await person.share_contact(f"+{WHATSAPP_NUMBER}")
            else:
                await person.say(line)

        self._sending = asyncio.ensure_future(act())

    def _read(self, name: str) -> bytes | None:
        path = Path(name.strip()).expanduser()
        try:
            return path.read_bytes()
        except OSError as exc:
            self.out.write(f"(cannot read {path}: {exc.strerror})\n")
            return None

    def _save(self, message: JSON) -> str:
        """Save a file the bot sent under files_dir; where it is, to print."""
        if "document" in message:
            sent = message["document"]
            name = Path(str(sent.get("file_name") or "")).name
        else:
            sent = message["photo"][-1]  # the largest size
            name = ""
        stored = self.server.files.get(str(sent.get("file_id")))
        if stored is None or self.files_dir is None:
            return "not saved"
        name = name or f"{stored.file_unique_id}.jpg"  # Telegram sends every photo as a JPEG
        self.files_dir.mkdir(parents=True, exist_ok=True)
        target = self.files_dir / f"{message['message_id']}-{name}"
        target.write_bytes(stored.data)
        return f"saved as {target}"

    def _name(self, chat_id: int) -> str:
        for name, user in self.users.items():
            if user.chat_id == chat_id:
                return name
        return str(chat_id)

    def handle_line(self, line: str) -> bool:
        """Act on one typed line; False means leave."""
        line = line.strip()
        if not line:
            return True
        if line in {"/quit", "/exit", "/keluar"}:
            return False
        if line in {"/sandbox", "/?"}:
            self.out.write(HELP + "\n")
        elif line.startswith("/as "):
            who = line.split(maxsplit=1)[1].strip()
            if who in self.users or (who == "whatsapp" and self.person is not None):
                self.current = who
                self.out.write(f"(you are now {WHO[who]})\n")
            else:
                self.out.write("(use /as citizen, /as whatsapp, /as staff or /as bawaslu)\n")
        elif self.current == "whatsapp":
            self._whatsapp(line)
        elif line == "/date" or line.startswith("/date "):
            self._set_date(line.removeprefix("/date").strip())
        elif line.isdigit() and len(line) <= 2:  # longer numbers (a phone number) are typed text
            self._press(int(line))
        elif line.startswith(("/photo ", "/file ")):
            self._upload(line)
        elif line.startswith("/location "):
            parts = line.split()
            try:
                self.user.share_location(float(parts[1]), float(parts[2]))
            except (IndexError, ValueError):
                self.out.write("(use /location -6.12 106.15)\n")
        elif line == "/contact":
            self.user.share_contact("+6281234567890")
        else:
            self.user.send(line)
        self.out.flush()
        return True

    def _set_date(self, value: str) -> None:
        try:
            day = dt.date.fromisoformat(value) if value else None
        except ValueError:
            self.out.write("(use /date 2024-02-10, or /date alone for today)\n")
            return
        self.clock.set_day(day, self.zone)
        shown = (day or dt.datetime.now(self.zone).date()).isoformat()
        self.out.write(f"(the bot's date is now {shown})\n")

    def _press(self, number: int) -> None:
        for message in reversed(self.user.bot_messages()):
            options = buttons(message)
            if options:
                if 1 <= number <= len(options):
                    self.user.press(message, options[number - 1][1])
                else:
                    self.out.write(f"(choose 1 to {len(options)})\n")
                return
        self.user.send(str(number))

    def _upload(self, line: str) -> None:
        command, _, name = line.partition(" ")
        path = Path(name.strip()).expanduser()
        data = self._read(name)
        if data is None:
            return
        if command == "/photo":
            self.user.send_photo(data)
        else:
            mime = (
                "image/jpeg"
                if path.suffix.lower() in {".jpg", ".jpeg"}
                else "application/octet-stream"
            )
            self.user.send_document(data, path.name, mime)


def port_taken(settings: Settings) -> bool:
    """Whether another program listens on the console's address."""
    with socket.socket(socket.AF_INET6 if ":" in settings.web_listen else socket.AF_INET) as probe:
        try:
            probe.bind((settings.web_listen, settings.web_port))
        except OSError:
            return True
    return False


def free_port(host: str) -> int:
    """A port nobody listens on now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _console_line(application: AnyApplication, settings: Settings) -> str:
    """Where the web console is, only when it is listening."""
    if not settings.web_port:
        return ""
    if services_of_application(application).console_listening:
        return f"Web console on {settings.console_url} (/as staff, then /web to sign in).\n"
    where = f"{settings.web_listen}:{settings.web_port}"
    return f"(the web console could not listen on {where}: /web makes no links)\n"


async def resume_drafts(application: AnyApplication, chat: TerminalChat) -> None:
    """After a restart, show each sandbox user's unfinished report at its current question, so
    that a typed number presses a button of the question now asked (the fake server forgot the
    old messages)."""
    from conversations.flow import prompt
    from service.reporting import open_report

    svc = services_of_application(application)
    for name, user in chat.users.items():
        port = TelegramChat(application.bot, user.chat_id)
        language, draft = await open_report(svc, port.address, None)
        if draft is None:
            continue
        chat.out.write(f"(an unfinished report of {WHO[name]}, from before the restart)\n")
        context = svc.context(language, user.user_id)
        await port.send([prompt(draft, context)], language)


async def _seed_staff(application: AnyApplication) -> None:
    """The sandbox's staff: Ombudsman RI and Bawaslu, both national."""
    from service.casedesk import add_staff, staff_list

    svc = services_of_application(application)
    known = {member.user_id for member in await staff_list(svc)}
    for user_id, agency in ((STAFF_ID, "ombudsman"), (BAWASLU_ID, "bawaslu")):
        if user_id not in known:
            await add_staff(svc, user_id, agency, "", None, "en")


def _read_lines(
    loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None], source: TextIO
) -> None:
    for line in source:
        loop.call_soon_threadsafe(queue.put_nowait, line)
    loop.call_soon_threadsafe(queue.put_nowait, None)


Serve = Callable[[AnyApplication, Settings], AbstractAsyncContextManager[AnyApplication]]


async def run_sandbox(
    settings: Settings,
    stop: asyncio.Event,
    serve: Serve,
    source: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
) -> None:
    """Run the fake server, the bot (with its console: `serve`, given by the composition root)
    and the terminal chat until /quit, end of input or `stop`."""
    token = sandbox_token()
    server = FakeTelegram(token)
    await server.start()
    settings = settings.model_copy(
        update={"admin_user_ids": sorted({*settings.admin_user_ids, STAFF_ID})}
    )
    moved = ""
    if settings.web_port and not settings.web_base_url and port_taken(settings):
        taken = settings.web_port
        settings = settings.model_copy(update={"web_port": free_port(settings.web_listen)})
        moved = (
            f"(port {taken} is taken by another program: the console uses {settings.web_port})\n"
        )
    clock = SandboxClock()
    cloud = FakeWhatsApp(clock=clock)
    await cloud.start()
    whatsapp_port = free_port("127.0.0.1")
    cloud.webhook_url = f"http://127.0.0.1:{whatsapp_port}/whatsapp"
    settings = settings.model_copy(
        update={
            "whatsapp_token": SecretStr(cloud.token),
            "whatsapp_phone_number_id": cloud.phone_id,
            "whatsapp_app_secret": SecretStr(cloud.app_secret),
            "whatsapp_verify_token": SecretStr(cloud.verify_token),
            "whatsapp_api_base_url": cloud.base_url,
            "whatsapp_listen": "127.0.0.1",
            "whatsapp_port": whatsapp_port,
        }
    )
    application = build_application(
        settings,
        token=token,
        base_url=server.base_url,
        file_url=server.file_url,
        clock=clock,
    )
    files = settings.database_path.parent / "sandbox-files"
    chat = TerminalChat(server, out, clock, settings.zone, files_dir=files, whatsapp=cloud)
    out.write(
        f"Lapor Netral sandbox: fake Bot API on {server.base_url}, fake WhatsApp Cloud API on"
        f" {cloud.base_url}, database {settings.database_path}\n{moved}"
    )
    out.flush()
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    threading.Thread(target=_read_lines, args=(loop, lines, source), daemon=True).start()
    try:
        async with serve(application, settings):
            await _seed_staff(application)
            out.write(_console_line(application, settings))
            out.write(HELP + "\nType /start to begin.\n")
            out.flush()
            await resume_drafts(application, chat)
            stopper = asyncio.ensure_future(stop.wait())
            while True:
                getter = asyncio.ensure_future(lines.get())
                done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if stopper in done:
                    getter.cancel()
                    break
                line = getter.result()
                if line is None or not chat.handle_line(line):
                    break
            stopper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopper
            await asyncio.sleep(0.3)  # let a reply in flight reach the screen
    finally:
        await cloud.stop()
        await server.stop()
        out.write("\nSandbox stopped.\n")
        out.flush()
