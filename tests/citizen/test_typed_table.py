"""The typed-answer table (issue #23): at every question of a report, in both languages, the
answers people type (yes/no words, button labels, numbers, places with province or district,
dates that cannot be, emoji, free words at a choice step) either move on or ask one specific
follow-up; none shows the same question unchanged, and what was typed is kept. Against the pure
core; a few of them through the fake Bot API."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.application import AnyApplication
from conversations.draft import Draft
from conversations.events import Command, Press, Text
from conversations.flow import Outcome, handle, prompt
from conversations.messages import catalogue
from conversations.replies import Reply
from sandbox.fake_users import FakeUser, buttons
from tests.citizen.test_core_units import ctx, run
from tests.citizen.test_typed_answers import drafts_along_the_walk
from tests.helpers import answer, asks, say, tap

TYPED = (
    "ya", "iya", "yoi", "betul", "gak", "nggak", "bukan", "no", "yes", "ok",
    "1", "2", "7", "99", "Kembali", "Back", "Lewati", "Skip", "Tidak ada bukti", "No evidence",
    "kota serang banten", "di kec. ciruas serang", "serang, banten", "besok", "31/2/2026",
    "👍", "???", "posting dukungan di facebook", "pns guru", "halo",
)  # fmt: skip
FREE_TEXT = {
    "description": "description",
    "person_details": "person_details",
    "place_detail": "place_detail",
    "service_name": "service_name",
    "reporter_name": "reporter_name",
}


def shown(outcome: Outcome) -> list[str]:
    return [a.text(outcome.language) for a in outcome.actions if isinstance(a, Reply)]


def answer_buttons(reply: Reply) -> int:
    return sum(
        1
        for row in reply.buttons
        for button in row
        if not button.data.partition(":")[2].startswith(("^back", "^skip", "^cancel"))
    )


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("typed", TYPED)
def test_every_typed_answer_moves_on_or_says_what_is_wrong(language: str, typed: str) -> None:
    generic = catalogue().render("hint_use_buttons", language)  # type: ignore[arg-type]
    for draft in drafts_along_the_walk(language):
        before = prompt(draft, ctx(language))
        outcome = handle(draft, Text(typed), ctx(language), new_draft_id="d2")
        where = (draft.question, typed)
        assert outcome.actions, where
        after = outcome.draft
        moved = after is None or after.question != draft.question
        if not moved:
            texts = shown(outcome)
            assert texts and texts[-1] != before.text(language), where  # never unchanged
            if answer_buttons(before) <= 4:  # a few buttons: the hint names them
                assert all(generic not in text for text in texts), where
        elif after is not None and draft.question in FREE_TEXT and after.question != "review":
            kept = getattr(after, FREE_TEXT[draft.question])
            assert kept in {typed, None}, where  # what was typed, or skipped by "Lewati"


def at(question: str, language: str = "id") -> Draft:
    return next(d for d in drafts_along_the_walk(language) if d.question == question)


def test_free_words_at_a_choice_step_offer_the_option_they_point_to() -> None:
    category = at("category")
    offered = handle(category, Text("posting dukungan di facebook"), ctx(), new_draft_id="d2")
    assert offered.draft is not None and offered.draft.choices == ["political_expression"]
    assert "Maksudnya: <b>Ekspresi politik</b>?" in shown(offered)[-1]
    taken = handle(offered.draft, Text("iya"), ctx(), new_draft_id="d2")
    assert taken.draft is not None and taken.draft.category == "political_expression"
    refused = handle(offered.draft, Text("bukan"), ctx(), new_draft_id="d2")
    assert refused.draft is not None and refused.draft.choices == []
    assert "Pilih satu tombol di bawah yang paling mirip" in shown(refused)[-1]
    person = at("person", "en")
    pns = handle(person, Text("pns guru"), ctx("en"), new_draft_id="d2")
    assert pns.draft is not None and pns.draft.choices == ["asn"]
    assert "Do you mean: <b>Civil servant (PNS or PPPK)</b>?" in shown(pns)[-1]
    unclear = handle(person, Text("orang itu"), ctx(), new_draft_id="d2")
    assert "ketik jabatannya" in shown(unclear)[-1]


def test_a_story_typed_before_the_category_is_the_description() -> None:
    story = "Kepala sekolah mengumpulkan guru untuk mendukung calon bupati di ruang rapat."
    typed = handle(at("category"), Text(story), ctx(), new_draft_id="d2")
    assert typed.draft is not None and typed.draft.description == story
    assert "Cerita Anda sudah saya simpan" in " ".join(shown(typed))
    chosen = handle(typed.draft, Press("k:mobilisation"), ctx(), new_draft_id="d2")
    assert chosen.draft is not None and chosen.draft.question == "description"
    assert "Cerita yang sudah Anda tulis" in shown(chosen)[-1] and "Pakai cerita ini" in str(
        chosen.actions[-1]
    )
    kept = handle(chosen.draft, Text("ya"), ctx(), new_draft_id="d2")
    assert kept.draft is not None and kept.draft.question == "person"
    assert kept.draft.description == story


def test_a_long_description_is_kept_and_the_first_part_offered() -> None:
    description = at("description")
    long = ("Camat memakai mobil dinas untuk kampanye calon bupati. " * 70).strip()
    assert len(long) > 3000
    held = handle(description, Text(long), ctx(), new_draft_id="d2")
    assert held.draft is not None and held.draft.long_description == long  # nothing lost
    assert held.draft.question == "description"
    over = len(long) - 3000
    assert f"{over} huruf lebih dari batas 3000" in shown(held)[-1]
    trimmed = handle(held.draft, Press("d:^trim"), ctx(), new_draft_id="d2")
    assert trimmed.draft is not None and trimmed.draft.question == "person"
    assert trimmed.draft.description is not None and len(trimmed.draft.description) <= 3000
    assert long.startswith(trimmed.draft.description)
    rest = long[len(trimmed.draft.description) :].strip()
    assert any(rest in text for text in shown(trimmed))  # the rest handed back, to add later
    assert "Maksimal" not in shown(run(None, Command("lapor"), Press("c:yes")))[-1]
    asked = handle(at("category"), Press("k:other"), ctx(), new_draft_id="d2")
    assert "paling banyak 3000 huruf" in shown(asked)[-1]  # the limit said before typing


def test_letters_count_not_emoji() -> None:
    emoji = "👍" * 25
    refused = handle(at("description"), Text(emoji), ctx(), new_draft_id="d2")
    assert refused.draft is not None and refused.draft.question == "description"
    assert "(0 huruf)" in shown(refused)[-1]


@pytest.mark.parametrize(
    ("typed", "language", "says"),
    [
        ("besok", "id", "Tanggal itu belum terjadi"),
        ("tomorrow", "en", "That date is in the future"),
        ("31/2/2026", "id", "Tanggal 31 Februari 2026 tidak ada: Februari 2026 hanya sampai tanggal 28"),
        ("31/2/2026", "en", "There is no 31 February 2026: February 2026 has 28 days"),
        ("5/13/2024", "id", "Bulan ke-13 tidak ada"),
    ],
)  # fmt: skip
def test_a_date_that_cannot_be_says_what_is_wrong(typed: str, language: str, says: str) -> None:
    outcome = handle(at("event_date", language), Text(typed), ctx(language), new_draft_id="d2")
    assert outcome.draft is not None and outcome.draft.question == "event_date"
    assert says in shown(outcome)[-1]


@pytest.mark.parametrize(
    ("typed", "starts"),
    [
        ("halo pak saya mau lapor guru kampanye", True),
        ("I want to report a civil servant", True),
        ("Pak camat kemarin memakai mobil dinas untuk kampanye salah satu calon bupati.", True),
        ("halo", False),
        ("👍", False),
        ("Assalamualaikum", False),
    ],
)
def test_a_first_message_starts_or_offers_a_report(typed: str, starts: bool) -> None:
    outcome = run(None, Text(typed))
    assert "belum paham" not in " ".join(shown(outcome))
    if starts:
        assert outcome.draft is not None and outcome.draft.question == "consent"
    else:
        assert outcome.draft is None and "m:report" in str(outcome.actions)  # the menu, offered
    story = run(None, Text(typed)).draft
    if story is not None and len(typed) > 60:
        assert story.description == typed


async def test_typed_answers_through_the_fake_bot_api(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    welcome = await say(user, "halo pak", "Selamat datang")
    assert any(data == "m:report" for _, data in buttons(welcome))
    await say(user, "saya mau lapor guru kampanye", "Langkah 1 dari 9")
    await answer(user, "ya", "k")
    await say(user, "posting dukungan di facebook", "Maksudnya: Ekspresi politik?")
    await answer(user, "iya", "d")
    await say(user, "👍" * 25, "(0 huruf)")
    await answer(user, "Guru SD memasang foto bersama calon dengan pose jari di grup sekolah.", "p")
    await say(user, "pns guru", "Maksudnya: ASN (PNS atau PPPK)?")
    await tap(user, "✅ Ya, ASN (PNS atau PPPK)", "Langkah 3 dari 9")
    await answer(user, "Lewati", "pv")
    await answer(user, "kota serang banten", "pl")
    await answer(user, "Skip", "ed")
    await say(user, "besok", "Tanggal itu belum terjadi")
    await say(user, "31/2/2026", "Februari 2026 hanya sampai tanggal 28")
    await user.expect(asks("ed"))
