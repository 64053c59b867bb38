"""Where the database holds chats: keyed hashes to find them, sealed addresses to send to them;
the one-time move of rows that earlier versions keyed by the chat id in clear, and the move of
every hash to a new data key (`rotate-key`)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.crypto import DataCipher, address_of, chat_address
from storage.database import Database, execute, fetch_all, fetch_one, transaction


@dataclass(frozen=True)
class HashColumn:
    """A column holding chats' keyed hashes; `sealed`: the column beside it holding the sealed
    address, where the row keeps one; `unique`: the hash is the table's key."""

    table: str
    column: str
    sealed: str | None
    unique: bool
    stamp: str  # which row is newer when two rows of one chat meet under one key


# Every column that holds a chat's hash. Staff are found by their Telegram user id in clear
# (staff are not anonymous: README, "What is kept").
HASH_COLUMNS = (
    HashColumn("chats", "chat_hash", "chat_enc", True, "updated_at"),
    HashColumn("drafts", "chat_hash", "chat_enc", True, "updated_at"),
    HashColumn("reporter_sessions", "chat_hash", None, True, "created_at"),
    HashColumn("packet_sessions", "chat_hash", None, True, "created_at"),
    HashColumn("rate_events", "chat_hash", None, False, "at"),
    HashColumn("outbox", "chat_hash", "chat_enc", False, "created_at"),
    HashColumn("updates", "chat_key", "chat_enc", False, "received_at"),
    HashColumn("cases", "reporter_chat_hash", "reporter_chat_enc", False, "created_at"),
)


def inbox_key(cipher: DataCipher, kind: str, number: int) -> str:
    """The inbox's ordering key of an update: a chat's hash (the same as in every other table),
    else a keyed hash of the user or of 'other' (never an id in clear)."""
    if kind == "chat":
        return cipher.chat_hash(chat_address("telegram", number))
    return cipher.chat_hash(f"telegram-{kind}:{number}")


async def upgrade_legacy(conn: Database, cipher: DataCipher) -> int:
    """Move the rows of migration 0013's legacy_* tables (keyed by the chat id in clear) under
    keyed hashes with sealed addresses, re-hash cases by their channel-qualified address, then
    drop the legacy tables; in one transaction, once. Returns how many rows moved."""
    async with transaction(conn):
        if await fetch_one(conn, "SELECT id FROM chat_hash_upgrade WHERE id = 1") is None:
            return 0
        return await _upgrade(conn, cipher)


