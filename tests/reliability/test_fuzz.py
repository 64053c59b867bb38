"""Hostile and odd input: generated updates of every kind against the real bot over HTTP.

The bot must never raise out of a handler, must answer every private chat, must store text
exactly as given and must send only HTML that Telegram parses. `FUZZ_EXAMPLES` scales the
run (`make reliability` runs more than 5,000 updates).
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import aiosqlite
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.application import build_application
from conversations.typed import letters
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from service.settings import Settings
from tests.conftest import TOKEN

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
UPDATES_PER_EXAMPLE = 15

NASTY = [
    "<b>", "</i>", "<script>alert(1)</script>", "&amp;", "&", "<", ">", '"', "'",
    "*bold*", "_it_", "`code`", "[link](http://x)", "~~", "||spoiler||",
    "'; DROP TABLE cases; --", "\" OR 1=1 --", "\x00", "\u200b", "\u200d", "\ufeff",
    "\u202e", "مرحبا", "שלום", "😀", "👨‍👩‍👧", "🇮🇩", "ﷺ", "\n", "\t", "\r\n", "/", "@",
]  # fmt: skip
texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(NASTY), max_size=12).map("".join),
    st.text(min_size=3000, max_size=4096),
    st.sampled_from(["ya", "tidak", "kembali", "batal", "lewati", "jatim", "kemarin", "1", "/lapor",
                     "/status", "/status ' OR 1=1", "/kasus 1", "/bahasa", "/batal", "/start"]),
)  # fmt: skip
callback_data = st.one_of(
    st.text(min_size=1, max_size=20),
    st.sampled_from(["c:yes", "k:other", "k:../../etc", "p:asn", "pv:36", "pv:99", "rg:36.73", "rg:^list",
                     "rv:send:deadbeef", "x:yes", "dr:restart", "st:LN-0000-0000-0000", "ks:LN-0000-0000-0000",
                     "sx:1:selesai", "fw:1:bawaslu", "ai:LN-0000-0000-0000", "ad:done", "m:report", "kp:2",
                     "nc:none", "in:1", "ev:done", "id:open", "ph:^back"]),
)  # fmt: skip
kinds = st.sampled_from(
    ["text", "text", "text", "press", "press", "edited", "channel_post", "my_chat_member", "sticker",
     "contact", "poll", "forwarded", "group", "no_from", "location", "photo"]
)  # fmt: skip
update_plans = st.lists(
    st.tuples(kinds, texts, callback_data, st.integers(0, 2)),
    min_size=UPDATES_PER_EXAMPLE,
    max_size=UPDATES_PER_EXAMPLE,
)


class ErrorCounter(logging.Handler):
    """Counts the error handler's reports."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.messages.append(record.getMessage())


