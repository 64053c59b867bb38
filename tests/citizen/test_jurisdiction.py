"""The jurisdiction engine: a table of real situations, properties over every input, bad files."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.jurisdiction.elections import ElectionsError, parse_elections
from conversations.jurisdiction.engine import Jurisdiction, default_jurisdiction
from conversations.jurisdiction.models import ReportFacts
from conversations.jurisdiction.render import MAX_LENGTH, render_decision
from conversations.jurisdiction.ruleset import RulesError, parse_rules
from conversations.places import places
from tests.paths import DATA, ROOT

SCENARIOS = tomllib.loads((DATA / "jurisdiction_scenarios.toml").read_text("utf-8"))["scenario"]
ENGINE = default_jurisdiction()
RULES_TEXT = (ROOT / "conversations" / "data" / "rules.toml").read_text()


def facts_of(row: dict[str, Any]) -> ReportFacts:
    return ReportFacts(
        category=row["category"],
        person=row["person"],
        public_service=row["public_service"],
        complained=row.get("complained"),
        province_code=row["province"],
        regency_code=row.get("regency"),
        event_date=row["event"],
        learned_date=row.get("learned"),
        identity=row.get("identity", "anonymous"),
        report_date=row["report"],
    )


def test_the_table_is_broad_enough() -> None:
    assert len(SCENARIOS) >= 40
    applied = {rule for row in SCENARIOS for rule in ENGINE.decide(facts_of(row)).rules_applied}
    assert {r.id for r in ENGINE.rules.rules} | {"R11", "R12"} <= applied
    assert {row["person"] for row in SCENARIOS} == {k.id for k in ENGINE.rules.person_kinds}
    assert {row["category"] for row in SCENARIOS} == {c.id for c in ENGINE.rules.categories}


@pytest.mark.parametrize("row", SCENARIOS, ids=[row["story"][:60] for row in SCENARIOS])
def test_scenario(row: dict[str, Any]) -> None:
    decision = ENGINE.decide(facts_of(row))
    assert decision.bodies == row["expect_bodies"], decision.rules_applied
    if "expect_offices" in row:
        assert [o.name for o in decision.offices] == row["expect_offices"]
    for rule in row.get("expect_rules", []):
        assert rule in decision.rules_applied
    assert decision.dropped == row.get("expect_dropped", [])
    if "expect_warning" in row:
        assert any(row["expect_warning"] in w.id for w in decision.warnings)
    else:
        assert (decision.warnings == []) == (decision.dropped == [])
    if "expect_referral" in row:
        sent_to = [r.id for r in decision.referrals] + [o.name for o in decision.offices]
        assert any(row["expect_referral"] in text for text in sent_to), sent_to
    if "expect_reason" in row:
        assert any(row["expect_reason"] in r.id for r in decision.reasons)
    if "expect_no_step" in row:
        assert not any(row["expect_no_step"] in s.id for s in decision.next_steps)
    for agency, day in row.get("expect_deadline", {}).items():
        assert [d.date for d in decision.deadlines if d.agency == agency] == [day]
    for agency, day in row.get("expect_latest", {}).items():
        assert [d.latest for d in decision.deadlines if d.agency == agency] == [day]
    if "urgent" in row:
        assert decision.urgent is row["urgent"]
    assert decision.offices or decision.referrals


def test_rendered_decision_has_the_fixed_line_openings() -> None:
    row = SCENARIOS[4]  # the Dukcapil case in Kota Serang
    decision = ENGINE.decide(facts_of(row))
    text_id = render_decision(decision, "LN-ABCD-EFGH-JKM", "id")
    text_en = render_decision(decision, "LN-ABCD-EFGH-JKM", "en")
    assert "\nNomor tiket: <code>LN-ABCD-EFGH-JKM</code>\n" in text_id
    offices = "Bawaslu Kota Serang; Ombudsman RI Perwakilan Banten; Badan Kepegawaian Negara (BKN)"
    assert f"\nLembaga berwenang: {offices}\n" in text_id
    assert "\nTicket number: <code>LN-ABCD-EFGH-JKM</code>\n" in text_en
    assert f"\nHandled by: {offices}\n" in text_en
    assert "17 Februari 2024" in text_id and "17 February 2024" in text_en


def test_rendered_neither() -> None:
    row = next(r for r in SCENARIOS if r["person"] == "private" and r["category"] == "mobilisation")
    decision = ENGINE.decide(facts_of(row))
    assert "Lembaga berwenang: tidak ada (lihat saran di bawah)" in render_decision(
        decision, "X", "id"
    )
    assert "Handled by: none (see below)" in render_decision(decision, "X", "en")


# ------------------------------------------------------------------ properties
PROVINCES = [p.code for p in places().provinces()]


@st.composite
def any_facts(draw: st.DrawFn) -> ReportFacts:
    province = draw(st.sampled_from(PROVINCES))
    regencies = [r.code for r in places().regencies_of(province)]
    regency = draw(st.one_of(st.none(), st.sampled_from(regencies)))
    report = draw(st.dates(dt.date(2019, 1, 1), dt.date(2030, 12, 31)))
    event = report - dt.timedelta(days=draw(st.integers(0, 1500)))
    learned = draw(
        st.one_of(
            st.none(),
            st.integers(0, (report - event).days).map(lambda d: event + dt.timedelta(days=d)),
        )
    )
    return ReportFacts(
        category=draw(st.sampled_from([c.id for c in ENGINE.rules.categories])),
        person=draw(st.sampled_from([k.id for k in ENGINE.rules.person_kinds])),
        public_service=draw(st.sampled_from(["yes", "no", "unsure"])),
        complained=draw(st.sampled_from([None, "yes", "no", "unknown"])),
        province_code=province,
        regency_code=regency,
        event_date=event,
        learned_date=learned,
        identity=draw(st.sampled_from(["anonymous", "confidential", "open"])),
        report_date=report,
    )


@given(any_facts())
def test_every_report_gets_an_office_or_a_referral(facts: ReportFacts) -> None:
    decision = ENGINE.decide(facts)
    assert decision.offices or decision.referrals
    assert len(decision.offices) == len(decision.bodies)
    for text in [*decision.reasons, *decision.warnings, *decision.referrals, *decision.next_steps]:
        assert text.id.strip() and text.en.strip()
        assert "{" not in text.id + text.en  # every placeholder was filled


@given(any_facts(), st.sampled_from(["id", "en"]))
def test_rendering_fits_and_is_complete(facts: ReportFacts, language: str) -> None:
    decision = ENGINE.decide(facts)
    text = render_decision(decision, "LN-ABCD-EFGH-JKLM-N", language)  # type: ignore[arg-type]
    assert len(text) <= MAX_LENGTH
    opening = "Nomor tiket: " if language == "id" else "Ticket number: "
    assert opening in text
    assert re.search(r"^(Lembaga berwenang|Handled by): ", text, re.MULTILINE)


# ------------------------------------------------------------------ the data files
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'category = ["political_expression", "campaign_role"]',
            'category = ["political_expresion", "campaign_role"]',
            "rules 'R1': unknown category 'political_expresion'",
        ),
        (
            'bodies = ["bawaslu"]\nreason',
            'bodies = ["kpu"]\nreason',
            "rules 'R1': unknown body 'kpu'",
        ),
        (
            'referrals = ["asn_ppk"]',
            'referrals = ["asn_ppk", "nowhere"]',
            "person_kinds 'asn': unknown referral 'nowhere'",
        ),
        (
            'label = { id = "Ekspresi politik", en = "Political expression" }',
            'label = { id = "Ekspresi politik", en = "" }',
            "categories[0] (political_expression).label.en",
        ),
        ('id = "R2"', 'id = "R1"', "rules: id 'R1' appears twice"),
        ("\n[fallback]\n", "\n[fallbak]\n", "fallback"),
    ],
)
def test_bad_rules_file_names_the_entry(old: str, new: str, message: str) -> None:
    assert old in RULES_TEXT
    with pytest.raises(RulesError) as caught:
        parse_rules(RULES_TEXT.replace(old, new, 1))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_engine_is_generic_over_the_rules_file() -> None:
    """A new category added only in the data file works without touching Python."""
    text = RULES_TEXT.replace(
        '[[categories]]\nid = "other"',
        '[[categories]]\nid = "vote_buying_by_asn"\n'
        'label = { id = "Politik uang", en = "Vote buying" }\n'
        'hint = { id = "Bagi uang", en = "Money" }\nurgent = true\n\n[[categories]]\nid = "other"',
    ).replace(
        '[[rules]]\nid = "R13"',
        '[[rules]]\nid = "R99"\n'
        'when = { person = ["official"], category = ["vote_buying_by_asn"] }\n'
        'bodies = ["bawaslu", "ombudsman"]\nreason = { id = "Politik uang", en = "Vote buying" }\n'
        'basis = "UU 7/2017 Pasal 523"\n\n[[rules]]\nid = "R13"',
    )
    engine = Jurisdiction(parse_rules(text), ENGINE.places, ENGINE.offices, ENGINE.elections)
    decision = engine.decide(
        ReportFacts(
            category="vote_buying_by_asn",
            person="asn",
            public_service="no",
            province_code="36",
            event_date=dt.date(2024, 2, 1),
            report_date=dt.date(2024, 2, 2),
        )
    )
    assert decision.bodies == ["bawaslu", "ombudsman", "bkn"]
    assert decision.urgent and "R99" in decision.rules_applied


def test_elections_file_errors_and_override() -> None:
    with pytest.raises(ElectionsError, match=r"elections\[0\] \(Coblos ulang\): dates must run"):
        parse_elections(
            '[[elections]]\nname = "Coblos ulang"\nkind = "pilkada"\n'
            "start = 2025-05-01\nvoting_day = 2025-04-01\nend = 2025-06-01\n"
            'source = "an example decision number"\n'
        )
    with pytest.raises(ElectionsError, match=r"elections\[0\] \(Coblos ulang\)\.source"):
        parse_elections(  # a window without its source is refused
            '[[elections]]\nname = "Coblos ulang"\nkind = "pilkada"\n'
            "start = 2025-03-01\nvoting_day = 2025-04-01\nend = 2025-06-01\n"
        )
    revote = parse_elections(
        '[[elections]]\nname = "PSU Kabupaten Serang"\nkind = "pilkada"\n'
        'start = 2025-03-01\nvoting_day = 2025-04-19\nend = 2025-05-31\nregions = ["36.04"]\n'
        'source = "an example decision number (PSU Kabupaten Serang)"\n'
    )
    engine = Jurisdiction(ENGINE.rules, ENGINE.places, ENGINE.offices, revote)
    base = {
        "category": "political_expression",
        "person": "asn",
        "public_service": "no",
        "province_code": "36",
        "event_date": dt.date(2025, 4, 10),
        "report_date": dt.date(2025, 4, 12),
    }
    assert engine.decide(ReportFacts(**base, regency_code="36.04")).bodies == ["bawaslu", "bkn"]  # type: ignore[arg-type]
    elsewhere = engine.decide(ReportFacts(**base, regency_code="36.73"))  # type: ignore[arg-type]
    assert elsewhere.bodies == ["bkn"] and elsewhere.dropped == ["bawaslu"]


def test_facts_are_checked() -> None:
    with pytest.raises(ValueError, match="after the report date"):
        ReportFacts(
            category="other",
            person="asn",
            public_service="no",
            province_code="36",
            event_date=dt.date(2024, 2, 3),
            report_date=dt.date(2024, 2, 2),
        )
    with pytest.raises(KeyError):
        ENGINE.decide(
            ReportFacts(
                category="nope",
                person="asn",
                public_service="no",
                province_code="36",
                event_date=dt.date(2024, 2, 1),
                report_date=dt.date(2024, 2, 2),
            )
        )


def test_an_expected_window_warns_and_never_routes() -> None:
    """Pemilu 2029's dates are not set: a report dated inside its expected stages does not name
    Bawaslu, and says when the stages are expected instead."""
    base = {
        "category": "political_expression", "person": "asn", "public_service": "no",
        "province_code": "36", "regency_code": "36.73",
    }  # fmt: skip
    inside = ENGINE.decide(
        ReportFacts(**base, event_date=dt.date(2028, 3, 1), report_date=dt.date(2028, 3, 2))  # type: ignore[arg-type]
    )
    assert "bawaslu" not in inside.bodies and inside.dropped == ["bawaslu"]
    said = " ".join(w.id for w in inside.warnings)
    assert "Tahapan Pemilu 2029 diperkirakan mulai 2027" in said
    confirmed = parse_elections(
        '[[elections]]\nname = "Pemilu 2029"\nkind = "pemilu"\n'
        "start = 2027-06-01\nvoting_day = 2029-02-14\nend = 2029-10-20\n"
        'source = "PKPU (tahapan Pemilu 2029), once issued"\n'
    )
    engine = Jurisdiction(ENGINE.rules, ENGINE.places, ENGINE.offices, confirmed)
    routed = engine.decide(
        ReportFacts(**base, event_date=dt.date(2028, 3, 1), report_date=dt.date(2028, 3, 2))  # type: ignore[arg-type]
    )
    assert "bawaslu" in routed.bodies  # confirmed, the same window routes


def test_the_calendar_check_warns_what_an_operator_must_fix() -> None:
    warnings = ENGINE.elections.warnings(dt.date(2026, 12, 7))
    assert any("no confirmed election window" in w for w in warnings)
    assert any(w.startswith("Pemilu 2029: dates expected, not confirmed") for w in warnings)
    due = ENGINE.elections.warnings(dt.date(2027, 7, 1))
    assert any(
        "expected to start 2027-06-01 but its dates are still not confirmed" in w for w in due
    )
