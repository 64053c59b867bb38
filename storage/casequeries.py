"""Staff-side reads and writes of cases: scoped lists, digests, details, status changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from conversations.casefilters import NO_FILTERS, Filters
from conversations.caserow import CaseEvent, CaseRow
from conversations.staff import StaffMember
from conversations.statuses import REFERRED
from conversations.visibility import Policy
from storage.crypto import DataCipher, address_of
from storage.database import Database, Row, execute, fetch_all, fetch_one, now_iso
from storage.staff import identity_clause, scope_clause

_COLUMNS = (
    "c.id, c.ticket, c.status, c.status_changed_at, c.created_at, c.category, c.person_kind,"
    " c.person_name_enc, c.province_code, c.regency_code, c.place_detail_enc, c.event_date,"
    " c.learned_date, c.public_service, c.service_name_enc, c.complained, c.description_enc,"
    " c.identity_mode, c.reporter_name_enc, c.reporter_phone_enc, c.reporter_chat_enc,"
    " c.language, c.decision, c.location_enc,"
    " (SELECT COUNT(*) FROM evidence e WHERE e.case_id = c.id) AS evidence_count,"
    " (SELECT group_concat(b.agency || '=' || b.office, '|')"
    "  FROM case_bodies b WHERE b.case_id = c.id) AS bodies, "
)
# whether the reader may see who reported: the member's agency handles the case (staff.
# identity_clause); "1" where no member reads (the command line, callers that check themselves)
_EVERYONE = "1 AS identity_ok"


def _who(member: StaffMember | None, policy: Policy, identity: bool) -> tuple[str, list[object]]:
    if member is None or not identity:
        return _EVERYONE, []
    sql, params = identity_clause(member, policy)
    return f"({sql}) AS identity_ok", params


def _row(row: Row, cipher: DataCipher, identity: bool = False, text: bool = True) -> CaseRow:
    """A case read by column name, its free text decrypted (not with `text=False`: lists and
    exports that show none of it skip the cost); the reporter's name and phone only with
    `identity` (and only when the reporter gave them and the reader may see them)."""
    bodies = {}
    for part in str(row["bodies"] or "").split("|"):
        if "=" in part:
            agency, office = part.split("=", 1)
            bodies[agency] = office
    identified = (
        identity and bool(row["identity_ok"]) and row["identity_mode"] in {"confidential", "open"}
    )

    def free(token: bytes | None) -> str | None:
        return cipher.decrypt_optional(token) if text else None

    return CaseRow(
        id=int(row["id"]), ticket=str(row["ticket"]), status=str(row["status"]),
        status_changed_at=dt.datetime.fromisoformat(row["status_changed_at"]),
        created_at=dt.datetime.fromisoformat(row["created_at"]), category=str(row["category"]),
        person_kind=str(row["person_kind"]), person_details=free(row["person_name_enc"]),
        province_code=str(row["province_code"]), regency_code=row["regency_code"],
        place_detail=free(row["place_detail_enc"]),
        event_date=dt.date.fromisoformat(row["event_date"]),
        learned_date=dt.date.fromisoformat(row["learned_date"]) if row["learned_date"] else None,
        public_service=str(row["public_service"]), service_name=free(row["service_name_enc"]),
        complained=row["complained"], description=free(row["description_enc"]) or "",
        identity=str(row["identity_mode"]),
        reporter_name=cipher.decrypt_optional(row["reporter_name_enc"]) if identified else None,
        reporter_phone=cipher.decrypt_optional(row["reporter_phone_enc"]) if identified else None,
        reporter_chat=address_of(chat) if (chat := free(row["reporter_chat_enc"])) else "",
        language=str(row["language"]), decision_json=str(row["decision"]),
        evidence_count=int(row["evidence_count"]), bodies=bodies,
        location=free(row["location_enc"]),
    )  # fmt: skip


# The case list's orders (conversations.console.SORTS): newest filed, oldest filed, longest
# waiting in their status.
ORDERS = {
    "newest": "c.id DESC",
    "oldest": "c.id ASC",
    "waiting": "c.status_changed_at ASC, c.id ASC",
}


def _filter_sql(filters: Filters) -> tuple[str, list[object]]:
    parts: list[str] = []
    params: list[object] = []
    if filters.status:
        parts.append("c.status = ?")
        params.append(filters.status)
    if filters.agency:
        parts.append("EXISTS (SELECT 1 FROM case_bodies f WHERE f.case_id = c.id AND f.agency = ?)")
        params.append(filters.agency)
    if filters.province:
        parts.append("c.province_code = ?")
        params.append(filters.province)
    if filters.regency:
        parts.append("c.regency_code = ?")
        params.append(filters.regency)
    if filters.category:
        parts.append("c.category = ?")
        params.append(filters.category)
    if filters.since:
        parts.append("c.created_at >= ?")
        params.append(filters.since.isoformat())
    if filters.until:
        parts.append("c.created_at < ?")
        params.append((filters.until + dt.timedelta(days=1)).isoformat())
    return " AND ".join(parts) or "TRUE", params


async def visible(
    conn: Database,
    member: StaffMember | None,
    policy: Policy,
    *,
    filters: Filters = NO_FILTERS,
    after_id: int = 0,
    limit: int = 20,
    offset: int = 0,
    order: str = "newest",
    cipher: DataCipher,
    identity: bool = False,
    text: bool = True,
) -> list[CaseRow]:
    """Cases the member may see (all cases when `member` is None: the command line), in one of
    the ORDERS (`text=False`: without their free text, for lists and exports)."""
    scope_sql, params = scope_clause(member, policy) if member else ("TRUE", [])
    filter_sql, filter_params = _filter_sql(filters)
    who_sql, who_params = _who(member, policy, identity)
    # `c.id > ?` only when paging by id: even as `c.id > 0` it steers the planner to an id index
    after_sql, after_params = ("c.id > ? AND ", [after_id]) if after_id else ("", [])
    sql = (
        f"SELECT {_COLUMNS}{who_sql} FROM cases c WHERE {after_sql}{scope_sql} AND {filter_sql}"
        f" ORDER BY {ORDERS[order]} LIMIT ? OFFSET ?"
    )
    values = [*who_params, *after_params, *params, *filter_params, limit, offset]
    return [_row(r, cipher, identity, text) for r in await fetch_all(conn, sql, values)]


async def count_visible(
    conn: Database,
    member: StaffMember,
    policy: Policy,
    filters: Filters,
    cap: int | None = None,
) -> int:
    """How many cases the member may see with these filters; counting stops at `cap` (a list
    shows "more than N" rather than walk a million rows on every page)."""
    scope_sql, params = scope_clause(member, policy)
    filter_sql, filter_params = _filter_sql(filters)
    limit = "" if cap is None else f" LIMIT {int(cap)}"
    row = await fetch_one(
        conn,
        f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM cases c WHERE {scope_sql} AND {filter_sql}"
        f"{limit})",
        [*params, *filter_params],
    )
    return int(row["n"]) if row else 0


async def by_ticket(
    conn: Database,
    ticket: str,
    member: StaffMember | None,
    policy: Policy,
    cipher: DataCipher,
    identity: bool = False,
) -> CaseRow | None:
    """The case with this ticket if the member may see it."""
    scope_sql, params = scope_clause(member, policy) if member else ("TRUE", [])
    who_sql, who_params = _who(member, policy, identity)
    row = await fetch_one(
        conn,
        f"SELECT {_COLUMNS}{who_sql} FROM cases c WHERE c.ticket = ? AND {scope_sql}",
        [*who_params, ticket, *params],
    )
    return _row(row, cipher, identity) if row else None


async def may_see(conn: Database, member: StaffMember, policy: Policy, case_id: int) -> bool:
    """Whether the member may see the case with this id (the SQL scope rule)."""
    scope_sql, params = scope_clause(member, policy)
    row = await fetch_one(
        conn, f"SELECT 1 FROM cases c WHERE c.id = ? AND {scope_sql}", [case_id, *params]
    )
    return row is not None


async def by_id(
    conn: Database, case_id: int, cipher: DataCipher, identity: bool = False
) -> CaseRow | None:
    """The case with this id (no scope check: callers check it)."""
    row = await fetch_one(
        conn, f"SELECT {_COLUMNS}{_EVERYONE} FROM cases c WHERE c.id = ?", (case_id,)
    )
    return _row(row, cipher, identity) if row else None


async def related(
    conn: Database,
    case: CaseRow,
    window_days: int,
    member: StaffMember,
    policy: Policy,
    cipher: DataCipher,
) -> list[tuple[str, str | None]]:
    """(ticket, person details) of other cases in the same regency filed within the window
    that the member may open (a ticket of a case out of their scope is never shown)."""
    if case.regency_code is None:
        return []
    low = now_iso(case.created_at - dt.timedelta(days=window_days))
    high = now_iso(case.created_at + dt.timedelta(days=window_days))
    scope_sql, params = scope_clause(member, policy)
    return [
        (str(r["ticket"]), cipher.decrypt_optional(r["person_name_enc"]))
        for r in await fetch_all(
            conn,
            "SELECT c.ticket, c.person_name_enc FROM cases c WHERE c.regency_code = ?"
            " AND c.id != ?"
            f" AND c.created_at BETWEEN ? AND ? AND {scope_sql} ORDER BY c.id DESC LIMIT 200",
            [case.regency_code, case.id, low, high, *params],
        )
    ]


async def add_event(
    conn: Database,
    case_id: int,
    now: dt.datetime,
    *,
    actor_kind: str,
    actor_id: int | None,
    action: str,
    old: str | None = None,
    new: str | None = None,
    note: str | None = None,
    public: bool = False,
    actor_agency: str | None = None,
    cipher: DataCipher,
) -> None:
    """Append to the case's history (call inside the transaction of the change); the note is
    encrypted."""
    await execute(
        conn,
        "INSERT INTO case_events (case_id, at, actor_kind, actor_id, action, old_value, new_value,"
        " note_enc, public, actor_agency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            case_id, now_iso(now), actor_kind, actor_id, action, old, new,
            cipher.encrypt_optional(note), int(public), actor_agency,
        ),
    )  # fmt: skip


async def set_status(conn: Database, case_id: int, status: str, now: dt.datetime) -> None:
    """Move the case to a new status (call inside a transaction)."""
    stamp = now_iso(now)
    await execute(
        conn,
        "UPDATE cases SET status = ?, status_changed_at = ?, updated_at = ? WHERE id = ?",
        (status, stamp, stamp, case_id),
    )


async def add_body(
    conn: Database, case_id: int, agency: str, office: str, now: dt.datetime, *, reached: bool
) -> bool:
    """Add a handling body to the case, `reached` when its staff get the case through the bot
    (else the body is a referral: the reporter files there); False when it already had it."""
    changed = await execute(
        conn,
        "INSERT INTO case_bodies (case_id, agency, office, added_at, reached)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (case_id, agency, office, now_iso(now), int(reached)),
    )
    return changed == 1


async def events(
    conn: Database, case_id: int, cipher: DataCipher, limit: int = 10
) -> list[CaseEvent]:
    """The newest events of a case, oldest first."""
    rows = await fetch_all(
        conn,
        "SELECT at, action, old_value, new_value, note_enc, public, actor_kind, actor_agency"
        " FROM case_events"
        " WHERE case_id = ? ORDER BY id DESC LIMIT ?",
        (case_id, limit),
    )
    return [
        CaseEvent(
            at=dt.datetime.fromisoformat(r["at"]),
            action=str(r["action"]),
            old=r["old_value"],
            new=r["new_value"],
            note=cipher.decrypt_optional(r["note_enc"]),
            public=bool(r["public"]),
            actor_kind=str(r["actor_kind"]),
            actor_agency=r["actor_agency"],
        )
        for r in reversed(list(rows))
    ]


async def daily_counts(
    conn: Database, member: StaffMember, policy: Policy, since: dt.datetime
) -> list[tuple[str, str, int]]:
    """(UTC day, agency, count) of cases filed since `since` that the member may see."""
    scope_sql, params = scope_clause(member, policy)
    return [
        (str(r["day"]), str(r["agency"]), int(r["n"]))
        for r in await fetch_all(
            conn,
            "SELECT substr(c.created_at, 1, 10) AS day, b.agency, COUNT(*) AS n FROM cases c"
            " JOIN case_bodies b ON b.case_id = c.id"
            f" WHERE c.created_at >= ? AND {scope_sql} GROUP BY 1, 2",
            [now_iso(since), *params],
        )
    ]


async def status_counts(conn: Database, member: StaffMember, policy: Policy) -> dict[str, int]:
    """Cases the member may see, by status."""
    scope_sql, params = scope_clause(member, policy)
    return {
        str(r["status"]): int(r["n"])
        for r in await fetch_all(
            conn,
            f"SELECT c.status, COUNT(*) AS n FROM cases c WHERE {scope_sql} GROUP BY c.status",
            params,
        )
    }


async def count_referred(conn: Database) -> int:
    """Cases no handling body received through the bot ('dirujuk'), everywhere."""
    row = await fetch_one(conn, "SELECT COUNT(*) AS n FROM cases WHERE status = ?", (REFERRED,))
    return int(row["n"]) if row else 0


async def waiting_longest(
    conn: Database,
    member: StaffMember,
    policy: Policy,
    cipher: DataCipher,
    final: Collection[str],
    limit: int = 5,
) -> list[CaseRow]:
    """Open cases (status not in `final`) the member may see that have waited longest in their
    status."""
    scope_sql, params = scope_clause(member, policy)
    closed = ", ".join("?" for _ in final) or "''"
    return [
        _row(r, cipher)
        for r in await fetch_all(
            conn,
            f"SELECT {_COLUMNS}{_EVERYONE} FROM cases c"
            f" WHERE c.status NOT IN ({closed}) AND {scope_sql}"
            " ORDER BY c.status_changed_at LIMIT ?",
            [*final, *params, limit],
        )
    ]


async def cursor_of(conn: Database, user_id: int) -> tuple[int, str | None]:
    """The last case id in a delivered digest, and the day of the last daily summary."""
    row = await fetch_one(
        conn, "SELECT last_case_id, daily_sent_on FROM digest_cursors WHERE user_id = ?", (user_id,)
    )
    return (int(row["last_case_id"]), row["daily_sent_on"]) if row else (0, None)


async def mark_daily(conn: Database, user_id: int, day: dt.date, now: dt.datetime) -> None:
    """Remember that today's summary was queued for this member."""
    await execute(
        conn,
        "INSERT INTO digest_cursors (user_id, last_case_id, updated_at, daily_sent_on)"
        " VALUES (?, 0, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET daily_sent_on = excluded.daily_sent_on",
        (user_id, now_iso(now), day.isoformat()),
    )


