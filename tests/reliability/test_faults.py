"""Bot API faults: 429, 5xx, dropped connections and lost replies on every method the bot uses.

The conversation still completes (late, never lost) and outbox messages arrive exactly once
when the fault came before the server processed the call, at least once when only the reply
was lost (those re-sends are counted).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.application import AnyApplication
from bot.botdata import SERVICES_KEY
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from service.services import Services
from service.settings import Settings
from storage import staff as staff_store
from tests.helpers import plain_jpeg, rows

STAFF = 8801
METHODS = (
    "getUpdates",
    "sendMessage",
    "editMessageReplyMarkup",
    "editMessageText",
    "getFile",
    "answerCallbackQuery",
)


def inject_everywhere(fake: FakeTelegram) -> None:
    """A 5xx, a 429 and a dropped connection for the next calls of every method (the bot never
    edits message text, so those switches stay unused)."""
    fake.clear_faults()
    for method in METHODS:
        fake.inject(method, "5xx", status=502)
        fake.inject(method, "429", retry_after=1)
        fake.inject(method, "drop")
    fake.inject("download", "5xx", status=500)


async def test_a_report_completes_through_faults_on_every_method(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], settings: Settings
) -> None:
    svc: Services = bot.bot_data[SERVICES_KEY]
    await staff_store.upsert(svc.db, STAFF, "ombudsman", "36", None, svc.now())
    staff = FakeUser(fake, STAFF, "Ombudsman Banten", "id")
    user = people("id")
    inject_everywhere(fake)
    timeout = 30.0
    steps = [
        ("/lapor", "c"), ("!c:yes", "k"), ("!k:service_conditioning", "d"),
        ("Bansos ditahan bagi warga yang tidak mendukung petahana.", "p"), ("!p:village", "pd"),
        ("!pd:^skip", "pv"), ("banten", "rg"), ("kota serang", "pl"), ("!pl:^skip", "ed"),
        ("!ed:today", "ps"), ("!ps:yes", "sn"), ("bansos beras", "cp"), ("!cp:no", "ev"),
    ]  # fmt: skip
    for action, next_code in steps:
        user.seen_activity = fake.activity
        if action.startswith("!"):
            message = next(
                m
                for m in reversed(user.bot_messages())
                if any(d == action[1:] for _, d in buttons(m))
            )
            user.press(message, action[1:])
            await user.expect(
                lambda m, code=next_code: any(d.startswith(f"{code}:") for _, d in buttons(m)),
                timeout,
            )
        else:
            user.send(action)
            await user.expect(
                lambda m, code=next_code: any(d.startswith(f"{code}:") for _, d in buttons(m)),
                timeout,
            )
    inject_everywhere(fake)  # again, now for the evidence download and the end of the report
    user.send_photo(plain_jpeg())
    await user.expect("Bukti 1 diterima", timeout)
    for data, expect in (("ev:done", "Bagaimana identitas"), ("id:anonymous", "Periksa laporan")):
        message = next(
            m for m in reversed(user.bot_messages()) if any(d == data for _, d in buttons(m))
        )
        user.press(message, data)
        await user.expect(expect, timeout)
    review = user.bot_messages()[-1]
    send = next(d for _, d in buttons(review) if d.startswith("rv:send:"))
    inject_everywhere(fake)
    user.press(review, send)
    filed = await user.expect("Nomor tiket:", timeout)
    ticket = str(filed["text"]).split("Nomor tiket: ")[1].split("\n")[0]
    alert = await staff.expect(ticket, timeout)
    assert "Laporan mendesak" in str(alert["text"])
    # Exactly once: every fault above came before the server processed the call.
    assert sum(ticket in str(m.get("text")) for m in staff.bot_messages()) == 1
    assert sum("Nomor tiket:" in str(m.get("text")) for m in user.bot_messages()) == 1
    assert await rows(settings, "SELECT COUNT(*) FROM cases") == [(1,)]
    assert await rows(settings, "SELECT COUNT(*) FROM evidence WHERE case_id IS NOT NULL") == [(1,)]
    injected = {c.outcome for c in fake.calls}
    assert {"502", "429", "dropped"} <= injected


async def test_lost_replies_are_sent_again_and_counted(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], settings: Settings
) -> None:
    import asyncio

    from storage import outbox
    from tests.helpers import file_report

    svc: Services = bot.bot_data[SERVICES_KEY]
    user = people("id")
    fake.inject(
        "sendMessage", "lost_reply", times=1
    )  # the consent question arrives, its answer is lost
    ticket = await file_report(
        user, category="other", person="asn", province="bali", regency="denpasar"
    )
    sent = [e for e in fake.bot_log if e["kind"] == "send" and e["chat"]["id"] == user.chat_id]
    assert sum("Sebelum mulai" in str(e.get("text")) for e in sent) == 2  # at least once
    async with svc.outbox_lock:  # hold the worker while the row and the fault are set up
        await outbox.enqueue(
            svc.db,
            svc.chat(user.chat_id),
            "notification",
            {"type": "message", "text": f"kabar {ticket}"},
            svc.now(),
            cipher=svc.cipher,
        )
        fake.inject("sendMessage", "lost_reply", times=1)
    for _ in range(100):
        if await rows(settings, "SELECT status FROM outbox") == [("sent",)]:
            break
        await asyncio.sleep(0.1)
    assert await rows(settings, "SELECT status, attempts FROM outbox") == [("sent", 2)]
    assert sum(f"kabar {ticket}" == m.get("text") for m in user.bot_messages()) == 2
    assert len([c for c in fake.calls if c.outcome == "processed-reply-lost"]) == 2
