"""Several workers on PostgreSQL: the ingress keeps every update Telegram delivers by webhook,
workers handle them (each chat's in order, one at a time), and a worker killed mid-report
stops nothing: another takes its update over and the report is filed once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from cryptography.fernet import Fernet

from bot.application import AnyApplication
from bot.botdata import services_of_application
from bot.ingress import build_ingress, register_webhook
from bot.webhook import SECRET_HEADER, webhook_path
from bot.worker import work
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from service.services import open_services
from service.settings import Settings
from storage import inbox
from storage.crypto import DataCipher
from tests.conftest import ADMIN_ID, TOKEN, Clock, make_app
from tests.console import free_port
from tests.helpers import answer, file_report, rows

SECRET = "test-ingress-secret-0123456789abcdef"


pytestmark = pytest.mark.postgresql_only  # workers share a PostgreSQL database


def worker_settings(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, port: int
) -> Settings:
    return settings_factory(
        telegram_api_base_url=fake.base_url,
        webhook_port=port,
        webhook_url=f"http://127.0.0.1:{port}",
        webhook_secret=SECRET,
        worker_lease_seconds=2.0,
    )


@asynccontextmanager
async def ingress(settings: Settings) -> AsyncIterator[str]:
    """The ingress listening on its port, registered with the fake API; its base URL."""
    svc = await open_services(settings)
    runner = web.AppRunner(build_ingress(svc), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", settings.webhook_port).start()
        await register_webhook(svc, TOKEN)
        yield f"http://127.0.0.1:{settings.webhook_port}"
    finally:
        await runner.cleanup()
        await svc.db.close()


@asynccontextmanager
async def worker(settings: Settings, fake: FakeTelegram, clock: Clock) -> AsyncIterator[None]:
    """A worker in this process, handling updates until the block ends."""
    stop = asyncio.Event()
    application: AnyApplication = make_app(settings, fake, clock)
    async with running(application, settings, inbox=True):
        task = asyncio.create_task(work(application, stop, lanes=4))
        try:
            yield
        finally:
            stop.set()
            await task


async def test_the_ingress_keeps_updates_and_workers_handle_them_in_order(
    settings_factory: Callable[..., Settings],
    fake: FakeTelegram,
    clock: Clock,
    people: Callable[..., FakeUser],
) -> None:
    settings = worker_settings(settings_factory, fake, free_port())
    async with AsyncExitStack() as stack:
        base = await stack.enter_async_context(ingress(settings))
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "/healthz") as health:
                assert health.status == 200
            async with http.get(base + "/readyz") as ready:
                assert ready.status == 200
            async with http.post(base + "/telegram/anything", json={"update_id": 1}) as wrong:
                assert wrong.status in {403, 404}  # no secret, no path: nothing stored
            # with the secret, what is not an update is refused at once (never 500, and never
            # 503: Telegram would deliver it again forever)
            for body in ("[1, 2]", '"update"', '{"update_id": 1000000000000000000000000000000}',
                         '{"update_id": -1}', '{"update_id": "7"}', "{}"):  # fmt: skip
                async with http.post(
                    base + webhook_path(SECRET), data=body, headers={SECRET_HEADER: SECRET}
                ) as refused:
                    assert refused.status == 400, body
        await stack.enter_async_context(worker(settings, fake, clock))
        await stack.enter_async_context(worker(settings, fake, clock))
        reporters = [people("id") for _ in range(3)]
        tickets = await asyncio.gather(
            *(
                file_report(r, category="other", person="asn", province="bali", regency="denpasar")
                for r in reporters
            )
        )
    assert len(set(tickets)) == 3
    assert await rows(settings, "SELECT COUNT(*) FROM cases") == [(3,)]
    # every update the fake Telegram delivered was kept once and handled once
    kept = await rows(settings, "SELECT COUNT(*), COUNT(done_at), MAX(attempts) FROM updates")
    assert kept[0][0] >= 3 * 14 and kept[0][1] == kept[0][0] and kept[0][2] == 1
    assert not fake.updates  # nothing left undelivered


async def test_a_killed_worker_stops_nothing_and_loses_nothing(
    settings_factory: Callable[..., Settings],
    fake: FakeTelegram,
    clock: Clock,
    people: Callable[..., FakeUser],
    tmp_path: Path,
) -> None:
    settings = worker_settings(settings_factory, fake, free_port())
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}} | {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATA_KEY": settings.data_key.get_secret_value(),  # type: ignore[union-attr]
        "DATABASE_URL": settings.database_url_text or "",
        "DATABASE_PATH": str(tmp_path / "db" / "unused.db"),
        "EVIDENCE_DIR": str(settings.evidence_path),
        "WORKER_LEASE_SECONDS": "2",
        "OUTBOX_POLL_SECONDS": "0.2",
        "WEB_PORT": "0",
        "MESSAGES_PER_MINUTE": "1000",
        "REPORTS_PER_DAY": "1000",
    }
    async with ingress(settings):
        doomed = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lapor", "worker", "--lanes", "2", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        reporter = people("id")
        filing = asyncio.create_task(
            file_report(
                reporter, category="other", person="asn", province="bali", regency="denpasar"
            )
        )
        while len(reporter.bot_messages()) < 4:  # the doomed worker is answering the report
            assert not filing.done()
            await asyncio.sleep(0.02)
        doomed.send_signal(signal.SIGKILL)  # mid-report, maybe mid-update
        await doomed.wait()
        survivor = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lapor", "worker", "--lanes", "2", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            ticket = await filing
        finally:
            survivor.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(survivor.communicate(), 30)
    assert b"Traceback" not in err, err.decode()[-2000:]
    assert await rows(settings, "SELECT ticket FROM cases") == [(ticket,)]
    assert await rows(settings, "SELECT COUNT(*) FROM updates WHERE done_at IS NULL") == [(0,)]
    texts = [str(m.get("text")) for m in reporter.bot_messages()]
    assert not any("gangguan" in t for t in texts)  # no error reached the reporter


async def test_an_update_that_keeps_failing_is_set_aside_and_the_chat_goes_on(
    settings_factory: Callable[..., Settings],
    fake: FakeTelegram,
    clock: Clock,
    people: Callable[..., FakeUser],
) -> None:
    settings = worker_settings(settings_factory, fake, free_port()).model_copy(
        update={"inbox_max_attempts": 2}
    )
    reporter = people("id")
    admin = FakeUser(fake, ADMIN_ID, "Admin", "id")
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(ingress(settings))
        svc = await open_services(settings)
        stack.push_async_callback(svc.db.close)
        # an update no key opens (stored before a key change, say), first in the chat's line
        # (id 0: the fake Telegram numbers its own updates from 1)
        address = f"telegram:{reporter.chat_id}"
        unreadable = DataCipher(Fernet.generate_key().decode()).encrypt_token('{"update_id": 0}')
        await inbox.add(
            svc.db, 0, svc.cipher.chat_hash(address), unreadable, svc.now(),
            svc.cipher.encrypt(address),
        )  # fmt: skip
        await stack.enter_async_context(worker(settings, fake, clock))
        await reporter.expect("Mohon kirim sekali lagi", timeout=30)
        alert = await admin.expect("disisihkan", timeout=30)
        assert "update 0" in str(alert["text"]) and "InvalidToken" not in str(alert["text"])
        # the chat's next message is answered as usual
        await answer(reporter, "/lapor", "c")
        for _ in range(100):  # the reply goes out before the worker's commit marks it done
            counts = await inbox.counts(svc.db)
            if counts.open == 0:
                break
            await asyncio.sleep(0.05)
        assert counts.set_aside == 1 and counts.open == 0
        kept = await rows(settings, "SELECT last_error FROM updates WHERE update_id = 0")
        assert kept == [("ValueError",)]


async def test_whatsapp_messages_go_through_the_ingress_and_the_workers(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock
) -> None:
    """The ingress serves /whatsapp too: each signed message is kept in the inbox once (Meta's
    redelivery is not kept again), workers handle them in each chat's order, and a whole
    WhatsApp report is filed once."""
    from lapor.runtime import inbox_channels
    from sandbox.fake_whatsapp import FakeWhatsApp, walk
    from whatsapp.webhook import ingress_routes

    cloud = FakeWhatsApp(clock=clock)
    await cloud.start()
    port = free_port()
    settings = settings_factory(
        telegram_api_base_url=fake.base_url, webhook_port=port,
        webhook_url=f"http://127.0.0.1:{port}", webhook_secret=SECRET, worker_lease_seconds=2.0,
        whatsapp_token=cloud.token, whatsapp_phone_number_id=cloud.phone_id,
        whatsapp_app_secret=cloud.app_secret, whatsapp_verify_token=cloud.verify_token,
        whatsapp_api_base_url=cloud.base_url, whatsapp_port=0,
    )  # fmt: skip
    cloud.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
    svc = await open_services(settings)
    app = build_ingress(svc)
    app.add_routes(ingress_routes(svc))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        stops: list[tuple[asyncio.Event, asyncio.Task[None]]] = []
        async with AsyncExitStack() as stack:
            for _ in range(2):
                application: AnyApplication = make_app(settings, fake, clock)
                await stack.enter_async_context(running(application, settings, inbox=True))
                channels = inbox_channels(services_of_application(application))
                assert set(channels) == {"whatsapp"}
                stop = asyncio.Event()
                stops.append((stop, asyncio.create_task(work(application, stop, 4, channels))))
            try:
                ticket = await walk(cloud.person("6281234567101"))
                raw = {"from": "6281234567101", "id": "wamid.again", "type": "text",
                       "text": {"body": "halo"}}  # fmt: skip
                body = (
                    __import__("json")
                    .dumps({"entry": [{"changes": [{"value": {"messages": [raw]}}]}]})
                    .encode()
                )
                assert await cloud.post(body) == 200
                assert await cloud.post(body) == 200  # Meta's redelivery: kept once
            finally:
                for stop, task in stops:
                    stop.set()
                    await task
    finally:
        await runner.cleanup()
        await svc.db.close()
        await cloud.stop()
    assert ticket and await rows(settings, "SELECT COUNT(*) FROM cases") == [(1,)]
    again = await rows(
        settings,
        "SELECT COUNT(*) FROM updates WHERE update_id >= %s" % (2**62),
    )
    messages = await rows(settings, "SELECT COUNT(*) FROM seen_messages")
    assert again == messages  # every message kept once, the redelivery not again
    assert await rows(settings, "SELECT COUNT(*) FROM updates WHERE done_at IS NULL") == [(0,)]
