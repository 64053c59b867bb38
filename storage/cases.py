"""Cases: filing a draft (once, whatever happens), and what a ticket holder may see."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosqlite

from conversations.draft import Draft
from conversations.jurisdiction.models import Decision
from conversations.messages import Language
from storage.crypto import DataCipher
from storage.database import execute, execute_many, fetch_all, fetch_one, now_iso, transaction


@dataclass(frozen=True)
class FiledCase:
    """A filed case; `created` is False when the draft had been filed before."""

    case_id: int
    ticket: str
    decision: Decision
    created: bool


async def find_by_draft(conn: aiosqlite.Connection, draft_id: str) -> FiledCase | None:
    """The case filed from this draft, if any."""
    row = await fetch_one(
        conn, "SELECT id, ticket, decision FROM cases WHERE draft_id = ?", (draft_id,)
    )
    if row is None:
        return None
    return FiledCase(int(row[0]), str(row[1]), Decision.model_validate_json(row[2]), False)


async def file_case(
    conn: aiosqlite.Connection,
    *,
    draft: Draft,
    chat_id: int,
    language: Language,
    decision: Decision,
    cipher: DataCipher,
    now: dt.datetime,
    new_ticket: Callable[[], str],
    on_filed: Callable[[int], Awaitable[None]] | None = None,
) -> FiledCase:
    """Turn the draft into a case in one transaction: case, bodies, evidence, event, no draft.

    Filing the same draft again returns the first case: a double tap or a retry files once.
    `on_filed(case_id)` runs inside the transaction, for writes that belong with the filing.
    """
    assert draft.category and draft.description and draft.person and draft.province_code
    assert draft.event_date and draft.public_service and draft.identity
    stamp = now_iso(now)
    async with transaction(conn):
        existing = await find_by_draft(conn, draft.draft_id)
        if existing is not None:
            await execute(
                conn,
                "DELETE FROM drafts WHERE chat_id = ? AND draft_id = ?",
                (chat_id, draft.draft_id),
            )
            return existing
        identified = draft.identity != "anonymous"
        values = (
            draft.draft_id, chat_id, language, draft.category, draft.description, draft.person,
            draft.person_details, draft.province_code, draft.regency_code, draft.place_detail,
            draft.latitude, draft.longitude, draft.event_date.isoformat(),
            draft.learned_date.isoformat() if draft.learned_date else None, draft.public_service,
            draft.service_name, draft.complained, draft.identity,
            cipher.encrypt_optional(draft.reporter_name if identified else None),
            cipher.encrypt_optional(draft.reporter_phone if identified else None),
            decision.model_dump_json(), stamp, stamp, stamp,
        )  # fmt: skip
        for _ in range(8):
            ticket = new_ticket()
            try:
                cursor = await execute(
                    conn,
                    "INSERT INTO cases (ticket, draft_id, reporter_chat_id, language, category,"
                    " description, person_kind, person_name, province_code, regency_code,"
                    " place_detail, latitude, longitude, event_date, learned_date, public_service,"
                    " service_name, complained, identity_mode, reporter_name_enc,"
                    " reporter_phone_enc, decision, status_changed_at, created_at, updated_at)"
                    f" VALUES ({', '.join('?' * 25)})",
                    (ticket, *values),
                )
                break
            except sqlite3.IntegrityError as exc:
                if "cases.ticket" not in str(exc):
                    raise
        else:
            raise RuntimeError("could not draw an unused ticket number")
        case_id = int(cursor.lastrowid or 0)
        await execute_many(
            conn,
            "INSERT INTO case_bodies (case_id, agency, office, added_at) VALUES (?, ?, ?, ?)",
            [(case_id, office.agency, office.name, stamp) for office in decision.offices],
        )
        await execute(
            conn,
            "UPDATE evidence SET case_id = ? WHERE draft_id = ? AND case_id IS NULL",
            (case_id, draft.draft_id),
        )
        links = [item for item in draft.evidence if item.kind == "link"]
        if links:
            await execute_many(
                conn,
                "INSERT INTO evidence (case_id, draft_id, chat_id, kind, url, created_at)"
                " VALUES (?, ?, ?, 'link', ?, ?)",
                [(case_id, draft.draft_id, chat_id, item.label, stamp) for item in links],
            )
        await execute(
            conn,
            "INSERT INTO case_events (case_id, at, actor_kind, action, new_value, public)"
            " VALUES (?, ?, 'reporter', 'filed', 'diterima', 0)",
            (case_id, stamp),
        )
        await execute(
            conn, "DELETE FROM drafts WHERE chat_id = ? AND draft_id = ?", (chat_id, draft.draft_id)
        )
        if on_filed is not None:
            await on_filed(case_id)  # e.g. urgent alerts, queued in this same transaction
    return FiledCase(case_id, ticket, decision, True)


@dataclass(frozen=True)
class CaseStatus:
    """What a ticket holder may see of a case."""

    ticket: str
    status: str
    status_changed_at: dt.datetime
    offices: list[str]
    public_notes: list[tuple[dt.datetime, str]]


async def status_of(conn: aiosqlite.Connection, ticket: str) -> CaseStatus | None:
    """The status, offices and public notes of the case with this ticket (one query)."""
    row = await fetch_one(
        conn,
        "SELECT c.status, c.status_changed_at,"
        " (SELECT json_group_array(office) FROM"
        "   (SELECT office FROM case_bodies WHERE case_id = c.id ORDER BY agency)),"
        " (SELECT json_group_array(json_array(at, note)) FROM"
        "   (SELECT at, note FROM case_events"
        "    WHERE case_id = c.id AND public = 1 AND note IS NOT NULL ORDER BY id))"
        " FROM cases c WHERE c.ticket = ?",
        (ticket,),
    )
    if row is None:
        return None
    offices = [str(office) for office in json.loads(row[2])]
    notes = [(dt.datetime.fromisoformat(at), str(note)) for at, note in json.loads(row[3])]
    return CaseStatus(ticket, str(row[0]), dt.datetime.fromisoformat(row[1]), offices, notes)


async def tickets_of_chat(
    conn: aiosqlite.Connection, chat_id: int, limit: int = 20
) -> list[tuple[str, str]]:
    """The chat's own tickets with their status, newest first."""
    return [
        (str(r[0]), str(r[1]))
        for r in await fetch_all(
            conn,
            "SELECT ticket, status FROM cases WHERE reporter_chat_id = ? ORDER BY id DESC LIMIT ?",
            (chat_id, limit),
        )
    ]


async def filed_since(conn: aiosqlite.Connection, chat_id: int, since: dt.datetime) -> int:
    """How many cases the chat filed since the moment."""
    row = await fetch_one(
        conn,
        "SELECT COUNT(*) FROM cases WHERE reporter_chat_id = ? AND created_at >= ?",
        (chat_id, now_iso(since)),
    )
    return int(row[0]) if row else 0