async def _upgrade(conn: Database, cipher: DataCipher) -> int:

    def ref(chat_id: object) -> tuple[str, bytes]:
        address = chat_address("telegram", int(str(chat_id)))
        return cipher.chat_hash(address), cipher.encrypt(address)

    moved = 0
    for row in await fetch_all(conn, "SELECT * FROM legacy_chats"):
        key, sealed = ref(row["chat_id"])
        moved += await execute(
            conn,
            "INSERT INTO chats (chat_hash, chat_enc, language, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_hash) DO NOTHING",
            (key, sealed, row["language"], row["created_at"], row["updated_at"]),
        )
    for row in await fetch_all(conn, "SELECT * FROM legacy_drafts"):
        key, sealed = ref(row["chat_id"])
        moved += await execute(
            conn,
            "INSERT INTO drafts (chat_hash, chat_enc, draft_id, step, state, created_at,"
            " updated_at, reminded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (chat_hash) DO NOTHING",
            (
                key, sealed, row["draft_id"], row["step"], row["state"], row["created_at"],
                row["updated_at"], row["reminded_at"],
            ),
        )  # fmt: skip
    for row in await fetch_all(conn, "SELECT * FROM legacy_reporter_sessions"):
        moved += await execute(
            conn,
            "INSERT INTO reporter_sessions (chat_hash, case_id, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_hash) DO NOTHING",
            (ref(row["chat_id"])[0], row["case_id"], row["created_at"]),
        )
    for row in await fetch_all(conn, "SELECT * FROM legacy_packet_sessions"):
        moved += await execute(
            conn,
            "INSERT INTO packet_sessions (chat_hash, case_id, state_enc, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (chat_hash) DO NOTHING",
            (ref(row["chat_id"])[0], row["case_id"], row["state_enc"], row["created_at"]),
        )
    for row in await fetch_all(conn, "SELECT id, chat_id FROM legacy_outbox"):
        key, sealed = ref(row["chat_id"])
        moved += await execute(
            conn,
            "UPDATE outbox SET chat_hash = ?, chat_enc = ? WHERE id = ?",
            (key, sealed, row["id"]),
        )
    for row in await fetch_all(
        conn, "SELECT update_id, chat_key FROM updates WHERE chat_key LIKE '%:%'"
    ):
        kind, _, number = str(row["chat_key"]).partition(":")
        sealed_chat: bytes | None = None
        if kind == "chat":
            sealed_chat = cipher.encrypt(chat_address("telegram", number))
        moved += await execute(
            conn,
            "UPDATE updates SET chat_key = ?, chat_enc = ? WHERE update_id = ?",
            (inbox_key(cipher, kind, int(number)), sealed_chat, row["update_id"]),
        )
    for row in await fetch_all(
        conn, "SELECT id, reporter_chat_enc FROM cases WHERE reporter_chat_enc IS NOT NULL"
    ):
        address = address_of(cipher.decrypt(row["reporter_chat_enc"]))
        moved += await execute(
            conn,
            "UPDATE cases SET reporter_chat_hash = ?, reporter_chat_enc = ? WHERE id = ?",
            (cipher.chat_hash(address), cipher.encrypt(address), row["id"]),
        )
    for table in ("chats", "drafts", "reporter_sessions", "packet_sessions", "outbox"):
        await execute(conn, f"DROP TABLE legacy_{table}")
    await execute(conn, "DELETE FROM chat_hash_upgrade")
    return moved


async def rehash(conn: Database, cipher: DataCipher) -> int:
    """Move every chat hash to the current (first) key, inside the caller's transaction.

    The map from every hash a key gave to the current one comes from the sealed addresses the
    database holds (each chat that has a language, a draft, a message to send or a case has
    one). Where two rows of a unique table meet under the new hash (a process on the new key
    wrote one while the old stayed), the newer stays. A row whose hash no sealed address
    explains (a rate counter or a session of a chat the database no longer knows) cannot be
    re-keyed and is deleted, counted. Returns how many rows changed."""
    to_current: dict[str, str] = {}
    current: set[str] = set()
    for column in HASH_COLUMNS:
        if column.sealed is None:
            continue
        for row in await fetch_all(
            conn, f"SELECT {column.sealed} AS sealed FROM {column.table}"
            f" WHERE {column.sealed} IS NOT NULL",
        ):  # fmt: skip
            hashes = cipher.chat_hashes(address_of(cipher.decrypt(row["sealed"])))
            current.add(hashes[0])
            for old in hashes[1:]:
                to_current[old] = hashes[0]
    changed = 0
    for column in HASH_COLUMNS:
        name, table = column.column, column.table
        for row in await fetch_all(
            conn, f"SELECT DISTINCT {name} AS hash FROM {table} WHERE {name} IS NOT NULL"
        ):
            old = str(row["hash"])
            new = to_current.get(old)
            if new is None:
                if old not in current and column.sealed is None:
                    changed += await execute(conn, f"DELETE FROM {table} WHERE {name} = ?", (old,))
                continue
            if column.unique:
                # keep the newer of the two rows of one chat
                await execute(
                    conn,
                    f"DELETE FROM {table} WHERE {name} = ? AND {column.stamp} <"
                    f" (SELECT {column.stamp} FROM {table} WHERE {name} = ?)",
                    (new, old),
                )
                await execute(
                    conn,
                    f"DELETE FROM {table} WHERE {name} = ? AND EXISTS"
                    f" (SELECT 1 FROM {table} WHERE {name} = ?)",
                    (old, new),
                )
            changed += await execute(
                conn, f"UPDATE {table} SET {name} = ? WHERE {name} = ?", (new, old)
            )
    return changed
