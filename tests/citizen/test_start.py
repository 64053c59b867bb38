"""End to end over HTTP: /start in the user's language, the menu, the language switch."""

from __future__ import annotations

from collections.abc import Callable

from bot.application import AnyApplication
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, buttons


async def test_start_in_indonesian(bot: AnyApplication, people: Callable[..., FakeUser]) -> None:
    user = people("id", "Sari")
    user.send("/start")
    welcome = await user.expect("Selamat datang di Lapor Netral, Sari.")
    labels = [label for label, _ in buttons(welcome)]
    assert "📝 Buat laporan" in labels
    assert "🔎 Cek status" in labels


async def test_start_in_english(bot: AnyApplication, people: Callable[..., FakeUser]) -> None:
    user = people("en", "John")
    user.send("/start")
    welcome = await user.expect("Welcome to Lapor Netral, John.")
    assert "📝 Make a report" in [label for label, _ in buttons(welcome)]


async def test_user_text_is_escaped(bot: AnyApplication, people: Callable[..., FakeUser]) -> None:
    user = people("id", "<b>Budi & co</b>")
    user.send("/start")
    await user.expect("Selamat datang di Lapor Netral, <b>Budi & co</b>.")


async def test_language_switch_is_remembered(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    user.send("/start")
    welcome = await user.expect("Selamat datang")
    user.press(welcome, "m:language")
    await user.expect("Language changed to English.")
    assert "reply_markup" not in fake.bot_messages(user.chat_id)[0]  # old buttons removed
    user.send("/bantuan")
    await user.expect("/report — make a new report")
    user.send("/bahasa")
    await user.expect("Bahasa diganti ke Bahasa Indonesia.")


async def test_commands_are_published(bot: AnyApplication, fake: FakeTelegram) -> None:
    assert [c["command"] for c in fake.commands[""]][:2] == ["lapor", "status"]
    assert [c["command"] for c in fake.commands["en"]][:2] == ["report", "status"]


async def test_unknown_command_and_group_message(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    user.send("/terbang")
    await user.expect("Perintah itu tidak dikenal")
    group = people("id", chat={"id": -100123, "type": "group", "title": "Warga RT 5"})
    group.send("/lapor")
    await group.expect("hanya diterima lewat chat pribadi")
