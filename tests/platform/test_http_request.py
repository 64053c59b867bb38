"""The aiohttp networking under PTB: requests as PTB sends them, timeouts and errors PTB knows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.application import build_application
from bot.http import AiohttpRequest
from bot.processor import ChatOrderedProcessor
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from service.settings import Settings
from tests.conftest import TOKEN
from tests.helpers import plain_jpeg


@pytest.fixture
async def api(fake: FakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(
        TOKEN, base_url=fake.base_url, base_file_url=fake.file_url,
        request=AiohttpRequest(read_timeout=0.5),
    )  # fmt: skip
    async with bot:
        yield bot


async def test_calls_reach_the_server_as_sent(api: Bot, fake: FakeTelegram) -> None:
    user = FakeUser(fake, 4101, "Dewi")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ya, lanjut", callback_data="c:yes")]])
    sent = await api.send_message(
        user.chat_id, "<b>Halo</b> &amp; selamat", parse_mode="HTML", reply_markup=markup
    )
    assert sent.text == "Halo & selamat"
    stored = user.last()
    assert stored["text"] == "Halo & selamat"
    assert buttons(stored) == [("Ya, lanjut", "c:yes")]
    me = await api.get_me()
    assert me.username == fake.bot_username


async def test_uploads_go_as_multipart_and_downloads_come_back(
    api: Bot, fake: FakeTelegram
) -> None:
    user = FakeUser(fake, 4102, "Rudi")
    photo = plain_jpeg()
    sent = await api.send_document(user.chat_id, photo, filename="bukti.jpg", caption="Bukti 1")
    assert sent.document is not None and sent.caption == "Bukti 1"
    file = await api.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == photo


async def test_a_slow_server_is_a_timeout(api: Bot, fake: FakeTelegram) -> None:
    user = FakeUser(fake, 4103)
    fake.inject("sendMessage", "slow", delay=1.5)
    with pytest.raises(TimedOut):
        await api.send_message(user.chat_id, "halo")


async def test_a_dropped_connection_is_a_network_error(api: Bot, fake: FakeTelegram) -> None:
    user = FakeUser(fake, 4104)
    fake.inject("sendMessage", "drop")
    with pytest.raises(NetworkError) as caught:
        await api.send_message(user.chat_id, "halo")
    assert not isinstance(caught.value, TimedOut)
    assert (await api.send_message(user.chat_id, "lagi")).text == "lagi"


async def test_refusals_keep_telegrams_words(api: Bot, fake: FakeTelegram) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await api.send_message(999_999, "halo")


async def test_a_request_object_must_be_opened_first(fake: FakeTelegram) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{fake.base_url}{TOKEN}/getMe", "POST")
    await request.initialize()
    status, body = await request.do_request(f"{fake.base_url}{TOKEN}/getMe", "POST")
    assert status == 200 and b"LaporNetralBot" in body
    await request.shutdown()
    await request.shutdown()  # twice is harmless


def test_send_limiter_and_concurrency_come_from_settings(
    settings_factory: Callable[..., Settings], fake: FakeTelegram
) -> None:
    def build(**overrides: object):  # type: ignore[no-untyped-def]
        return build_application(
            settings_factory(**overrides), token=TOKEN, base_url=fake.base_url,
            file_url=fake.file_url,
        )  # fmt: skip

    assert build().bot.rate_limiter is not None
    assert build(sends_per_second=0).bot.rate_limiter is None
    assert isinstance(build().bot.request, AiohttpRequest)
    processor = build(concurrent_chats=1).update_processor
    assert isinstance(processor, ChatOrderedProcessor) and processor.workers == 1
    assert getattr(build().update_processor, "workers", None) == 32


async def test_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.kantor.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    request = AiohttpRequest()
    assert request._proxy("https://api.telegram.org/bot1:x/getMe") == (
        "http://proxy.kantor.example:3128"
    )
    assert request._proxy("http://127.0.0.1:8081/bot1:x/getMe") is None
