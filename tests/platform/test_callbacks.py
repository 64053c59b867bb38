"""Callback data has one registry: a prefix declared twice raises, every Telegram handler's
pattern is built from it, every button the bot shows carries a declared prefix, and a staff
member filing a report as a citizen gets the citizen's answers to the citizen's buttons."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from telegram.ext import CallbackQueryHandler

from bot.application import AnyApplication
from bot.handlers import BUTTON_READERS
from conversations.callbacks import CALLBACKS, OWNERS, DuplicatePrefixError, Registry
from conversations.events import Press
from conversations.flow import handle, prompt
from conversations.questions import QUESTIONS
from sandbox.fake_users import FakeUser, buttons
from tests.citizen.test_core_units import ctx
from tests.citizen.test_typed_answers import drafts_along_the_walk
from tests.helpers import add, answer, rows, say, svc_of, tap


def test_a_prefix_declared_twice_raises() -> None:
    registry = Registry()
    registry.declare("sn", "citizen", "service name")
    with pytest.raises(DuplicatePrefixError, match="already declared for service name"):
        registry.declare("sn", "staff", "note choice")
    with pytest.raises(ValueError):
        registry.declare("s:n", "staff", "a colon would split the data")
    assert registry.owner_of("sn:^skip") == "citizen"
    assert registry.owner_of("zz:1") is None and registry.owner_of("sn") is None


def test_the_real_registry_has_one_meaning_per_prefix() -> None:
    for question in QUESTIONS.values():  # each question's prefix is declared, for the citizen
        assert CALLBACKS.owner_of(f"{question.code}:x") == "citizen", question.id
    codes = [code for owner in OWNERS for code in CALLBACKS.codes(owner)]
    assert len(codes) == len(set(codes))
    for owner in OWNERS:  # a pattern matches its own prefixes and no other owner's
        pattern = re.compile(CALLBACKS.pattern(owner))
        for other in OWNERS:
            for code in CALLBACKS.codes(other):
                assert bool(pattern.match(f"{code}:1")) == (other == owner), (owner, code)
        assert not pattern.match("zz:1")


def test_every_handler_pattern_comes_from_the_registry(bot: AnyApplication) -> None:
    patterns = {
        handler.callback: handler.pattern.pattern  # type: ignore[union-attr]
        for group in bot.handlers.values()
        for handler in group
        if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None
    }
    assert set(BUTTON_READERS) == set(OWNERS)
    for owner, reader in BUTTON_READERS.items():
        assert patterns[reader] == CALLBACKS.pattern(owner)


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_button_of_a_report_reaches_the_citizen_side(language: str) -> None:
    for draft in drafts_along_the_walk(language):
        for row in prompt(draft, ctx(language)).buttons:
            for button in row:
                assert CALLBACKS.owner_of(button.data) == "citizen", (draft.question, button.data)
    review = drafts_along_the_walk(language)[-1]
    send = prompt(review, ctx(language)).buttons[0][0]
    assert handle(review, Press(send.data), ctx(language), new_draft_id="d2").draft is None


async def test_a_staff_member_files_a_report_as_a_citizen(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    staffer = people("id")
    await add(bot, staffer.user_id, "ombudsman", "36")
    # the service-name question shares nothing with the staff note choice: Back and Skip at
    # "Layanan apa?" are the citizen's
    await answer(staffer, "/lapor", "c")
    await answer(staffer, "!c:yes", "k")
    await answer(staffer, "!k:service_conditioning", "d")
    await answer(staffer, "Petugas kelurahan menolak melayani warga pendukung calon lain.", "p")
    await answer(staffer, "!p:asn", "pd")
    await answer(staffer, "!pd:^skip", "pv")
    await answer(staffer, "banten", "rg")
    await answer(staffer, "kota serang", "pl")
    await answer(staffer, "!pl:^skip", "ed")
    await answer(staffer, "!ed:today", "ps")
    await answer(staffer, "!ps:yes", "sn")
    await answer(staffer, "!sn:^back", "ps")
    await answer(staffer, "!ps:yes", "sn")
    await answer(staffer, "!sn:^skip", "cp")
    assert not any("Dibatalkan" in str(m.get("text")) for m in staffer.bot_messages())
    await answer(staffer, "!cp:no", "ev")
    await answer(staffer, "!ev:none", "id")
    review = await answer(staffer, "!id:anonymous", "rv")
    send = next(data for _, data in buttons(review) if data.startswith("rv:send:"))
    staffer.press(review, send)
    filed = await staffer.expect("Nomor tiket: ")
    ticket = str(filed["text"]).split("Nomor tiket: ")[1].split("\n")[0]
    # and the same person's staff buttons still do staff work: the note choice after a status
    # change is the staff's "no note", not the citizen's service-name question
    await say(staffer, f"/kasus {ticket}", "Kategori:")
    await tap(staffer, "➡️ Sedang diverifikasi", "Tulis catatan untuk pelapor")
    await tap(staffer, "Tanpa catatan", "Sedang diverifikasi")
    assert await rows(svc_of(bot).settings, "SELECT status FROM cases") == [("diverifikasi",)]
