"""Cases: filing a draft (once, whatever happens), and what a ticket holder may see."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from conversations.draft import Draft
from conversations.jurisdiction.models import Decision
from conversations.jurisdiction.routing import Routing, route
from conversations.messages import Language
from storage.crypto import ChatRef, DataCipher
from storage.database import (
    Database,
    IntegrityError,
    execute,
    execute_many,
    fetch_all,
    fetch_one,
    now_iso,
)


@dataclass(frozen=True)
class FiledCase:
    """A filed case and how it was routed; `created` is False when the draft had been filed
    before."""

    case_id: int
    ticket: str
    decision: Decision
    routing: Routing
    created: bool


async def find_by_draft(conn: Database, draft_id: str) -> FiledCase | None:
    """The case filed from this draft, if any."""
    row = await fetch_one(
        conn,
        "SELECT c.id, c.ticket, c.decision,"
        " COALESCE((SELECT json_group_array(b.agency) FROM case_bodies b"
        "  WHERE b.case_id = c.id AND b.reached = 1), '[]') AS reached"
        " FROM cases c WHERE c.draft_id = ?",
        (draft_id,),
    )
    if row is None:
        return None
    decision = Decision.model_validate_json(row["decision"])
    reached = {str(agency) for agency in json.loads(row["reached"])}
    routing = route(decision, reached)
    return FiledCase(int(row["id"]), str(row["ticket"]), decision, routing, False)


async def file_case(
    conn: Database,
    *,
    draft: Draft,
    chat: ChatRef,
    language: Language,
    decision: Decision,
    covered: Collection[str],
    cipher: DataCipher,
    now: dt.datetime,
    new_ticket: Callable[[], str],
) -> FiledCase:
    """Turn the draft into a case: case, bodies, evidence, event, no draft (call inside the
    transaction of the filing: what else belongs with it, such as urgent alerts, is written in
    the same one).

    `covered` names the agencies whose staff cover the place (read in the same transaction):
    the bodies it names are reached through the bot, the case is 'dirujuk' when none is.

    Filing the same draft again returns the first case: a double tap or a retry files once.
    """
    assert draft.category and draft.description and draft.person and draft.province_code
    assert draft.event_date and draft.public_service and draft.identity
    stamp = now_iso(now)
    existing = await find_by_draft(conn, draft.draft_id)
    if existing is not None:
        await execute(
            conn,
            "DELETE FROM drafts WHERE chat_hash = ? AND draft_id = ?",
            (chat.key, draft.draft_id),
        )
        return existing
    routing = route(decision, covered)
    identified = draft.identity != "anonymous"
    location = f"{draft.latitude},{draft.longitude}" if draft.latitude is not None else None
    values = (
        draft.draft_id, language, draft.category, draft.person, draft.province_code,
        draft.regency_code, draft.event_date.isoformat(),
        draft.learned_date.isoformat() if draft.learned_date else None, draft.public_service,
        draft.complained, draft.identity,
        cipher.encrypt_optional(draft.reporter_name if identified else None),
        cipher.encrypt_optional(draft.reporter_phone if identified else None),
        decision.model_dump_json(), routing.status, stamp, stamp, stamp,
        cipher.encrypt(draft.description), cipher.encrypt_optional(draft.person_details),
        cipher.encrypt_optional(draft.place_detail),
        cipher.encrypt_optional(draft.service_name), cipher.encrypt_optional(location),
        chat.key, cipher.encrypt(chat.address),
    )  # fmt: skip
    for _ in range(8):
        ticket = new_ticket()
        try:
            inserted = await fetch_one(
                conn,
                "INSERT INTO cases (ticket, draft_id, reporter_chat_id, description, language,"
                " category, person_kind, province_code, regency_code, event_date,"
                " learned_date, public_service, complained, identity_mode, reporter_name_enc,"
                " reporter_phone_enc, decision, status, status_changed_at, created_at,"
                " updated_at, description_enc, person_name_enc, place_detail_enc,"
                " service_name_enc, location_enc, reporter_chat_hash, reporter_chat_enc)"
                f" VALUES (?, ?, 0, '', {', '.join('?' * 24)}) RETURNING id",
                (ticket, *values),
            )
            break
        except IntegrityError as exc:
            if "ticket" not in str(exc):  # SQLite: cases.ticket; PostgreSQL: cases_ticket_key
                raise
    else:
        raise RuntimeError("could not draw an unused ticket number")
    assert inserted is not None
    case_id = int(inserted["id"])
    await execute_many(
        conn,
        "INSERT INTO case_bodies (case_id, agency, office, added_at, reached)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (case_id, office.agency, office.name, stamp, int(office in routing.reached))
            for office in decision.offices
        ],
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
            "INSERT INTO evidence (case_id, draft_id, kind, url_enc, created_at)"
            " VALUES (?, ?, 'link', ?, ?)",
            [(case_id, draft.draft_id, cipher.encrypt(item.label), stamp) for item in links],
        )
    await execute(
        conn,
        "INSERT INTO case_events (case_id, at, actor_kind, action, new_value, public)"
        " VALUES (?, ?, 'reporter', 'filed', ?, 0)",
        (case_id, stamp, routing.status),
    )
    await execute(
        conn,
        "DELETE FROM drafts WHERE chat_hash = ? AND draft_id = ?",
        (chat.key, draft.draft_id),
    )
    return FiledCase(case_id, ticket, decision, routing, True)


@dataclass(frozen=True)
class CaseStatus:
    """What a ticket holder may see of a case."""

    ticket: str
    status: str
    status_changed_at: dt.datetime
    offices: list[tuple[str, str, bool]]  # (agency, office, reached through the bot)
    public_notes: list[tuple[dt.datetime, str]]
    own: bool  # the chat asking filed it


async def status_of(
    conn: Database, ticket: str, cipher: DataCipher, chat: ChatRef | None = None
) -> CaseStatus | None:
    """The status, offices and public notes of the case with this ticket (one query), and
    whether `chat` filed it."""
    row = await fetch_one(
        conn,
        "SELECT c.status, c.status_changed_at,"
        " COALESCE((SELECT json_group_array(json_array(agency, office, reached)) FROM"
        "   (SELECT agency, office, reached FROM case_bodies WHERE case_id = c.id"
        "    ORDER BY agency) o),"
        "   '[]') AS offices,"
        " COALESCE((SELECT json_group_array(json_array(at, hex(note_enc))) FROM"
        "   (SELECT at, note_enc FROM case_events"
        "    WHERE case_id = c.id AND public = 1 AND note_enc IS NOT NULL ORDER BY id) n),"
        "   '[]') AS notes,"
        " c.reporter_chat_hash"
        " FROM cases c WHERE c.ticket = ?",
        (ticket,),
    )
    if row is None:
        return None
    offices = [
        (str(agency), str(office), bool(reached))
        for agency, office, reached in json.loads(row["offices"])
    ]
    notes = [
        (dt.datetime.fromisoformat(at), cipher.decrypt(bytes.fromhex(note)))
        for at, note in json.loads(row["notes"])
    ]
    own = chat is not None and row["reporter_chat_hash"] in chat.keys
    since = dt.datetime.fromisoformat(row["status_changed_at"])
    return CaseStatus(ticket, str(row["status"]), since, offices, notes, own)


@dataclass(frozen=True)
class OwnCase:
    """A filed case as its reporter may act on it."""

    id: int
    status: str


async def own_case(conn: Database, ticket: str, chat: ChatRef) -> OwnCase | None:
    """The case with this ticket if `chat` filed it."""
    row = await fetch_one(
        conn, "SELECT id, status, reporter_chat_hash FROM cases WHERE ticket = ?", (ticket,)
    )
    if row is None or row["reporter_chat_hash"] not in chat.keys:
        return None
    return OwnCase(int(row["id"]), str(row["status"]))


def _marks(values: Sequence[str]) -> str:
    return ", ".join("?" for _ in values)


async def tickets_of_chat(conn: Database, chat: ChatRef, limit: int = 20) -> list[tuple[str, str]]:
    """The chat's own tickets with their status, newest first."""
    hashes = chat.keys
    return [
        (str(r["ticket"]), str(r["status"]))
        for r in await fetch_all(
            conn,
            f"SELECT ticket, status FROM cases WHERE reporter_chat_hash IN ({_marks(hashes)})"
            " ORDER BY id DESC LIMIT ?",
            (*hashes, limit),
        )
    ]


async def filed_since(conn: Database, chat: ChatRef, since: dt.datetime) -> int:
    """How many cases the chat filed since the moment."""
    hashes = chat.keys
    row = await fetch_one(
        conn,
        f"SELECT COUNT(*) AS n FROM cases WHERE reporter_chat_hash IN ({_marks(hashes)})"
        " AND created_at >= ?",
        (*hashes, now_iso(since)),
    )
    return int(row["n"]) if row else 0
