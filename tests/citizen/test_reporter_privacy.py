"""A reporter cannot be tied to a case by anyone holding the database: their chat id is in no
column of any table at any point of a report's life, and a deleted report leaves nothing."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from PIL import Image

from bot.application import AnyApplication
from conversations.draft import Draft
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, buttons
from service.jobs import purge_old_cases
from service.outbox import deliver_due
from service.services import open_services
from service.settings import Settings
from storage.crypto import DataCipher
from storage.database import execute, open_database
from storage.migrator import migrate
from tests.conftest import Clock, make_app
from tests.helpers import add, answer, plain_jpeg, rows, say, svc_of, tap, to_evidence
from tests.paths import ROOT

BALI_BAWASLU = 4100
# Long enough that its digits turn up by chance in no hash or ciphertext of the test.
REPORTER_ID = 7_382_915_406


async def table_columns(settings: Settings) -> dict[str, list[str]]:
    """Every table of the bot's database with its columns (either engine)."""
    if settings.database_url_text:
        found = await rows(
            settings,
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
        )
    else:
        found = await rows(
            settings,
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p"
            " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
        )
    tables: dict[str, list[str]] = {}
    for table, column in found:
        tables.setdefault(str(table), []).append(str(column))
    return tables


def holds(value: Any, chat_id: int) -> bool:
    """Whether a stored value is the chat id or carries it (as digits in text or bytes)."""
    digits = str(chat_id)
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return int(value) == chat_id
    if isinstance(value, memoryview | bytes | bytearray):
        return digits.encode() in bytes(value)
    return digits in str(value)


async def places_of(settings: Settings, chat_id: int) -> list[str]:
    """Every table.column where the chat id is stored, in clear, in any row."""
    found = []
    for table, columns in (await table_columns(settings)).items():
        quoted = ", ".join(f'"{c}"' for c in columns)
        for row in await rows(settings, f'SELECT {quoted} FROM "{table}"'):
            found += [
                f"{table}.{c}" for c, v in zip(columns, row, strict=True) if holds(v, chat_id)
            ]
    return found


async def file_with_photo(user: FakeUser, category: str, colour: int = 0) -> str:
    """An anonymous report with a photo (of its own `colour`), filed by pressing buttons; its
    ticket."""
    await to_evidence(user, category=category)
    photo = io.BytesIO()
    Image.new("RGB", (80, 60), (colour, 120, 20)).save(photo, format="JPEG")
    user.send_photo(photo.getvalue())
    await user.expect("Bukti 1 diterima")
    await answer(user, "!ev:done", "id")
    review = await answer(user, "!id:anonymous", "rv")
    user.press(review, next(d for _, d in buttons(review) if d.startswith("rv:send:")))
    filed = await user.expect("Nomor tiket: ")
    return str(filed["text"]).split("Nomor tiket: ")[1].split("\n")[0]


