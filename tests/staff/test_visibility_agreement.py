"""The visibility policy is one expression read two ways — `allows()` on one case (alerts, a
case opened by button, forwarding) and `to_sql()` for lists, counts and exports — so both
readings are run over the same table of cases and staff members, and every answer must agree
(as must the identity rule, and the one-case SQL check the filing packet uses)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from conversations.jurisdiction.engine import default_jurisdiction
from conversations.staff import StaffMember
from conversations.visibility import Facts, StatusIs, Viewer, allows
from storage import casequeries
from storage.crypto import DataCipher
from storage.database import connect
from storage.migrator import migrate
from storage.visibility import to_sql

BODY_SETS = [(), ("bawaslu",), ("ombudsman",), ("bawaslu", "ombudsman"), ("bkn",)]
PERSONS = ["asn", "village", "non_asn_staff", "citizen_other"]
PLACES = [("36", "36.73"), ("36", "36.04"), ("51", "51.71"), ("36", None)]
STATUSES = ["diterima", "dirujuk", "selesai"]
AGENCIES = ["", "bawaslu", "ombudsman", "bkn", "inspektorat"]
SCOPES = ["", "36", "36.73", "51", "51.71"]


async def test_sees_and_the_sql_scope_clause_agree(tmp_path: Path) -> None:
    rules = default_jurisdiction().rules
    policy = default_jurisdiction().visibility
    persons = [p for p in PERSONS if p in {k.id for k in rules.person_kinds}]
    assert {"asn", "non_asn_staff"} <= set(persons)
    cipher = DataCipher(Fernet.generate_key().decode())
    description = cipher.encrypt("contoh")
    name = cipher.encrypt("Pelapor Terbuka")
    stamp = dt.datetime(2024, 11, 20, tzinfo=dt.UTC).isoformat()
    conn = await connect(tmp_path / "agree.db")
    try:
        await migrate(conn)
        table: dict[int, tuple[tuple[str, ...], str, tuple[str, str | None], str]] = {}
        combos = itertools.product(BODY_SETS, persons, PLACES, STATUSES)
        for case_id, (bodies, person, place, status) in enumerate(combos, start=1):
            table[case_id] = (bodies, person, place, status)
            await conn.execute(
                "INSERT INTO cases (id, ticket, draft_id, reporter_chat_id, language, category,"
                " description, description_enc, person_kind, province_code, regency_code,"
                " event_date, public_service, identity_mode, decision, status, status_changed_at,"
                " created_at, updated_at, reporter_name_enc)"
                " VALUES (?, ?, ?, 0, 'id', 'other', '', ?, ?, ?, ?, '2024-11-19', 'no',"
                " 'open', '{\"bodies\":[],\"offices\":[]}', ?, ?, ?, ?, ?)",
                (
                    case_id, f"LN-TEST-{case_id:04d}", f"d{case_id}", description, person,
                    place[0], place[1], status, stamp, stamp, stamp, name,
                ),
            )  # fmt: skip
            for agency in bodies:
                await conn.execute(
                    "INSERT INTO case_bodies (case_id, agency, office, added_at)"
                    " VALUES (?, ?, ?, ?)",
                    (case_id, agency, agency, stamp),
                )
        compared = identities = 0
        for agency, scope, admin in itertools.product(AGENCIES, SCOPES, (False, True)):
            member = StaffMember(1, agency, scope, "id", admin=admin)
            rows = await casequeries.visible(conn, member, policy, limit=10_000, cipher=cipher)
            by_sql = {row.id for row in rows}
            facts = {
                case_id: Facts(bodies, person, province, regency, status)
                for case_id, (bodies, person, (province, regency), status) in table.items()
            }
            sees = policy.sees(Viewer(agency, scope, admin))
            by_core = {case_id for case_id, case in facts.items() if allows(sees, case)}
            assert by_sql == by_core, (agency, scope, admin, by_sql ^ by_core)
            # who reported: only the handling bodies' staff, by either rule
            shown = await casequeries.visible(
                conn, member, policy, limit=10_000, cipher=cipher, identity=True
            )
            identity = policy.sees_identity(Viewer(agency, scope, admin))
            for row in shown:
                expected = allows(identity, facts[row.id])
                assert (row.reporter_name is not None) == expected, (agency, row.id)
                identities += expected
            for case_id in (1, len(table) // 2, len(table)):
                assert await casequeries.may_see(conn, member, policy, case_id) == (
                    case_id in by_core
                )
            compared += len(table)
        assert compared == len(AGENCIES) * len(SCOPES) * 2 * len(table)
        assert identities > 0  # some staff see some reporters
        # the table is not trivial: some members see some cases, none sees all or nothing
        admin_all = StaffMember(1, "bawaslu", "", "id", admin=True)
        assert (
            0
            < len(await casequeries.visible(conn, admin_all, policy, limit=10_000, cipher=cipher))
            < len(table)
        )
    finally:
        await conn.close()


def test_the_policy_reads_as_sql() -> None:
    sql, params = to_sql(
        default_jurisdiction().visibility.sees(Viewer("ombudsman", "36.73", admin=True))
    )
    assert sql == (
        "(((EXISTS (SELECT 1 FROM case_bodies b WHERE b.case_id = c.id AND b.agency = ?))"
        " AND (c.regency_code = ?)) OR (c.status = 'dirujuk'))"
    )
    assert params == ["ombudsman", "36.73"]
    assert to_sql(default_jurisdiction().visibility.sees_identity(Viewer("", ""))) == ("FALSE", [])
    with pytest.raises(ValueError):
        to_sql(StatusIs("x' OR '1'='1"))
