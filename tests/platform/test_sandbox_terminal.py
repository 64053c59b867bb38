"""The terminal chat of the sandbox: what a person types and sees there."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
from collections.abc import AsyncIterator
from pathlib import Path

from bot.application import AnyApplication
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.terminal import CITIZEN_ID, SandboxClock, TerminalChat, resume_drafts
from service.settings import Settings
from tests.conftest import TOKEN, Clock, make_app
from tests.helpers import plain_jpeg


async def shown(out: io.StringIO, text: str, timeout: float = 10.0) -> str:
    """Wait until the terminal shows `text`; return everything shown."""
    for _ in range(int(timeout / 0.05)):
        if text in out.getvalue():
            return out.getvalue()
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} not shown; screen:\n{out.getvalue()[-1500:]}")


async def test_typed_text_numbers_and_who_you_are(bot: AnyApplication, fake: FakeTelegram) -> None:
    out = io.StringIO()
    chat = TerminalChat(fake, out)
    assert chat.user.chat_id == CITIZEN_ID
    chat.handle_line("/lapor")
    await shown(out, "Langkah 1 dari 9")
    chat.handle_line("1")  # a button number presses the button
    await shown(out, "Apa yang terjadi?")
    chat.handle_line("1")
    await shown(out, "Ceritakan")
    chat.handle_line("Camat memasang spanduk calon dan foto di kantor kecamatan kemarin.")
    await shown(out, "Siapa yang melakukannya?")
    chat.handle_line("1")
    await shown(out, "nama, jabatan")
    chat.handle_line("lewati")
    await shown(out, "Di provinsi mana?")
    chat.handle_line("banten")
    await shown(out, "Di kabupaten/kota mana")
    assert "contoh: Kota Tangerang" in out.getvalue()  # an example from the chosen province
    chat.handle_line("<i>qqqq</i> & co")
    # what the reporter typed is shown exactly as typed: escaped once, parsed once
    await shown(out, '"<i>qqqq</i> & co" tidak saya temukan di Banten')
    chat.handle_line("/as bawaslu")
    assert "(you are now a Bawaslu handler (national))" in out.getvalue()
    chat.handle_line("/as citizen")
    # a phone number is typed text, not a press of button 81234...
    before = len(out.getvalue())
    chat.handle_line("081234567890")
    await shown(out, '"081234567890" tidak saya temukan')
    assert "(choose 1 to" not in out.getvalue()[before:]


async def test_date_command_moves_the_bots_clock(fake: FakeTelegram) -> None:
    zone = dt.timezone(dt.timedelta(hours=7))
    clock = SandboxClock()
    out = io.StringIO()
    chat = TerminalChat(fake, out, clock, zone)
    assert chat.handle_line("/date 2024-02-10")  # typed, as a person types it
    assert clock().astimezone(zone).date() == dt.date(2024, 2, 10)
    assert "(the bot's date is now 2024-02-10)" in out.getvalue()
    chat.handle_line("/date 10 Feb")
    assert "(use /date 2024-02-10" in out.getvalue()
    chat.handle_line("/date")
    assert abs(clock() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_each_sandbox_run_has_a_token_of_its_own() -> None:
    from sandbox.terminal import sandbox_token

    tokens = {sandbox_token() for _ in range(20)}
    assert len(tokens) == 20 and all(len(t.split(":", 1)[1]) >= 32 for t in tokens)


@contextlib.asynccontextmanager
async def served() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_after_a_restart_a_number_presses_a_button_of_the_question_now_asked(
    settings: Settings, clock: Clock
) -> None:
    first_out = io.StringIO()
    async with served() as first, running(make_app(settings, first, clock), settings):
        chat = TerminalChat(first, first_out)
        chat.handle_line("/lapor")
        await shown(first_out, "Langkah 1 dari 9")
        chat.handle_line("1")
        await shown(first_out, "Apa yang terjadi?")
    # the sandbox starts again on the same database: a new fake server that knows no messages
    out = io.StringIO()
    async with served() as second, running(make_app(settings, second, clock), settings) as app:
        chat = TerminalChat(second, out)
        await resume_drafts(app, chat)
        await shown(out, "an unfinished report of a citizen")
        screen = await shown(out, "[6] 6. Pengerahan massa")  # its buttons, numbered
        assert "Apa yang terjadi?" in screen
        chat.handle_line("6")  # the sixth button of the question now asked, not a place
        await shown(out, "Ceritakan kejadiannya")
        assert "tidak saya temukan" not in out.getvalue()


async def test_files_the_bot_sends_are_saved_in_the_sandbox(
    bot: AnyApplication, fake: FakeTelegram, tmp_path: Path
) -> None:
    out = io.StringIO()
    chat = TerminalChat(fake, out, files_dir=tmp_path / "sandbox-files")
    await bot.bot.send_document(CITIZEN_ID, b"%PDF-1.4 packet", filename="formulir-B1.pdf")
    screen = await shown(out, "[file saved as ")
    saved = next((tmp_path / "sandbox-files").iterdir())
    assert saved.name.endswith("formulir-B1.pdf") and saved.read_bytes() == b"%PDF-1.4 packet"
    assert str(saved) in screen
    await bot.bot.send_photo(CITIZEN_ID, photo=plain_jpeg())
    await shown(out, ".jpg]", timeout=5)
    assert len(list((tmp_path / "sandbox-files").iterdir())) == 2
    assert chat.user.chat_id == CITIZEN_ID
