"""Dates as people type them: the table, and the date questions in the pure flow."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from conversations.context import Context, Limits
from conversations.dates import DateReading, read_date
from conversations.draft import Draft
from conversations.events import Press, Text
from conversations.flow import handle
from conversations.jurisdiction.engine import default_jurisdiction
from conversations.jurisdiction.render import render_decision
from tests.paths import DATA

TABLE = tomllib.loads((DATA / "date_phrasings.toml").read_text())
TODAY: dt.date = TABLE["today"]


def describe(reading: DateReading) -> str:
    if reading.date is not None:
        return reading.date.isoformat()
    if reading.options:
        return "ask:" + ",".join(day.isoformat() for day in reading.options)
    if reading.no_such_day:
        return "no such day: " + "/".join(str(part) for part in reading.no_such_day)
    return "unknown" if reading.unknown else "none"


def test_the_table_is_broad() -> None:
    assert len(TABLE["indonesian"]) + len(TABLE["english"]) >= 100


@pytest.mark.parametrize(("typed", "want"), TABLE["indonesian"], ids=str)
def test_read_day_first(typed: str, want: str) -> None:
    assert describe(read_date(typed, TODAY)) == want


@pytest.mark.parametrize(("typed", "want"), TABLE["english"], ids=str)
def test_read_for_an_english_reader(typed: str, want: str) -> None:
    assert describe(read_date(typed, TODAY, day_first=False)) == want


def ctx(language: str = "id") -> Context:
    return Context(
        today=TODAY,
        language=language,  # type: ignore[arg-type]
        user_id=1,
        jurisdiction=default_jurisdiction(),
        limits=Limits(),
    )


def at_event_date(**fields: object) -> Draft:
    """A draft whose next question is the event date."""
    return Draft(
        draft_id="d1", question="event_date", consent=True, category="political_expression",
        description="x" * 40, person="asn", province_code="36", regency_code="36.73",
        **fields,  # type: ignore[arg-type]
    )  # fmt: skip


def texts(outcome: object) -> str:
    return "\n".join(a.text("id") for a in outcome.actions)  # type: ignore[attr-defined]


def test_a_typed_date_is_said_back_in_full() -> None:
    outcome = handle(at_event_date(), Text("senin lalu"), ctx(), new_draft_id="x")
    assert outcome.draft is not None and outcome.draft.event_date == dt.date(2024, 11, 18)
    assert "📅 Senin, 18 November 2024" in texts(outcome)
    english = handle(at_event_date(), Text("12 Feb"), ctx("en"), new_draft_id="x")
    assert "📅 Monday, 12 February 2024" in english.actions[0].text("en")  # type: ignore[union-attr]


def test_last_week_asks_which_day() -> None:
    asked = handle(at_event_date(), Text("minggu lalu"), ctx(), new_draft_id="x")
    assert asked.draft is not None and asked.draft.question == "event_date"
    assert "Hari apa tepatnya?" in texts(asked)
    labels = [b.label("id") for row in asked.actions[0].buttons for b in row]  # type: ignore[union-attr]
    assert "Kamis, 14 November 2024" in labels and "Minggu, 17 November 2024" in labels
    chosen = handle(asked.draft, Press("ed:2024-11-14"), ctx(), new_draft_id="x")
    assert chosen.draft is not None and chosen.draft.event_date == dt.date(2024, 11, 14)
    assert chosen.draft.date_options == []
    forged = handle(asked.draft, Press("ed:2024-01-01"), ctx(), new_draft_id="x")
    assert forged.draft is not None and forged.draft.event_date is None  # not an offered day


def test_i_dont_remember_asks_a_rough_time_and_says_deadlines_were_not_checked() -> None:
    asked = handle(at_event_date(), Text("ga tau"), ctx(), new_draft_id="x")
    assert asked.draft is not None and asked.draft.date_range
    assert "Kira-kira kapan?" in texts(asked)
    rough = handle(asked.draft, Press("ed:^month"), ctx(), new_draft_id="x")
    draft = rough.draft
    assert draft is not None and draft.event_date_approx == "month"
    assert draft.question == "public_service"  # no learned date asked after a rough date
    facts = draft.model_copy(update={"public_service": "no"}).facts(TODAY)
    assert facts.date_approximate
    decision = default_jurisdiction().decide(facts)
    assert "bawaslu" in decision.bodies and decision.deadlines == []  # nothing dropped
    shown = render_decision(decision, "LN-X", "id")
    assert "tidak bisa kami periksa" in shown
    button = handle(at_event_date(), Press("ed:^unknown"), ctx(), new_draft_id="x")
    assert button.draft is not None and button.draft.date_range


def test_learned_date_can_be_unknown_too() -> None:
    draft = at_event_date(event_date=dt.date(2024, 11, 1)).model_copy(
        update={"question": "learned_date"}
    )
    outcome = handle(draft, Text("lupa"), ctx(), new_draft_id="x")
    assert outcome.draft is not None and outcome.draft.learned_unknown
    assert outcome.draft.model_copy(update={"public_service": "no"}).facts(TODAY).date_approximate


def test_ambiguous_english_dates_are_asked() -> None:
    asked = handle(at_event_date(), Text("5/6/2024"), ctx("en"), new_draft_id="x")
    assert asked.draft is not None and asked.draft.date_options == [
        dt.date(2024, 6, 5),
        dt.date(2024, 5, 6),
    ]
    indonesian = handle(at_event_date(), Text("5/6/2024"), ctx("id"), new_draft_id="x")
    assert indonesian.draft is not None and indonesian.draft.event_date == dt.date(2024, 6, 5)
