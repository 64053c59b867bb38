"""The web console's one-time login links and sessions, stored as hashes of their secrets."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from storage.database import Database, execute, fetch_one, now_iso

TOUCH_EVERY = dt.timedelta(minutes=1)  # how stale a session's last-seen time may be


IDLE_LIMIT = dt.timedelta(hours=8)  # a web session unused this long ends


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class WebSession:
    """A logged-in browser: whose it is, its form token and the language chosen there."""

    user_id: int
    csrf_token: str
    language: str


async def add_link(conn: Database, token: str, user_id: int, expires_at: dt.datetime) -> None:
    """Remember a login link's token until it expires."""
    await execute(
        conn,
        "INSERT INTO web_login_links (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
        (_hash(token), user_id, now_iso(expires_at)),
    )


async def use_link(conn: Database, token: str, now: dt.datetime) -> int | None:
    """The user a login link was made for, once: a used, expired or unknown link gives None.
    One statement marks it used only if nobody did (on PostgreSQL, ten clicks at once in
    READ COMMITTED each read it unused: only the row count tells who marked it)."""
    row = await fetch_one(
        conn,
        "UPDATE web_login_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
        " RETURNING user_id, expires_at",
        (now_iso(now), _hash(token)),
    )
    if row is None:
        return None
    if dt.datetime.fromisoformat(row["expires_at"]) <= now:
        return None
    return int(row["user_id"])


async def start_session(
    conn: Database,
    session_id: str,
    user_id: int,
    csrf_token: str,
    language: str,
    now: dt.datetime,
) -> None:
    """Open a browser session."""
    stamp = now_iso(now)
    await execute(
        conn,
        "INSERT INTO web_sessions"
        " (session_hash, user_id, csrf_token, language, created_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (_hash(session_id), user_id, csrf_token, language, stamp, stamp),
    )


async def touch_session(
    conn: Database, session_id: str, now: dt.datetime, idle: dt.timedelta
) -> WebSession | None:
    """The session, its idle clock restarted (to the minute); None (and the session ended) when
    it has been idle longer than `idle` or does not exist."""
    key = _hash(session_id)
    row = await fetch_one(
        conn,
        "SELECT user_id, csrf_token, language, last_seen_at FROM web_sessions"
        " WHERE session_hash = ?",
        (key,),
    )
    if row is None:
        return None
    seen = dt.datetime.fromisoformat(row["last_seen_at"])
    if seen + idle <= now:
        await end_session(conn, session_id)
        return None
    if now - seen >= TOUCH_EVERY:  # not a disk write on every page
        await execute(
            conn,
            "UPDATE web_sessions SET last_seen_at = ? WHERE session_hash = ?",
            (now_iso(now), key),
        )
    return WebSession(int(row["user_id"]), str(row["csrf_token"]), str(row["language"]))


async def set_language(conn: Database, session_id: str, language: str) -> None:
    """The language this browser reads the console in."""
    await execute(
        conn,
        "UPDATE web_sessions SET language = ? WHERE session_hash = ?",
        (language, _hash(session_id)),
    )


async def end_session(conn: Database, session_id: str) -> None:
    """Log this browser out."""
    await execute(conn, "DELETE FROM web_sessions WHERE session_hash = ?", (_hash(session_id),))


async def end_sessions_of(conn: Database, user_id: int) -> None:
    """Log every browser of this user out (a removed staff member)."""
    await execute(conn, "DELETE FROM web_sessions WHERE user_id = ?", (user_id,))
    await execute(conn, "DELETE FROM web_login_links WHERE user_id = ?", (user_id,))


async def purge(conn: Database, now: dt.datetime, idle: dt.timedelta) -> None:
    """Forget expired links and idle sessions."""
    await execute(conn, "DELETE FROM web_login_links WHERE expires_at <= ?", (now_iso(now),))
    await execute(conn, "DELETE FROM web_sessions WHERE last_seen_at <= ?", (now_iso(now - idle),))
