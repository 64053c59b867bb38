"""The report's message shape over HTTP: a pressed answer edits its question message into the next
question (the chosen answer on top), a typed answer gets one new message, the review and the
decision stay as they were sent, and a whole report with a photo costs at most 16 message calls
against Telegram's 30 a second."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from bot.application import AnyApplication
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser, asks_code, buttons
from tests.helpers import answer, asks, plain_jpeg, to_evidence

# Bot API methods that put a message in a chat or change one: what Telegram's per-bot limit counts
MESSAGE_METHODS = {
    "sendmessage",
    "editmessagetext",
    "editmessagereplymarkup",
    "sendphoto",
    "senddocument",
    "sendmediagroup",
    "copymessage",
}
MESSAGES_PER_REPORT = 16  # the target of the message economy (issue 16)


def message_calls(fake: FakeTelegram, chat_id: int, since: int = 0) -> Counter[str]:
    """The message calls the bot made for one chat since call number `since`, by method."""
    return Counter(
        call.method
        for call in fake.calls[since:]
        if call.method in MESSAGE_METHODS
        and call.outcome == "ok"
        and str(call.params.get("chat_id")) == str(chat_id)
    )


async def test_a_pressed_answer_turns_its_question_into_the_next_one(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await answer(user, "/lapor", "c")
    consent = user.last()
    before = len(fake.calls)
    user.press(consent, "c:yes")
    category = await user.expect(asks("k"))
    assert category["message_id"] == consent["message_id"]  # the same message, edited
    assert str(category["text"]).startswith("✅ Setuju, lanjut\n\nLangkah 2 dari")
    assert message_calls(fake, user.chat_id, before) == {"editmessagetext": 1}
    assert len(user.bot_messages()) == 1  # the chat did not grow
    # Back is navigation, not an answer: no answer line
    user.press(category, "k:^back")
    again = await user.expect(asks("c"))
    assert again["message_id"] == consent["message_id"]
    assert str(again["text"]).startswith("Langkah 1 dari")


async def test_a_typed_answer_gets_one_new_message_and_old_buttons_stay_harmless(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    user = people("en")
    await answer(user, "/report", "c")
    await answer(user, "!c:yes", "k")
    description_question = await answer(user, "!k:other", "d")
    before = len(fake.calls)
    user.send("The village head handed out a candidate's stickers at the health post.")
    person = await user.expect(asks("p"))
    assert person["message_id"] != description_question["message_id"]
    assert message_calls(fake, user.chat_id, before) == {"sendmessage": 1}
    # the typed-over question keeps its buttons (no call spent on them); pressing one is
    # answered politely with the current question, and that old message loses its buttons
    assert buttons(user.bot_messages()[-2])
    user.press(description_question, "d:^back")
    await user.expect("That button belongs to an earlier question")
    assert user.last()["message_id"] > person["message_id"]
    old = fake.messages[(user.chat_id, description_question["message_id"])]
    assert not buttons(old)
    assert asks_code(user.last(), "p")


async def test_the_review_and_the_decision_stay_as_sent(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await to_evidence(user, category="state_facilities")
    await answer(user, "!ev:none", "id")
    review = await answer(user, "!id:anonymous", "rv")
    assert str(review["text"]).startswith("✅ ")  # the identity answer, then the review
    review_text = review["text"]
    send = next(data for _, data in buttons(review) if data.startswith("rv:send:"))
    user.press(review, send)
    filed = await user.expect("Nomor tiket: ")
    assert filed["message_id"] > review["message_id"]  # the decision is its own message
    kept = fake.messages[(user.chat_id, review["message_id"])]
    assert kept["text"] == review_text and not buttons(kept)  # the review stays, buttons off


async def test_a_question_that_cannot_be_edited_is_sent_again(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await answer(user, "/lapor", "c")
    consent = user.last()
    # the reporter deleted the question message (or it is too old to edit): the press still
    # counts and the next question comes as a new message
    fake.messages.pop((user.chat_id, consent["message_id"]))
    user.press(consent, "c:yes", forge=True)
    category = await user.expect(asks("k"))
    assert category["message_id"] != consent["message_id"]
    assert str(category["text"]).startswith("✅ Setuju, lanjut\n\nLangkah 2 dari")


async def test_a_whole_report_with_a_photo_costs_at_most_16_message_calls(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    before = len(fake.calls)
    await to_evidence(user, category="state_facilities")
    user.send_photo(plain_jpeg())
    await user.expect("Bukti 1 diterima")
    await answer(user, "!ev:done", "id")
    review = await answer(user, "!id:anonymous", "rv")
    user.press(review, next(d for _, d in buttons(review) if d.startswith("rv:send:")))
    await user.expect("Nomor tiket: ")
    calls = message_calls(fake, user.chat_id, before)
    assert sum(calls.values()) <= MESSAGES_PER_REPORT, calls
    # every press answered by an edit except the review's send; no button strip per step
    assert calls["editmessagereplymarkup"] <= 1, calls
