"""The terminal chat of the sandbox: what a person types and sees there."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

from bot.application import AnyApplication
from bot.sandbox.fake_api import FakeTelegram
from bot.sandbox.terminal import CITIZEN_ID, SandboxClock, TerminalChat


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


def test_date_command_moves_the_bots_clock() -> None:
    zone = dt.timezone(dt.timedelta(hours=7))
    clock = SandboxClock()
    out = io.StringIO()
    chat = TerminalChat.__new__(TerminalChat)
    chat.out, chat.clock, chat.zone = out, clock, zone
    chat._set_date("2024-02-10")
    assert clock().astimezone(zone).date() == dt.date(2024, 2, 10)
    assert "(the bot's date is now 2024-02-10)" in out.getvalue()
    chat._set_date("10 Feb")
    assert "(use /date 2024-02-10" in out.getvalue()
    chat._set_date("")
    assert abs(clock() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_each_sandbox_run_has_a_token_of_its_own() -> None:
    from bot.sandbox.terminal import sandbox_token

    tokens = {sandbox_token() for _ in range(20)}
    assert len(tokens) == 20 and all(len(t.split(":", 1)[1]) >= 32 for t in tokens)
