"""The staff desk's state machine in plain calls: every staff action on a case, the chat's
three-step note dialogue and the console's one form post writing the same change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conversations.casework import shipped_casework
from conversations.jurisdiction.engine import default_jurisdiction
from conversations.jurisdiction.models import Office
from conversations.replies import Reply
from conversations.staffdesk import (
    NOTE_LIMIT,
    AddNote,
    ChangeStatus,
    DeskContext,
    DeskEvent,
    DeskOutcome,
    Forward,
    ForwardCancelled,
    ForwardChosen,
    ForwardConfirmed,
    ForwardTarget,
    InternalNoteAsked,
    NoteChoice,
    NotePosted,
    NoteTyped,
    OpenAction,
    StatusChosen,
    StatusPosted,
    forward_outcome,
    handle,
    status_outcome,
)
from tests.staff.test_staffviews import case

CASE = case(7)  # status "diterima"
CTX = DeskContext(CASE, shipped_casework(), "id")


def run(*events: DeskEvent, start: OpenAction | None = None) -> list[DeskOutcome]:
    outcomes, open_action = [], start
    for event in events:
        outcome = handle(open_action, event, CTX)
        outcomes.append(outcome)
        open_action = outcome.open
    return outcomes


def texts(outcome: DeskOutcome) -> str:
    return "\n".join(reply.text("id") for reply in outcome.replies)


def test_a_status_button_asks_for_a_note_with_three_choices() -> None:
    (asked,) = run(StatusChosen("diverifikasi"))
    assert asked.open == OpenAction(7, "status", "diverifikasi") and asked.effects == ()
    assert "Ubah status <code>LN-0000-0000-0007</code> menjadi <b>Sedang diverifikasi</b>" in texts(
        asked
    )
    (buttons,) = asked.replies[0].buttons
    assert [b.data for b in buttons] == ["nc:none", "nc:internal", "nc:cancel"]


def test_a_move_the_rules_do_not_allow_is_refused_and_named() -> None:
    (refused,) = run(StatusChosen("selesai"))  # diterima → selesai is not a move
    assert refused.open is None and refused.effects == ()
    assert "Status Diterima tidak bisa diubah menjadi Selesai" in texts(refused)


def test_the_chat_and_the_console_write_the_same_change() -> None:
    chat = run(StatusChosen("diverifikasi"), NoteTyped("  Kami periksa minggu ini.  "))
    console = run(StatusPosted("diverifikasi", "Kami periksa minggu ini.", public=True))
    change = ChangeStatus(7, "diverifikasi", "Kami periksa minggu ini.", public=True)
    assert chat[-1].effects == console[-1].effects == (change,)
    assert chat[-1].open is None
    internal = run(StatusChosen("diverifikasi"), NoteChoice("internal"), NoteTyped("ipar kadis"))
    assert internal[1].open == OpenAction(7, "status_internal", "diverifikasi")
    assert "catatan internal" in texts(internal[1])
    posted = run(StatusPosted("diverifikasi", "ipar kadis", public=False))
    assert internal[-1].effects == posted[-1].effects
    assert internal[-1].effects == (ChangeStatus(7, "diverifikasi", "ipar kadis", public=False),)


def test_no_note_and_cancel() -> None:
    none = run(StatusChosen("diverifikasi"), NoteChoice("none"))
    assert none[-1].effects == (ChangeStatus(7, "diverifikasi", None, public=True),)
    internal_none = run(StatusChosen("diverifikasi"), NoteChoice("internal"), NoteChoice("none"))
    assert internal_none[-1].effects == (ChangeStatus(7, "diverifikasi", None, public=False),)
    cancelled = run(StatusChosen("diverifikasi"), NoteChoice("cancel"))
    assert cancelled[-1].open is None and cancelled[-1].effects == ()
    assert texts(cancelled[-1]) == "Dibatalkan."
    # a choice with nothing open (an old button) changes nothing and says so
    (stale,) = run(NoteChoice("none"))
    assert stale.effects == () and texts(stale) == "Dibatalkan."
    # an open action of another case is not this case's
    (other,) = run(NoteChoice("none"), start=OpenAction(99, "status", "diverifikasi"))
    assert other.effects == ()


def test_internal_notes_in_the_chat_and_the_console() -> None:
    asked, typed = run(InternalNoteAsked(), NoteTyped("Saksi kunci: kepala seksi"))
    assert asked.open == OpenAction(7, "note") and "catatan internal" in texts(asked)
    assert typed.effects == (AddNote(7, "Saksi kunci: kepala seksi"),) and typed.open is None
    assert "Catatan internal disimpan" in texts(typed)
    (posted,) = run(NotePosted("Saksi kunci: kepala seksi"))
    assert posted.effects == typed.effects
    (empty,) = run(NotePosted("   "))
    assert empty.effects == ()
    (long,) = run(NotePosted("x" * (NOTE_LIMIT + 50)))
    assert long.effects == (AddNote(7, "x" * NOTE_LIMIT),)


def test_a_typed_message_with_nothing_open_is_not_a_note() -> None:
    (idle,) = run(NoteTyped("halo"))
    assert idle == DeskOutcome(None)


@pytest.mark.parametrize(
    ("done", "public", "says"),
    [
        (True, True, "✅ <code>LN-X</code>: Diterima → <b>Sedang diverifikasi</b>. Pelapor diberi tahu."),
        (True, False, "✅ <code>LN-X</code>: Diterima → <b>Sedang diverifikasi</b>."),
        (False, True, "Status Diterima tidak bisa diubah menjadi Sedang diverifikasi."),
    ],
)  # fmt: skip
def test_what_the_member_is_told_after_a_change(done: bool, public: bool, says: str) -> None:
    reply: Reply = status_outcome("LN-X", "diterima", "diverifikasi", done, public, "id")
    assert reply.text("id") == says


def test_forwarding_asks_first_and_says_whether_the_body_is_reached() -> None:
    jurisdiction = default_jurisdiction()
    office = jurisdiction.office("inspektorat", "Inspektorat Kota Serang")
    reached = replace(CTX, target=ForwardTarget(office, reached=True))
    (asked,) = [handle(None, ForwardChosen("inspektorat"), reached)]
    assert asked.effects == () and "Petugas mereka di layanan ini akan diberi tahu" in texts(asked)
    (yes, no) = asked.replies[0].buttons
    assert yes[0].data == "fc:7:inspektorat" and yes[0].label("id") == "↪️ Ya, teruskan"
    assert no[0].data == "fn:7"
    unreached = replace(CTX, target=ForwardTarget(office, reached=False, idle=True))
    referral = handle(None, ForwardChosen("inspektorat"), unreached)
    assert "tidak akan sampai" in texts(referral) and "SP4N-LAPOR!" in texts(referral)
    assert "tidak ada tahapan pemilu" in texts(referral)  # and it cannot act now
    assert referral.replies[0].buttons[0][0].label("id") == "📮 Ya, catat rujukan"
    confirmed = handle(None, ForwardConfirmed("inspektorat"), reached)
    assert confirmed.effects == (Forward(7, "inspektorat"),)
    # a body it may not go to (or a second tap: it has the case already) does nothing
    assert handle(None, ForwardConfirmed("inspektorat"), CTX) == DeskOutcome(None)
    assert handle(None, ForwardConfirmed("bkn"), reached) == DeskOutcome(None)
    assert texts(handle(None, ForwardCancelled(), CTX)).startswith("Tidak jadi diteruskan.")
    told = forward_outcome("LN-X", ForwardTarget(office, reached=False))
    assert told is not None and "dicatat sebagai rujukan" in told.text("id")
    assert forward_outcome("LN-X", None) is None


def test_events_outside_the_note_dialogue_keep_the_open_action() -> None:
    office = default_jurisdiction().office("inspektorat", "Inspektorat Kota Serang")
    reached = replace(CTX, target=ForwardTarget(office, reached=True))
    waiting = OpenAction(7, "note")
    for event, ctx in [
        (StatusChosen("selesai"), CTX),  # refused
        (ForwardChosen("inspektorat"), reached),
        (ForwardChosen("inspektorat"), CTX),  # may not go there: nothing
        (ForwardConfirmed("inspektorat"), reached),
        (ForwardConfirmed("inspektorat"), CTX),
        (ForwardCancelled(), CTX),
        (StatusPosted("diverifikasi", "", public=True), CTX),
        (NotePosted("catatan"), CTX),
        (NotePosted(""), CTX),
    ]:
        assert handle(waiting, event, ctx).open == waiting, event
    assert handle(None, ForwardChosen("inspektorat"), CTX) == DeskOutcome(None)
    assert handle(waiting, NoteTyped("   "), CTX) == DeskOutcome(waiting)  # an empty note waits


def test_the_forward_question_warns_only_when_the_body_cannot_act_now() -> None:
    office = default_jurisdiction().office("bawaslu", "Bawaslu Kota Serang")
    calm = handle(None, ForwardChosen("bawaslu"), replace(CTX, target=ForwardTarget(office, True)))
    assert "⚠️" not in texts(calm) and texts(calm).endswith("bisa menindaklanjutinya.")
    told = forward_outcome("LN-X", ForwardTarget(office, reached=True))
    assert told is not None and told.text("id") == (
        "↪️ <code>LN-X</code> diteruskan ke Bawaslu Kota Serang."
    )


def test_the_forward_question_in_full() -> None:
    office = default_jurisdiction().office("inspektorat", "Inspektorat Kota Serang")
    idle = handle(
        None,
        ForwardChosen("inspektorat"),
        replace(CTX, target=ForwardTarget(office, True, idle=True)),
    )
    assert "jadi Inspektorat Kota Serang kemungkinan tidak dapat menanganinya" in texts(idle)
    (_, no) = idle.replies[0].buttons
    assert no[0].label("id") == "✖️ Tidak jadi"
    bare = Office(agency="inspektorat", name="Inspektorat X", staff=True)  # no channel known
    unreached = handle(
        None, ForwardChosen("inspektorat"), replace(CTX, target=ForwardTarget(bare, False))
    )
    assert "cara melapor langsung ke sana." in texts(unreached)  # no ": <channel>" left hanging
    # an unknown choice (a tampered button) leaves the dialogue as it was
    waiting = OpenAction(7, "status", "diverifikasi")
    assert handle(waiting, NoteChoice("bogus"), CTX) == DeskOutcome(waiting)


def test_the_forward_question_in_english_gives_the_english_channel() -> None:
    office = default_jurisdiction().office("inspektorat", "Inspektorat Kota Serang")
    english = replace(CTX, language="en", target=ForwardTarget(office, reached=False))
    asked = handle(None, ForwardChosen("inspektorat"), english)
    text = asked.replies[0].text("en")
    assert "will <b>not</b> reach them" in text and "Visit or write to the regency" in text
