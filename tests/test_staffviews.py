"""Staff views without Telegram: digest splitting, filters, CSV identity rules."""

from __future__ import annotations

import datetime as dt

from bot.sandbox.html_check import visible_text
from conversations.caserecord import CaseRow
from conversations.casework import add_working_days, shipped_casework, similarity
from conversations.jurisdiction.engine import default_jurisdiction
from conversations.jurisdiction.models import Decision
from conversations.staffviews import TELEGRAM_LIMIT, csv_row, digest_messages, sees

J = default_jurisdiction()


def case(n: int, **changes: object) -> CaseRow:
    values: dict[str, object] = dict(
        id=n, ticket=f"LN-0000-0000-{n:04d}", status="diterima",
        status_changed_at=dt.datetime(2024, 11, 20, tzinfo=dt.UTC),
        created_at=dt.datetime(2024, 11, 20, tzinfo=dt.UTC), category="state_facilities",
        person_kind="asn", person_details=None, province_code="36", regency_code="36.73",
        place_detail=None, event_date=dt.date(2024, 11, 19), learned_date=None,
        public_service="no", service_name=None, complained=None,
        description="<b>Mobil dinas</b> & spanduk " + "x" * 400, identity="anonymous",
        reporter_name=None, reporter_phone=None, reporter_chat_id=1, language="id",
        decision=Decision(), evidence_count=2, bodies={"bawaslu": "Bawaslu Kota Serang"},
    )  # fmt: skip
    values.update(changes)
    return CaseRow(**values)  # type: ignore[arg-type]


def test_long_digests_split_at_case_boundaries() -> None:
    cases = [case(n) for n in range(1, 41)]
    parts = digest_messages(cases, J, shipped_casework(), dt.date(2024, 11, 20), "id", "")
    assert len(parts) > 1
    shown = []
    for text, buttons in parts:
        assert len(text) <= TELEGRAM_LIMIT
        visible_text(text)  # valid Telegram HTML: user text is escaped
        assert "&lt;b&gt;Mobil dinas&lt;/b&gt; &amp; spanduk" in text
        assert len(buttons) <= 20
        shown += [row[0]["data"] for row in buttons]
        for row in buttons:  # each case's block and its button are in the same message
            assert row[0]["data"].removeprefix("ks:") in text
    assert shown == [f"ks:LN-0000-0000-{n:04d}" for n in range(40, 10, -1)]  # the newest 30
    assert "40 laporan baru" in parts[0][0]


def test_visibility_rule() -> None:
    both = {"bodies": ["bawaslu", "ombudsman"], "province_code": "36", "regency_code": "36.73"}
    assert sees("ombudsman", "36", official=True, **both)  # type: ignore[arg-type]
    assert sees("ombudsman", "36.73", official=True, **both)  # type: ignore[arg-type]
    assert not sees("ombudsman", "36.04", official=True, **both)  # type: ignore[arg-type]
    assert not sees("ombudsman", "51", official=True, **both)  # type: ignore[arg-type]
    assert not sees(
        "ombudsman", "", official=True, bodies=["bawaslu"], province_code="36", regency_code=None
    )
    assert sees(
        "inspektorat", "36", official=True, bodies=[], province_code="36", regency_code=None
    )
    assert not sees(
        "inspektorat",
        "36",
        official=False,
        bodies=["ombudsman"],
        province_code="36",
        regency_code=None,
    )


def test_csv_identity_only_for_open_reports() -> None:
    open_case = case(1, identity="open", reporter_name="Joko", reporter_phone="+62811")
    secret = case(2, identity="confidential", reporter_name="Sri", reporter_phone="+62812")
    assert csv_row(open_case, J)[-2:] == ["Joko", "+62811"]
    assert csv_row(secret, J)[-2:] == ["", ""]


def test_working_days_and_similarity() -> None:
    friday = dt.date(2024, 11, 22)
    assert add_working_days(friday, 1) == dt.date(2024, 11, 25)
    assert add_working_days(friday, 2) == dt.date(2024, 11, 26)
    assert similarity("Budi Santoso, Camat Serang", "camat serang budi") == 1.0
    assert similarity("Kepala Dinas Pendidikan", "Camat Serang") == 0.0
    assert similarity(None, "x") == 0.0