def send(user: FakeUser, kind: str, text: str, data: str, fake: FakeTelegram) -> bool:
    """Queue one update; True when the bot must answer it in the user's private chat."""
    message_base = {
        "message_id": fake.next_message_id(user.chat_id),
        "date": int(time.time()),
        "chat": user.chat,
    }
    if kind == "text":
        user.send(text)
    elif kind == "press":
        target = (
            user.bot_messages() or [{"message_id": 1, "chat": user.chat, "date": 0, "text": "x"}]
        )[-1]
        user.press(target, data, forge=True)
    elif kind == "edited":
        user.edit({**message_base, "from": user.as_user(), "text": "x"}, text or "y")
    elif kind == "channel_post":
        user.raw(
            {
                "channel_post": {
                    **message_base,
                    "chat": {"id": -1001, "type": "channel", "title": "Kanal"},
                    "text": text or "x",
                }
            }
        )
        return False
    elif kind == "my_chat_member":
        status = {
            "user": {"id": 1, "is_bot": True, "first_name": "bot"},
            "status": "kicked",
            "until_date": 0,
        }
        user.raw(
            {
                "my_chat_member": {
                    "chat": user.chat,
                    "from": user.as_user(),
                    "date": 0,
                    "old_chat_member": {**status, "status": "member"},
                    "new_chat_member": status,
                }
            }
        )
        return False
    elif kind == "sticker":
        user.send_sticker()
    elif kind == "contact":
        user.share_contact(text[:20] or "0812", user_id=999)
    elif kind == "poll":
        poll = {
            "id": "1",
            "question": text[:300] or "q",
            "options": [
                {"text": "a", "voter_count": 0, "persistent_id": "a"},
                {"text": "b", "voter_count": 0, "persistent_id": "b"},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        user.raw({"message": {**message_base, "from": user.as_user(), "poll": poll}})
    elif kind == "forwarded":
        origin = {"type": "hidden_user", "sender_user_name": "Someone", "date": 0}
        user.raw(
            {
                "message": {
                    **message_base,
                    "from": user.as_user(),
                    "text": text or "fw",
                    "forward_origin": origin,
                }
            }
        )
    elif kind == "group":
        group = {"id": -500, "type": "group", "title": "Grup"}
        fake.register_chat(group)
        user.raw(
            {
                "message": {
                    **message_base,
                    "chat": group,
                    "from": user.as_user(),
                    "text": text or "halo",
                }
            }
        )
        return False
    elif kind == "no_from":
        user.raw({"message": {**message_base, "text": text or "x"}})
    elif kind == "location":
        user.share_location(-6.2, 106.8)
    elif kind == "photo":
        user.raw(
            {
                "message": {
                    **message_base,
                    "from": user.as_user(),
                    "photo": [
                        {"file_id": "unknown-file", "file_unique_id": "u1", "width": 1, "height": 1}
                    ],
                }
            }
        )
    return True


async def run_plan(plan: list[tuple[str, str, str, int]]) -> None:
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    with tempfile.TemporaryDirectory() as folder:
        config = Settings(  # type: ignore[call-arg]
            _env_file=None, telegram_bot_token=TOKEN, data_key=Fernet.generate_key().decode(),
            database_path=Path(folder) / "lapor.db", admin_user_ids=[777000],
            outbox_poll_seconds=0.2, outbox_retry_seconds=0.05,
            web_port=0,  # never the default 8080: tests share the machine
        )  # fmt: skip
        fake = FakeTelegram(TOKEN)
        await fake.start()
        try:
            app = build_application(
                config, token=TOKEN, base_url=fake.base_url, file_url=fake.file_url
            )
            async with running(app, config):
                users = [
                    FakeUser(fake, 61000 + i, f"<i>Tester {i}</i>", "id" if i else "en")
                    for i in range(3)
                ]
                for kind, text, data, who in plan:
                    user = users[who]
                    before = fake.activity
                    user.mark()
                    expects_reply = send(user, kind, text, data, fake)
                    if expects_reply:
                        await user.expect(lambda m: True, timeout=10)
                        assert fake.activity > before  # the bot answered this very update
                    else:
                        await asyncio.sleep(0.05)
        finally:
            await fake.stop()
            logging.getLogger().removeHandler(errors)
    # getFile of an unknown file is refused by design; getUpdates ends with a 409 at shutdown.
    refused = [
        c
        for c in fake.calls
        if c.outcome.startswith("4") and c.method not in {"getfile", "getupdates"}
    ]
    assert not refused, [(c.method, c.outcome, str(c.params)[:200]) for c in refused]
    assert errors.count == 0, errors.messages


@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
@given(update_plans)
def test_generated_updates_never_break_the_bot(plan: list[tuple[str, str, str, int]]) -> None:
    asyncio.run(run_plan(plan))


description_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=20, max_size=3000
).filter(lambda t: letters(t) >= 20 and not t.strip().startswith("/"))  # letters, not emoji


async def file_with_description(description: str, details: str) -> tuple[str, str | None]:
    from tests.helpers import file_report, opened

    with tempfile.TemporaryDirectory() as folder:
        config = Settings(  # type: ignore[call-arg]
            _env_file=None,
            telegram_bot_token=TOKEN,
            data_key=Fernet.generate_key().decode(),
            database_path=Path(folder) / "lapor.db",
            web_port=0,
        )
        fake = FakeTelegram(TOKEN)
        await fake.start()
        try:
            app = build_application(
                config, token=TOKEN, base_url=fake.base_url, file_url=fake.file_url
            )
            async with running(app, config):
                user = FakeUser(fake, 62000, "Uji", "id")
                await file_report(
                    user,
                    category="other",
                    person="asn",
                    province="bali",
                    regency="denpasar",
                    description=description,
                    details=details,
                )
            async with (
                aiosqlite.connect(config.database_path) as conn,
                conn.execute("SELECT description_enc, person_name_enc FROM cases") as cur,
            ):
                row: Any = await cur.fetchone()
            return opened(config, row[0]), opened(config, row[1])
        finally:
            await fake.stop()


@settings(
    max_examples=max(4, EXAMPLES // 3),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@given(
    description_texts,
    st.lists(st.sampled_from(NASTY[:20]), min_size=1, max_size=8)
    .map("".join)
    .filter(lambda t: t.strip() and not t.strip().startswith("/") and len(t.strip()) <= 300),
)
def test_text_is_stored_exactly_as_given(description: str, details: str) -> None:
    stored_description, stored_details = asyncio.run(file_with_description(description, details))
    assert stored_description == description
    assert stored_details == details
