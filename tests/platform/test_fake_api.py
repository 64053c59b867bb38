"""The fake Bot API server behaves like Telegram's: long polling, offsets, errors, files, faults."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from tests.conftest import TOKEN


@pytest.fixture
async def ptb(fake: FakeTelegram) -> Bot:
    bot = Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.file_url)
    await bot.initialize()
    yield bot  # type: ignore[misc]
    await bot.shutdown()


async def call(
    fake: FakeTelegram, method: str, token: str = TOKEN, **kwargs: object
) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"{fake.base_url}{token}/{method}", **kwargs)  # type: ignore[arg-type]


async def test_get_me_and_wrong_token(fake: FakeTelegram, ptb: Bot) -> None:
    assert ptb.username == "LaporNetralBot"
    assert ptb.id == 123456
    response = await call(fake, "getMe", token="123456:wrong")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    with pytest.raises(InvalidToken):
        await Bot("123456:wrong", base_url=fake.base_url).get_me()


async def test_long_poll_waits_for_an_update(fake: FakeTelegram, ptb: Bot) -> None:
    user = FakeUser(fake, 42)
    started = time.monotonic()
    poll = asyncio.create_task(ptb.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    assert not poll.done()
    user.send("halo")
    updates = await poll
    assert time.monotonic() - started < 4
    assert [u.message.text for u in updates if u.message] == ["halo"]


async def test_long_poll_times_out_empty(fake: FakeTelegram, ptb: Bot) -> None:
    assert await ptb.get_updates(timeout=0.3) == ()  # type: ignore[arg-type]


async def test_offset_confirms_updates(fake: FakeTelegram, ptb: Bot) -> None:
    user = FakeUser(fake, 42)
    for text in ("a", "b", "c"):
        user.send(text)
    first = await ptb.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["a", "b"]
    again = await ptb.get_updates()
    assert len(again) == 3  # nothing confirmed yet
    rest = await ptb.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["c"]
    assert await ptb.get_updates(offset=rest[-1].update_id + 1) == ()


async def test_allowed_updates_filter(fake: FakeTelegram, ptb: Bot) -> None:
    user = FakeUser(fake, 42)
    user.send("text")
    sent = await ptb.send_message(42, "pilih", reply_markup=_keyboard())
    user.press(sent.to_dict(), "x")
    updates = await ptb.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in updates if u.callback_query] == ["x"]
    assert all(u.message is None for u in updates)


async def test_a_second_poller_conflicts(fake: FakeTelegram, ptb: Bot) -> None:
    first = asyncio.create_task(ptb.get_updates(timeout=3))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(call(fake, "getUpdates", data={"timeout": "0.5"}))
    with pytest.raises(Conflict):
        await first
    assert (await second).json() == {"ok": True, "result": []}


async def test_send_edit_and_not_modified(fake: FakeTelegram, ptb: Bot) -> None:
    FakeUser(fake, 42)
    sent = await ptb.send_message(42, "<b>Halo</b> &amp; selamat", parse_mode="HTML")
    assert sent.text == "Halo & selamat"
    edited = await ptb.edit_message_text("Baru", chat_id=42, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "Baru"  # the edited message back
    assert fake.bot_messages(42)[-1]["text"] == "Baru"
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await ptb.edit_message_text("Baru", chat_id=42, message_id=sent.message_id)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>tebal", "Can't find end tag"),
        ("1 < 2", "Unsupported start tag"),
        ("<script>x</script>", "Unsupported start tag"),
        ("A & B", "Character entity expected"),
        ("x" * 4097, "message is too long"),
        ("   ", "message text is empty"),
    ],
)
async def test_send_refuses_what_telegram_refuses(
    fake: FakeTelegram, ptb: Bot, text: str, error: str
) -> None:
    FakeUser(fake, 42)
    with pytest.raises(BadRequest, match=rf"(?i){error}"):
        await ptb.send_message(42, text, parse_mode="HTML")


async def test_unknown_chat_and_blocked_user(fake: FakeTelegram, ptb: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await ptb.send_message(99, "halo")
    FakeUser(fake, 43)
    fake.blocked_chats.add(43)
    with pytest.raises(Forbidden, match=r"(?i)blocked"):
        await ptb.send_message(43, "halo")


async def test_callback_data_limit_and_single_answer(fake: FakeTelegram, ptb: Bot) -> None:
    user = FakeUser(fake, 42)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await ptb.send_message(
            42,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("a", callback_data="d" * 65)]]
            ),
        )
    sent = await ptb.send_message(42, "pilih", reply_markup=_keyboard())
    update = user.press(sent.to_dict(), "x")
    query_id = update["callback_query"]["id"]
    assert await ptb.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await ptb.answer_callback_query(query_id)


async def test_upload_and_download_files(fake: FakeTelegram, ptb: Bot) -> None:
    user = FakeUser(fake, 42)
    payload = bytes(range(256)) * 40
    user.send_document(payload, "bukti.pdf", "application/pdf")
    [update] = await ptb.get_updates()
    assert update.message is not None and update.message.document is not None
    file = await update.message.document.get_file()
    assert file.file_path is not None and file.file_path.startswith(fake.file_url)
    assert bytes(await file.download_as_bytearray()) == payload
    sent = await ptb.send_photo(
        42, b"\xff\xd8\xff photo bytes", caption="<i>foto</i>", parse_mode="HTML"
    )
    assert sent.caption == "foto"
    assert sent.photo
    again = await ptb.send_document(42, update.message.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == update.message.document.file_unique_id
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await ptb.get_file("nonexistent")


async def test_json_bodies_are_accepted(fake: FakeTelegram) -> None:
    FakeUser(fake, 42)
    response = await call(
        fake,
        "sendMessage",
        json={
            "chat_id": 42,
            "text": "json",
            "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]},
        },
    )
    body = response.json()
    assert body["ok"] is True
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "b"


async def test_unknown_method_is_404(fake: FakeTelegram) -> None:
    response = await call(fake, "sendTelepathy")
    assert response.status_code == 404
    assert response.json()["description"] == "Not Found"


async def test_fault_429_carries_retry_after(fake: FakeTelegram, ptb: Bot) -> None:
    FakeUser(fake, 42)
    fake.inject("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await ptb.send_message(42, "x")
    assert caught.value.retry_after in (7, dt.timedelta(seconds=7))
    assert fake.bot_messages(42) == []
    await ptb.send_message(42, "x")  # the switch fired once
    assert len(fake.bot_messages(42)) == 1


async def test_fault_5xx_drop_and_lost_reply(fake: FakeTelegram, ptb: Bot) -> None:
    FakeUser(fake, 42)
    fake.inject("sendMessage", "5xx", status=502)
    with pytest.raises(NetworkError):
        await ptb.send_message(42, "a")
    fake.inject("sendMessage", "drop")
    with pytest.raises(NetworkError):
        await ptb.send_message(42, "b")
    assert fake.bot_messages(42) == []  # neither was processed
    fake.inject("sendMessage", "lost_reply")
    with pytest.raises(NetworkError):
        await ptb.send_message(42, "c")
    assert [m["text"] for m in fake.bot_messages(42)] == ["c"]  # processed, reply lost
    outcomes = [c.outcome for c in fake.calls if c.method == "sendmessage"]
    assert outcomes == ["502", "dropped", "processed-reply-lost"]


async def test_fault_slow_reply(fake: FakeTelegram, ptb: Bot) -> None:
    FakeUser(fake, 42)
    fake.inject("sendMessage", "slow", delay=0.5)
    started = time.monotonic()
    await ptb.send_message(42, "pelan")
    assert time.monotonic() - started >= 0.5


def _keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("X", callback_data="x")]])
