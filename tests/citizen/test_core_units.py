"""The pure core without Telegram: tickets, dates, phone numbers, the flow's navigation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from conversations.context import Context
from conversations.dates import parse_date
from conversations.draft import Draft
from conversations.events import Command, Event, Press, Text
from conversations.flow import FileReport, LookupStatus, Outcome, handle
from conversations.jurisdiction.engine import default_jurisdiction
from conversations.messages import LANGUAGES
from conversations.phones import normalize_phone
from conversations.questions import QUESTIONS
from conversations.replies import Reply
from conversations.tickets import (
    ALPHABET,
    RANDOM_BITS,
    ParsedTicket,
    looks_like_ticket,
    make_ticket,
    parse_ticket,
)

TODAY = dt.date(2024, 11, 20)


# ------------------------------------------------------------------ tickets
@given(st.integers(0, 2**RANDOM_BITS - 1))
def test_tickets_round_trip_however_typed(value: int) -> None:
    ticket = make_ticket("LN", value)
    assert len(ticket) == len("LN-XXXX-XXXX-XXXX")
    assert parse_ticket(ticket, "LN").ticket == ticket
    messy = ticket.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert parse_ticket(messy, "LN").ticket == ticket
    assert parse_ticket(ticket[3:], "LN").ticket == ticket  # without the prefix


@given(st.integers(0, 2**RANDOM_BITS - 1), st.integers(0, 11), st.sampled_from(ALPHABET))
def test_one_wrong_character_is_caught(value: int, position: int, wrong: str) -> None:
    code = make_ticket("LN", value).replace("LN-", "").replace("-", "")
    # the same character is no typo; 0 and Z are one character for a reader (look-alikes)
    assume(code[position] != wrong and {code[position], wrong} != {"0", "Z"})
    typo = code[:position] + wrong + code[position + 1 :]
    assert parse_ticket(typo, "LN").outcome == "typo"


def test_ticket_alphabet_and_invalid_input() -> None:
    assert RANDOM_BITS >= 50
    for look_alike in "ILOU":
        assert look_alike not in ALPHABET
    assert parse_ticket("hello", "LN").outcome == "invalid"


# ------------------------------------------------------------------ dates and phones
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("hari ini", TODAY),
        ("Kemarin", dt.date(2024, 11, 19)),
        ("14/2/2024", dt.date(2024, 2, 14)),
        ("14-02-2024", dt.date(2024, 2, 14)),
        ("14 Feb 2024", dt.date(2024, 2, 14)),
        ("14 Februari 2024", dt.date(2024, 2, 14)),
        ("14 februari", dt.date(2024, 2, 14)),
        ("1 Desember", dt.date(2023, 12, 1)),
        ("2024-02-14", dt.date(2024, 2, 14)),
        ("14.2.24", dt.date(2024, 2, 14)),
        ("3 hari lalu", dt.date(2024, 11, 17)),
        ("tgl 5 nop 2024", dt.date(2024, 11, 5)),
        ("31/2/2024", None),
        ("kapan-kapan", None),
    ],
)
def test_dates(typed: str, expected: dt.date | None) -> None:
    assert parse_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("081234567890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("62812 3456 7890", "+6281234567890"),
        ("(0812) 3456-7890", "+6281234567890"),
        ("12345", None),
        ("halo", None),
    ],
)
def test_phones(typed: str, expected: str | None) -> None:
    assert normalize_phone(typed) == expected


# ------------------------------------------------------------------ the flow, pure
def ctx(language: str = "id") -> Context:
    return Context(today=TODAY, language=language, user_id=7, jurisdiction=default_jurisdiction())  # type: ignore[arg-type]


def run(draft: Draft | None, *events: Event, language: str = "id") -> Outcome:
    outcome = Outcome(draft, language, ())  # type: ignore[arg-type]
    for event in events:
        outcome = handle(outcome.draft, event, ctx(outcome.language), new_draft_id="d1")
    return outcome


def texts(outcome: Outcome) -> str:
    return "\n".join(a.text(outcome.language) for a in outcome.actions if isinstance(a, Reply))


# A whole report, from /lapor to the review, pressing and typing (other tests walk it too).
FULL_REPORT: tuple[Event, ...] = (
    Command("lapor"),
    Press("c:yes"),
    Press("k:service_conditioning"),
    Text("Bansos ditahan bagi warga yang tidak mendukung calon petahana."),
    Press("p:village"),
    Press("pd:^skip"),
    Text("jatim"),
    Text("kab malang"),
    Press("pl:^skip"),
    Text("10 November 2024"),
    Press("ld:yesterday"),
    Press("ps:yes"),
    Text("bansos beras"),
    Press("cp:no"),
    Press("ev:none"),
    Press("id:anonymous"),
)


def test_a_full_report_in_pure_calls() -> None:
    outcome = run(None, *FULL_REPORT)
    assert outcome.draft is not None and outcome.draft.question == "review"
    assert "Langkah 9 dari 9" in texts(outcome)
    sent = handle(outcome.draft, Press("rv:send:d1"), ctx(), new_draft_id="d2")
    assert sent.draft is None
    assert sent.actions == (FileReport(outcome.draft),)
    decision = default_jurisdiction().decide(outcome.draft.facts(TODAY))
    assert [o.name for o in decision.offices] == [
        "Bawaslu Kabupaten Malang",
        "Ombudsman RI Perwakilan Jawa Timur",
        "Inspektorat Kabupaten Malang",
    ]


def only_reply(outcome: Outcome) -> Reply:
    assert len(outcome.actions) == 1 and isinstance(outcome.actions[0], Reply)
    return outcome.actions[0]


def test_which_presses_edit_their_question_in_place() -> None:
    consent = run(None, Command("lapor"))
    assert not only_reply(consent).in_place  # typed: a new message
    pressed = only_reply(run(consent.draft, Press("c:yes", "✅ Setuju, lanjut")))
    assert pressed.in_place and pressed.text("id").startswith("✅ Setuju, lanjut\n\n<i>Langkah 2")
    category = run(consent.draft, Press("c:yes"))
    chosen = only_reply(
        run(category.draft, Press("k:state_facilities", "3. State facilities"), language="en")
    )
    assert chosen.in_place and chosen.text("en").startswith("✅ State facilities\n\n<i>Step 2 of 9")
    back = only_reply(run(category.draft, Press("k:^back", "⬅️ Kembali")))
    assert back.in_place and back.text("id").startswith("<i>Langkah 1")  # no answer line
    stale = run(category.draft, Press("c:yes"))  # a button of the step before
    unlabelled = only_reply(run(consent.draft, Press("c:yes")))  # the message was unreadable
    assert unlabelled.in_place and unlabelled.text("id").startswith("<i>Langkah 2")
    assert not only_reply(stale).in_place
    assert "Tombol itu dari pertanyaan sebelumnya" in texts(stale)
    kept = run(category.draft, Command("batal"), Press("x:no"))
    assert only_reply(kept).in_place and "✅" not in texts(kept)
    menu = run(None, Press("m:report"))
    assert not only_reply(menu).in_place  # the welcome message stays


def test_the_review_and_the_filing_are_never_edited_away() -> None:
    review = run(
        None, Command("lapor"), Press("c:yes"), Press("k:other"), Text("x" * 30),
        Press("p:asn"), Press("pd:^skip"), Text("bali"), Press("rg:^unknown"),
        Press("pl:^skip"), Press("ed:today"), Press("ps:no"), Press("ev:none"),
    )  # fmt: skip
    shown = only_reply(run(review.draft, Press("id:anonymous", "🙈 Anonim")))
    assert shown.in_place and shown.text("id").startswith("✅ Anonim\n\n")
    at_review = run(review.draft, Press("id:anonymous"))
    edit = only_reply(run(at_review.draft, Press("rv:edit:what")))
    assert not edit.in_place  # the review stays; the question comes below it
    filed = run(at_review.draft, Press("rv:send:d1"))
    assert filed.actions == (FileReport(at_review.draft),)  # type: ignore[arg-type]


def test_learned_date_only_for_old_events() -> None:
    base = run(
        None,
        Command("lapor"),
        Press("c:yes"),
        Press("k:other"),
        Text("x" * 30),
        Press("p:asn"),
        Press("pd:^skip"),
        Text("bali"),
        Press("rg:^unknown"),
        Press("pl:^skip"),
    )
    recent = run(base.draft, Text("17/11/2024"))
    assert recent.draft is not None and recent.draft.question == "public_service"
    old = run(base.draft, Text("16/11/2024"))
    assert old.draft is not None and old.draft.question == "learned_date"


def test_status_command_parses_and_keeps_the_draft() -> None:
    outcome = run(None, Command("lapor"))
    draft = outcome.draft
    looked = handle(draft, Command("status", "ln 0000 0000 0000"), ctx(), new_draft_id="x")
    assert looked.draft == draft
    assert (
        isinstance(looked.actions[0], LookupStatus)
        and looked.actions[0].ticket == "LN-0000-0000-0000"
    )
    assert "Langkah 1 dari 9" in texts(looked)  # the current question is asked again


def test_every_question_exists_in_both_languages() -> None:
    for question in QUESTIONS.values():
        for language in LANGUAGES:
            draft = Draft(draft_id="d", question=question.id, province_code="36", event_date=TODAY)
            reply = question.prompt(draft, ctx(language))
            assert reply.text(language).strip()
            for row in reply.buttons:
                for button in row:
                    assert button.label(language).strip()
                    assert len(button.data.encode()) <= 64
    # (the catalogue itself refuses a text missing in either language: test_catalogue_refuses_*)


def test_catalogue_refuses_a_text_missing_in_a_language_or_a_placeholder() -> None:
    from conversations.messages import Catalogue, CatalogueError

    with pytest.raises(CatalogueError, match="no text in en"):
        Catalogue({"greeting": {"id": "Halo", "en": " "}})
    with pytest.raises(CatalogueError, match="different placeholders"):
        Catalogue({"greeting": {"id": "Halo {name}", "en": "Hello {nama}"}})
    assert (
        Catalogue({"greeting": {"id": "Halo {name}", "en": "Hello {name}"}}).render(
            "greeting", "en", name="<b>"
        )
        == "Hello &lt;b&gt;"
    )


def test_tickets_use_every_bit_and_a_fixed_check_character() -> None:
    """Pinned examples: a change to the alphabet, the bit order or the check breaks tickets
    already handed out."""
    assert make_ticket("LN", 12345) == "LN-S1C0-0000-0001"
    assert make_ticket("LN", 2**54 + 7) == "LN-7000-0000-00GW"
    assert len({make_ticket("LN", v) for v in (0, 1, 2**20, 2**54)}) == 4


def test_a_prefix_made_of_code_characters_is_not_confused_with_the_code() -> None:
    ticket = make_ticket("AB", 10 | (11 << 5))  # the code itself starts with "AB"
    code = ticket.replace("-", "")[2:]
    assert code.startswith("AB")
    assert parse_ticket(code, "AB") == ParsedTicket("ok", ticket)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("LN-7K3M-Q9TX-W2HC", True),
        ("ln 7k3m q9tx w2hc", True),
        ("XK3M-Q9TX-W2HC", True),  # twelve characters with a digit
        ("LN1234", False),  # the prefix and too little after it
        ("LN12345", True),  # a ticket typed short: answered "that is not a ticket"
        ("selamat pagi", False),
        ("selamat pagi!", False),
        ("ABCDEFGHJKMN", False),  # twelve letters, no digit: a word, not a ticket
        ("7K3MQ9TXW2HCX", False),  # thirteen
    ],
)
def test_what_is_taken_for_a_ticket_typed_alone(typed: str, meant: bool) -> None:
    assert looks_like_ticket(typed, "LN") is meant


def test_a_draft_files_under_the_same_ticket_every_time() -> None:
    from conversations.tickets import RANDOM_BITS, make_ticket, parse_ticket, ticket_value

    first = make_ticket("LN", ticket_value("3f9a0c1d2e4b5a69", 0))
    assert first == make_ticket("LN", ticket_value("3f9a0c1d2e4b5a69", 0))  # a retry: the same
    assert first != make_ticket("LN", ticket_value("3f9a0c1d2e4b5a69", 1))  # a taken one: next
    assert first != make_ticket("LN", ticket_value("3f9a0c1d2e4b5a6a", 0))
    assert parse_ticket(first, "LN").ticket == first
    values = {ticket_value(f"{n:016x}", 0) for n in range(2000)}
    assert len(values) == 2000 and max(values) < 2**RANDOM_BITS and max(values) > 2**50
