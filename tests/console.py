"""The web console's test fixture and helpers (a pytest plugin, see conftest): the bot running
with its console on a free port, staff and two filed cases; signing in through a /web link sent
by the bot over the fake Bot API; an HTTP client that keeps cookies for 127.0.0.1."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest

from bot.application import AnyApplication
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from service.settings import Settings
from tests.conftest import Clock, make_app
from tests.helpers import add, file_full_report, file_report

LINK = re.compile(r"(http://\S+/login/[A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def login_link(staff: FakeUser) -> str:
    """Send /web as this user and return the link the bot answers with."""
    staff.send("/web")
    message = await staff.expect("/login/")
    found = LINK.search(str(message["text"]))
    assert found, message["text"]
    return found.group(1)


@asynccontextmanager
async def browser_session() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client that keeps the console's cookies (set by 127.0.0.1) and does not follow
    redirects unless asked."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        yield session


@dataclass(frozen=True)
class Answer:
    """What the console answered to a sign-in."""

    status: int
    location: str
    cookie: str
    text: str


async def sign_in(session: aiohttp.ClientSession, link: str, origin: str | None = None) -> Answer:
    """Open the link's page and press its button, as a person would (a browser names the
    page's origin; `origin`: another site's page posting it)."""
    async with session.get(link) as page:
        assert page.status == 200
        body = await page.text()
    token = re.search(r'name="token" value="([^"]+)"', body)
    assert token
    base = link.split("/login/")[0]
    async with session.post(
        f"{base}/login",
        data={"token": token.group(1)},
        headers={"Origin": origin or base},
        allow_redirects=False,
    ) as answer:
        return Answer(
            answer.status,
            answer.headers.get("Location", ""),
            answer.headers.get("Set-Cookie", ""),
            await answer.text(),
        )


async def csrf_of(session: aiohttp.ClientSession, url: str) -> str:
    """The form token on a page."""
    async with session.get(url) as page:
        found = CSRF.search(await page.text())
    assert found
    return found.group(1)


BANTEN_OMBUDSMAN, BALI_OMBUDSMAN, BAWASLU_NATIONAL = 8401, 8402, 8403


@dataclass
class Console:
    """The running bot with its console, its address, staff and two filed cases."""

    app: AnyApplication
    url: str
    fake: FakeTelegram
    settings: Settings
    clock: Clock
    reporter: FakeUser
    banten: str  # open identity, a photo and a document, Ombudsman + Bawaslu
    bali: str  # anonymous, Ombudsman + Bawaslu in Bali

    def user(self, user_id: int, language: str = "id") -> FakeUser:
        return FakeUser(self.fake, user_id, "Petugas", language)


@pytest.fixture
async def console(
    settings_factory: Callable[..., Settings],
    fake: FakeTelegram,
    clock: Clock,
    people: Callable[..., FakeUser],
) -> AsyncIterator[Console]:
    port = free_port()
    settings = settings_factory(web_port=port)
    async with running(make_app(settings, fake, clock), settings) as app:
        await add(app, BANTEN_OMBUDSMAN, "ombudsman", "36")
        await add(app, BALI_OMBUDSMAN, "ombudsman", "51")
        await add(app, BAWASLU_NATIONAL, "bawaslu")
        reporter = people("id")
        filed = await file_full_report(reporter)
        banten = str(filed["text"]).split("Nomor tiket: ")[1].split("\n")[0]
        bali = await file_report(
            reporter, category="state_facilities", person="asn", province="bali",
            regency="denpasar",
        )  # fmt: skip
        yield Console(
            app, f"http://127.0.0.1:{port}", fake, settings, clock, reporter, banten, bali
        )