async def test_no_table_ever_holds_the_reporters_chat_id(
    bot: AnyApplication, fake: FakeTelegram, settings: Settings, clock: Clock
) -> None:
    svc = svc_of(bot)
    await add(bot, BALI_BAWASLU, "bawaslu", "51")
    staff = FakeUser(fake, BALI_BAWASLU, "Bawaslu Bali", "id")
    reporter = FakeUser(fake, REPORTER_ID, "Sari", "id")
    # a scan that finds what it looks for: the staff member's id is stored in clear
    assert "staff.user_id" in await places_of(settings, BALI_BAWASLU)

    await to_evidence(reporter, category="political_expression")
    reporter.send_photo(plain_jpeg())
    await reporter.expect("Bukti 1 diterima")
    assert await places_of(settings, REPORTER_ID) == [], "mid-report"
    await answer(reporter, "!ev:done", "id")
    review = await answer(reporter, "!id:anonymous", "rv")
    reporter.press(review, next(d for _, d in buttons(review) if d.startswith("rv:send:")))
    filed = await reporter.expect("Nomor tiket: ")
    first = str(filed["text"]).split("Nomor tiket: ")[1].split("\n")[0]
    second = await file_with_photo(reporter, "political_expression", colour=200)
    assert await places_of(settings, REPORTER_ID) == [], "after filing"

    await say(staff, f"/kasus {first}", "Kategori:")
    await tap(staff, "➡️ Sedang diverifikasi", "Tulis catatan")
    reporter.mark()
    await say(staff, "Kami periksa.", "Pelapor diberi tahu")
    await reporter.expect("Kabar laporan Anda")
    await deliver_due(svc)
    assert await rows(settings, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'") != [(0,)]
    assert await places_of(settings, REPORTER_ID) == [], "after the notification was sent"
    sent = await rows(
        settings, "SELECT chat_hash, chat_enc, payload_enc FROM outbox WHERE status = 'sent'"
    )
    assert all(row == (None, None, None) for row in sent)  # a delivered row names no chat

    await svc.db.execute("UPDATE cases SET status = 'selesai' WHERE ticket = ?", (first,))
    deleted = await traces_of(settings, second)
    await say(reporter, "/hapus", "Hapus data Anda?")
    await tap(reporter, "🗑 Ya, hapus data saya", "Data Anda sudah dihapus (1 laporan)")
    clock.now += dt.timedelta(days=400)
    assert (await purge_old_cases(svc, dry_run=False)).cases == 1
    assert await places_of(settings, REPORTER_ID) == [], "after purge and /hapus"
    assert await rows(settings, "SELECT ticket FROM cases") == [(first,)]
    leftovers = {
        table: await rows(settings, f"SELECT COUNT(*) FROM {table}")
        for table in ("chats", "drafts", "rate_events", "reporter_sessions", "packet_sessions")
    }
    assert all(count == [(0,)] for count in leftovers.values()), leftovers
    assert await rows(settings, "SELECT COUNT(*) FROM outbox") == [(0,)]
    # the closed case keeps what happened, not who told us, nor its files' names
    kept = await rows(
        settings,
        "SELECT reporter_chat_hash, reporter_chat_enc FROM cases WHERE ticket = ?",
        first,
    )
    assert kept == [(None, None)]
    assert await rows(
        settings, "SELECT COUNT(*) FROM evidence WHERE file_name_enc IS NOT NULL"
    ) == [(0,)]
    assert second not in str(await rows(settings, "SELECT ticket FROM cases"))
    assert_gone(settings, deleted)


async def traces_of(settings: Settings, ticket: str) -> list[bytes]:
    """What a report leaves that would show it was here: its ticket, its draft id (the name of
    its evidence folder), its file's hash and the ciphertext of its description."""
    (draft_id, hash_value, sealed), *_ = await rows(
        settings,
        "SELECT c.draft_id, e.sha256_stored, c.description_enc FROM cases c"
        " JOIN evidence e ON e.case_id = c.id WHERE c.ticket = ?",
        ticket,
    )
    assert any(draft_id in str(p) for p in settings.evidence_path.rglob("*"))
    return [ticket.encode(), draft_id.encode(), hash_value.encode(), bytes(sealed)]


def assert_gone(settings: Settings, traces: list[bytes]) -> None:
    """No folder bears the report's draft id, and (SQLite) neither the database file nor its
    write-ahead log holds any of its traces."""
    draft_id = traces[1].decode()
    assert not any(draft_id in str(p) for p in settings.evidence_path.rglob("*"))
    if settings.database_url_text:
        return  # PostgreSQL's files: until VACUUM (README)
    stored = b"".join(
        p.read_bytes() for p in settings.database_path.parent.glob("lapor.db*") if p.is_file()
    )
    assert b"SQLite format 3" in stored  # the scan reads the file
    for trace in traces:
        assert trace not in stored, trace[:20]


@pytest.mark.sqlite_only
async def test_a_deleted_report_leaves_no_trace_in_the_file_or_its_log(
    bot: AnyApplication, fake: FakeTelegram, settings: Settings
) -> None:
    reporter = FakeUser(fake, REPORTER_ID, "Sari", "id")
    # deleted rows are overwritten in their pages (some SQLite builds leave this off)
    assert [tuple(r) for r in await svc_of(bot).db.fetch_all("PRAGMA secure_delete")] == [(1,)]
    ticket = await file_with_photo(reporter, "political_expression")
    traces = await traces_of(settings, ticket)
    await say(reporter, "/hapus", "Hapus data Anda?")
    await tap(reporter, "🗑 Ya, hapus data saya", "Data Anda sudah dihapus (1 laporan)")
    assert_gone(settings, traces)


def readme_columns() -> dict[str, set[str]]:
    """The columns README's "What is kept" table names for each table."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## What is kept, and who sees it", 1)[1].split("\n## ", 1)[0]
    described: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) == 5 and cells[1].strip().startswith("`"):
            table = cells[1].strip().strip("`")
            described[table] = set(re.findall(r"`([a-z0-9_]+)`", cells[2] + cells[3]))
    return described


async def test_the_readme_describes_every_column_of_the_schema(settings: Settings) -> None:
    svc = await open_services(settings)
    await svc.db.close()
    schema = {table: set(columns) for table, columns in (await table_columns(settings)).items()}
    described = readme_columns()
    wrong = {
        table: described.get(table, set()) ^ columns
        for table, columns in schema.items()
        if described.get(table) != columns
    }
    assert not wrong and described.keys() == schema.keys(), wrong


LEGACY_ID = 6_482_019_337


async def test_rows_of_an_earlier_version_move_under_hashes_and_the_reporter_goes_on(
    settings: Settings, fake: FakeTelegram, clock: Clock
) -> None:
    assert settings.data_key is not None
    cipher = DataCipher(settings.data_key.get_secret_value())
    db = await open_database(
        settings.database_path, settings.database_url_text, settings.database_pool_size
    )
    try:  # a database of the version before, as it ran: chat ids in clear
        await migrate(db, target=12)
        stamp = clock.now.isoformat()
        draft = Draft(draft_id="d0legacy", question="description", consent=True, category="other")
        ticket = "LN-7K3M-Q9TX-W2HC"
        for sql, values in (
            ("INSERT INTO chats VALUES (?, 'en', ?, ?)", (LEGACY_ID, stamp, stamp)),
            (
                "INSERT INTO drafts (chat_id, draft_id, step, state, created_at, updated_at)"
                " VALUES (?, 'd0legacy', 'description', ?, ?, ?)",
                (LEGACY_ID, cipher.encrypt(draft.model_dump_json()), stamp, stamp),
            ),
            (
                "INSERT INTO cases (ticket, draft_id, reporter_chat_id, language, category,"
                " description, description_enc, person_kind, province_code, event_date,"
                " public_service, identity_mode, decision, status, status_changed_at,"
                " created_at, updated_at, reporter_chat_hash, reporter_chat_enc)"
                " VALUES (?, 'd0old', 0, 'en', 'other', '', ?, 'asn', '51', '2024-11-19', 'no',"
                " 'anonymous', '{\"bodies\":[],\"offices\":[]}', 'dirujuk', ?, ?, ?, ?, ?)",
                (
                    ticket,
                    cipher.encrypt("x"),
                    stamp,
                    stamp,
                    stamp,
                    "0" * 64,
                    cipher.encrypt(str(LEGACY_ID)),
                ),
            ),
            (
                "INSERT INTO outbox (chat_id, kind, payload, payload_enc, status,"
                " next_attempt_at, created_at) VALUES (?, 'notification', '', ?, 'pending', ?, ?)",
                (
                    LEGACY_ID,
                    cipher.encrypt('{"type": "message", "text": "Kabar lama"}'),
                    stamp,
                    stamp,
                ),
            ),
            (
                "INSERT INTO outbox (chat_id, kind, payload, payload_enc, status,"
                " next_attempt_at, created_at, sent_at) VALUES (?, 'notification', '', ?,"
                " 'sent', ?, ?, ?)",
                (LEGACY_ID, cipher.encrypt("{}"), stamp, stamp, stamp),
            ),
            ("INSERT INTO rate_events VALUES (?, 'status', ?)", (LEGACY_ID, stamp)),
        ):
            await execute(db, sql, values)
    finally:
        await db.close()
    assert await places_of(settings, LEGACY_ID)  # the scan sees the old rows
    async with running(make_app(settings, fake, clock), settings) as app:
        assert await places_of(settings, LEGACY_ID) == []
        tables = await table_columns(settings)
        assert not [t for t in tables if t.startswith("legacy_")]
        reporter = FakeUser(fake, LEGACY_ID, "Wayan", "en")
        await reporter.expect("Kabar lama")  # the queued message reaches the same chat
        # the draft resumes where it was, in the language the chat chose
        await say(reporter, "The village head campaigned at the village office yesterday.", "Who")
        mine = await say(reporter, "/status", "Reports from this chat")
        assert any(ticket in label for label, _ in buttons(mine))  # the old case is still theirs
        assert svc_of(app).cipher.chat_hash(f"telegram:{LEGACY_ID}") in str(
            await rows(settings, "SELECT reporter_chat_hash FROM cases")
        )
