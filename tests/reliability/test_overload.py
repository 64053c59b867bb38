"""Overload: chats are served concurrently but each in order; floods and report sprees are capped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from service.settings import Settings
from tests.conftest import Clock, make_app
from tests.helpers import answer, file_report


async def at_province(user: FakeUser) -> None:
    for action, code in (("/lapor", "c"), ("!c:yes", "k"), ("!k:other", "d"),
                         ("Cerita yang cukup panjang untuk laporan ini.", "p"), ("!p:asn", "pd"),
                         ("!pd:^skip", "pv")):  # fmt: skip
        await answer(user, action, code)


async def test_each_chat_in_order_while_chats_run_together(
    settings_factory: Callable[..., Settings],
    fake: FakeTelegram,
    clock: Clock,
    people: Callable[..., FakeUser],
) -> None:
    settings = settings_factory(messages_per_minute=1000)
    async with running(make_app(settings, fake, clock), settings):
        users = [people("id") for _ in range(8)]
        await asyncio.gather(*(at_province(u) for u in users))
        for user in users:
            user.mark()
        for n in range(25):  # interleaved: every chat's n-th message before anyone's (n+1)-th
            for user in users:
                user.send(f"tempat{n:03d}")
        for user in users:
            await user.expect(lambda m: "tempat024" in str(m.get("text")), timeout=30)
            echoed = [
                str(m["text"]).split('"')[1]
                for m in user.bot_messages()
                if 'Provinsi "tempat' in str(m.get("text"))
            ]
            assert echoed == [f"tempat{n:03d}" for n in range(25)]


async def test_a_flooding_chat_does_not_block_others(
    settings_factory: Callable[..., Settings],
    fake: FakeTelegram,
    clock: Clock,
    people: Callable[..., FakeUser],
) -> None:
    settings = settings_factory(messages_per_minute=10)
    async with running(make_app(settings, fake, clock), settings):
        flooder, calm = people("id"), people("id")
        for n in range(200):
            flooder.send(f"spam {n}")
        calm.send("/start")
        await calm.expect("Selamat datang", timeout=10)
        await flooder.expect("Pesan Anda terlalu cepat", timeout=10)
        await asyncio.sleep(0.5)
        replies = flooder.bot_messages()
        assert sum("terlalu cepat" in str(m.get("text")) for m in replies) == 1
        assert len(replies) == 11  # ten answered, one warning, the rest ignored


async def test_reports_per_day_are_limited(
    settings_factory: Callable[..., Settings],
    fake: FakeTelegram,
    clock: Clock,
    people: Callable[..., FakeUser],
) -> None:
    settings = settings_factory(reports_per_day=2)
    async with running(make_app(settings, fake, clock), settings):
        user = people("id")
        for _ in range(2):
            await file_report(
                user, category="other", person="asn", province="bali", regency="denpasar"
            )
        user.send("/lapor")
        await user.expect("batas harian kami")
        other = people("id")
        await answer(other, "/lapor", "c")