async def breakdown(
    conn: Database, member: StaffMember, policy: Policy
) -> dict[tuple[str, str, str], int]:
    """Cases the member may see, counted by (status, category, province code) in one pass
    over their scope (the dashboard sums it three ways)."""
    scope_sql, params = scope_clause(member, policy)
    return {
        (str(r["status"]), str(r["category"]), str(r["province_code"])): int(r["n"])
        for r in await fetch_all(
            conn,
            "SELECT c.status, c.category, c.province_code, COUNT(*) AS n FROM cases c"
            f" WHERE {scope_sql} GROUP BY 1, 2, 3",
            params,
        )
    }


async def hourly_totals(
    conn: Database, member: StaffMember, policy: Policy, since: dt.datetime
) -> dict[dt.datetime, int]:
    """Cases the member may see filed since `since`, by UTC hour (the caller reads the hours
    as local days)."""
    scope_sql, params = scope_clause(member, policy)
    return {
        dt.datetime.fromisoformat(f"{r['hour']}:00+00:00"): int(r["n"])
        for r in await fetch_all(
            conn,
            "SELECT substr(c.created_at, 1, 13) AS hour, COUNT(*) AS n FROM cases c"
            f" WHERE c.created_at >= ? AND {scope_sql} GROUP BY 1",
            [now_iso(since), *params],
        )
    }


@dataclass(frozen=True)
class PublicCounts:
    """Every case, counted four ways for the public statistics page."""

    total: int
    by_province: dict[str, int]
    by_category: dict[str, int]
    by_day: dict[str, int]  # UTC day of filing
    by_status: dict[str, int]


async def public_counts(conn: Database, before: dt.datetime) -> PublicCounts:
    """Counts of the cases filed before the moment (nothing else is read: no text, no place
    below a province)."""

    async def grouped(expression: str) -> dict[str, int]:
        rows = await fetch_all(
            conn,
            f"SELECT {expression} AS value, COUNT(*) AS n FROM cases WHERE created_at < ?"
            " GROUP BY 1",
            (now_iso(before),),
        )
        return {str(r["value"]): int(r["n"]) for r in rows}

    by_status = await grouped("status")
    return PublicCounts(
        total=sum(by_status.values()),
        by_province=await grouped("province_code"),
        by_category=await grouped("category"),
        by_day=await grouped("substr(created_at, 1, 10)"),
        by_status=by_status,
    )
