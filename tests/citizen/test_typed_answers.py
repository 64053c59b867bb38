"""Typed answers to buttons, as people type them: a button's label typed presses it, and "ya",
"iya", "betul", "gak"... answer a yes/no question, at every question of the report, in both
languages (the pure core), and through the fake Bot API for a few."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.application import AnyApplication
from conversations.draft import Draft
from conversations.events import Command, Press, Text
from conversations.flow import Outcome, handle, prompt
from conversations.replies import Reply
from conversations.typed import NO_WORDS, YES_WORDS, yes_or_no
from sandbox.fake_users import FakeUser
from tests.citizen.test_core_units import FULL_REPORT, ctx, run
from tests.helpers import answer, asks, say, to_evidence


def drafts_along_the_walk(language: str) -> list[Draft]:
    outcome = Outcome(None, language, ())  # type: ignore[arg-type]
    seen = []
    for event in FULL_REPORT:  # the draft at every question of a whole report
        outcome = handle(outcome.draft, event, ctx(outcome.language), new_draft_id="d1")
        assert outcome.draft is not None
        seen.append(outcome.draft)
    return seen


def shown(outcome: Outcome) -> list[str]:
    return [a.text(outcome.language) for a in outcome.actions if isinstance(a, Reply)]


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_buttons_label_typed_presses_it(language: str) -> None:
    pressed = 0
    for draft in drafts_along_the_walk(language):
        question = prompt(draft, ctx(language))
        for row in question.buttons:
            for button in row:
                label = button.label(language)
                typed = handle(draft, Text(label), ctx(language), new_draft_id="d2")
                tapped = handle(draft, Press(button.data, label), ctx(language), new_draft_id="d2")
                assert typed.draft == tapped.draft, (draft.question, label)
                # the same next message (a press also echoes its label on the first line)
                assert all(t in p for t, p in zip(shown(typed), shown(tapped), strict=True))
                assert typed.actions, (draft.question, label)
                pressed += 1
    assert pressed > 60  # every question's buttons, navigation included


def at_the_lebak_confirmation(language: str = "id") -> Outcome:
    outcome = run(
        None, Command("lapor"), Press("c:yes"), Press("k:other"),
        Text("Camat memasang baliho calon di depan kantor kecamatan kemarin."),
        Press("p:asn"), Press("pd:^skip"), Text("lebak"), language=language,
    )  # fmt: skip
    assert "Kabupaten Lebak, Banten" in shown(outcome)[-1] and "benar" in shown(outcome)[-1]
    return outcome


@pytest.mark.parametrize("word", ["ya", "Ya.", "iya", "iyaa", "betul", "benar", "yes", "yoi", "ok"])
def test_a_typed_yes_takes_the_place_offered(word: str) -> None:
    confirmed = run(at_the_lebak_confirmation().draft, Text(word))
    assert confirmed.draft is not None and confirmed.draft.regency_code == "36.02"
    assert confirmed.draft.question == "place_detail", shown(confirmed)


@pytest.mark.parametrize("word", ["bukan", "no", "gak", "nggak", "engga", "ga", "tidak"])
def test_a_typed_no_asks_for_the_place_again(word: str) -> None:
    again = run(at_the_lebak_confirmation().draft, Text(word))
    assert again.draft is not None and again.draft.regency_code is None
    assert not any("tidak saya temukan" in text for text in shown(again)), shown(again)
    assert "ketik" in shown(again)[0].lower()  # asked to type the place again


def test_yes_and_no_words_are_read_one_way_everywhere() -> None:
    assert all(yes_or_no(word) == "yes" for word in YES_WORDS)
    assert all(yes_or_no(word) == "no" for word in NO_WORDS)
    assert not YES_WORDS & NO_WORDS
    assert yes_or_no("Iya, betul sekali!") is None  # a sentence is an answer of its own
    assert yes_or_no("👍 YA") == "yes"


def test_ya_to_the_cancel_question_cancels() -> None:
    asked = run(at_the_lebak_confirmation().draft, Command("batal"))
    assert asked.draft is not None and asked.draft.confirm_cancel
    cancelled = run(asked.draft, Text("iya"))
    assert cancelled.draft is None and "dibatalkan" in shown(cancelled)[0].lower()
    kept = run(asked.draft, Text("gak"))
    assert kept.draft is not None and not kept.draft.confirm_cancel


async def test_typed_answers_through_telegram(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await answer(user, "/lapor", "c")
    await answer(user, "ya", "k")  # consent, typed
    await answer(user, "!k:other", "d")
    await answer(user, "Camat memasang baliho calon di depan kantor kecamatan kemarin.", "p")
    await answer(user, "!p:asn", "pd")
    await answer(user, "Lewati", "pv")  # the Skip button's label, typed
    await say(user, "lebak", "Kabupaten Lebak, Banten")
    user.send("ya")
    await user.expect(asks("pl"))  # the place is taken: the place detail is asked next
    await answer(user, "lewati", "ed")
    await answer(user, "Hari ini", "ps")
    await answer(user, "tidak", "ev")
    await answer(user, "Tidak ada bukti", "id")


async def test_english_typed_labels_through_telegram(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("en")
    await to_evidence(user, "The sub-district head put up a candidate's banner at the office.")
    await answer(user, "no evidence", "id")
