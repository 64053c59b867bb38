"""The staff desk's casework as a pure state machine: staff events (a chat button, a typed note,
a web form) and the member's open action → the next open action, the effects to perform and
the replies to show: status changes with their note, internal notes, forwards.

The chat changes a status in three steps (the status button, "no note / internal / a typed
note", the note); the web console in one form post. Both are event sequences of this one
machine, so they write the same change: `ChangeStatus`, `AddNote`. The shell performs the
effects (service.casedesk) and hands their outcome back (`status_outcome`) for the words to say.
Tested with plain function calls (tests/staff/test_staffdesk.py), like the citizen's `flow.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from conversations.callbacks import FORWARD_CANCEL, FORWARD_CONFIRM, NOTE_CHOICE
from conversations.caserow import CaseRow
from conversations.casework import Casework
from conversations.jurisdiction.models import Office
from conversations.messages import Language, Safe, catalogue, escape
from conversations.replies import Button, Reply
from conversations.status import status_label

NOTE_LIMIT = 1000
NOTE_CHOICES = ("none", "internal", "cancel")
Action = Literal["status", "status_internal", "note"]


@dataclass(frozen=True)
class OpenAction:
    """What the member's next typed message is for: a note to a status change (for the
    reporter, or internal), or an internal note on its own."""

    case_id: int
    action: Action
    value: str | None = None  # the new status, for a status change


# ------------------------------------------------------------------ events
@dataclass(frozen=True)
class StatusChosen:
    """A status button: move the case to `new` (a note is asked first)."""

    new: str


@dataclass(frozen=True)
class NoteChoice:
    """The answer to "write a note": none, internal, or cancel."""

    choice: str


@dataclass(frozen=True)
class NoteTyped:
    """A typed message while a note is awaited."""

    text: str


@dataclass(frozen=True)
class InternalNoteAsked:
    """The "internal note" button."""


@dataclass(frozen=True)
class ForwardChosen:
    """A forward button (or the console's first post): the question comes first."""

    agency: str


@dataclass(frozen=True)
class ForwardConfirmed:
    """ "Yes, forward" (or "record the referral")."""

    agency: str


@dataclass(frozen=True)
class ForwardCancelled:
    """ "No" to the forward question."""


@dataclass(frozen=True)
class StatusPosted:
    """The console's status form: the new status and its note in one post."""

    new: str
    note: str
    public: bool


@dataclass(frozen=True)
class NotePosted:
    """The console's internal-note form."""

    note: str


DeskEvent = (
    StatusChosen | NoteChoice | NoteTyped | InternalNoteAsked | ForwardChosen | ForwardConfirmed
    | ForwardCancelled | StatusPosted | NotePosted
)  # fmt: skip


# ------------------------------------------------------------------ effects
@dataclass(frozen=True)
class ChangeStatus:
    """Move the case, record it, tell the reporter when public (service.casedesk.change_status)."""

    case_id: int
    new: str
    note: str | None
    public: bool


@dataclass(frozen=True)
class AddNote:
    """Write an internal note (service.casedesk.add_note)."""

    case_id: int
    note: str


@dataclass(frozen=True)
class Forward:
    """Add a body to the case: alert its staff, or record a referral and give the reporter
    its channel (service.casedesk.forward)."""

    case_id: int
    agency: str


Effect = ChangeStatus | AddNote | Forward


@dataclass(frozen=True)
class ForwardTarget:
    """Where a forward would go, looked up by the shell: the body's office (its name and its
    own channel), whether its staff get the case through the bot (else it is recorded as a
    referral), whether it cannot act on it now (no election stage running at the place)."""

    office: Office
    reached: bool
    idle: bool = False


@dataclass(frozen=True)
class DeskOutcome:
    """The member's next open action (None: none), the effects, the replies."""

    open: OpenAction | None
    effects: tuple[Effect, ...] = ()
    replies: tuple[Reply, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DeskContext:
    """What the machine knows besides the event: the case the event is about (loaded and
    checked against the member's scope by the shell), the casework rules, the reader, and for
    a forward where it would go."""

    case: CaseRow
    casework: Casework
    language: Language
    target: ForwardTarget | None = None  # for a forward event: None when it may not go there


def _note(text: str) -> str | None:
    cut = text.strip()[:NOTE_LIMIT]
    return cut or None


def handle(open_action: OpenAction | None, event: DeskEvent, ctx: DeskContext) -> DeskOutcome:
    """One staff event on one case."""
    case, language = ctx.case, ctx.language
    match event:
        case StatusChosen(new):
            if not ctx.casework.allowed(case.status, new):
                return DeskOutcome(open_action, replies=(_not_allowed(case.status, new, language),))
            buttons = (tuple(Button(NOTE_CHOICE.data(c), f"btn_note_{c}") for c in NOTE_CHOICES),)
            status = status_label(new, language)
            ask = Reply("ask_note", {"ticket": case.ticket, "status": status}, buttons)
            return DeskOutcome(OpenAction(case.id, "status", new), replies=(ask,))
        case NoteChoice(choice):
            pending = _pending_status(open_action, case)
            if choice == "cancel" or pending is None:
                return DeskOutcome(None, replies=(Reply("action_cancelled"),))
            if choice == "internal":
                internal = OpenAction(case.id, "status_internal", pending.value)
                return DeskOutcome(internal, replies=(Reply("note_mode_internal"),))
            if choice == "none":
                assert pending.value is not None
                change = ChangeStatus(case.id, pending.value, None, pending.action == "status")
                return DeskOutcome(None, effects=(change,))
            return DeskOutcome(open_action)
        case NoteTyped(text):
            if open_action is None or open_action.case_id != case.id:
                return DeskOutcome(None)
            typed = _note(text)
            if open_action.action in {"status", "status_internal"} and open_action.value:
                public = open_action.action == "status"
                change = ChangeStatus(case.id, open_action.value, typed, public)
                return DeskOutcome(None, effects=(change,))
            if typed is None:
                return DeskOutcome(open_action)
            saved = Reply("note_saved", {"ticket": case.ticket})
            return DeskOutcome(None, effects=(AddNote(case.id, typed),), replies=(saved,))
        case InternalNoteAsked():
            ask = Reply("ask_internal_note", {"ticket": case.ticket})
            return DeskOutcome(OpenAction(case.id, "note"), replies=(ask,))
        case ForwardChosen(agency):
            target = ctx.target
            if target is None or target.office.agency != agency:
                return DeskOutcome(open_action)
            return DeskOutcome(open_action, replies=(forward_question(case, target, language),))
        case ForwardConfirmed(agency):
            target = ctx.target
            if target is None or target.office.agency != agency:
                return DeskOutcome(open_action)  # a second tap: the case has it already
            return DeskOutcome(open_action, effects=(Forward(case.id, agency),))
        case ForwardCancelled():
            return DeskOutcome(open_action, replies=(Reply("forward_cancelled"),))
        case StatusPosted(new, posted, public):
            change = ChangeStatus(case.id, new, _note(posted), public)
            return DeskOutcome(open_action, effects=(change,))
        case NotePosted(posted):
            written = _note(posted)
            effects: tuple[Effect, ...] = (AddNote(case.id, written),) if written else ()
            return DeskOutcome(open_action, effects=effects)
    raise TypeError(event)


def _pending_status(open_action: OpenAction | None, case: CaseRow) -> OpenAction | None:
    if open_action is None or open_action.case_id != case.id or open_action.value is None:
        return None
    return open_action if open_action.action in {"status", "status_internal"} else None


def _not_allowed(old: str, new: str, language: Language) -> Reply:
    args: dict[str, object] = {
        "old": status_label(old, language),
        "new": status_label(new, language),
    }
    return Reply("status_not_allowed", args)


def status_outcome(
    ticket: str, old: str, new: str, done: bool, public: bool, language: Language
) -> Reply:
    """What the member is told once a status change was performed: done (and whether the
    reporter was told), or refused because the case moved meanwhile."""
    if not done:
        return _not_allowed(old, new, language)
    notified = "status_changed_notified" if public else None
    args: dict[str, object] = {
        "ticket": ticket,
        "old": status_label(old, language),
        "new": status_label(new, language),
        "notified": _raw(notified, language),
    }
    return Reply("status_changed", args)


def _raw(key: str | None, language: Language) -> str:
    return catalogue().raw(key, language) if key else ""


def forward_question(case: CaseRow, target: ForwardTarget, language: Language) -> Reply:
    """The question asked before a case goes to another body: whether that body's staff get it
    through the bot (else it is recorded as a referral and the reporter is given the body's
    channel), with a warning when that body cannot act on it now."""
    office, texts = target.office, catalogue()
    warning = texts.render("forward_no_stage", language, office=office.name) if target.idle else ""
    args: dict[str, object] = {
        "ticket": case.ticket,
        "office": office.name,
        "warning": Safe(warning),
    }
    if target.reached:
        text = texts.render("forward_confirm", language, **args)
    else:
        channel = Safe(f": {escape(office.channel.get(language))}" if office.channel else "")
        text = texts.render("forward_confirm_unreached", language, **args, channel=channel)
    yes = "btn_forward_yes" if target.reached else "btn_refer_yes"
    buttons = (
        (Button(FORWARD_CONFIRM.data(case.id, office.agency), yes),),
        (Button(FORWARD_CANCEL.data(case.id), "btn_forward_no"),),
    )
    return Reply(html=Safe(text), buttons=buttons)


def forward_outcome(ticket: str, done: ForwardTarget | None) -> Reply | None:
    """What the member is told once a forward was performed (None: nothing was done, as for
    a second tap on the same confirmation)."""
    if done is None:
        return None
    key = "forwarded" if done.reached else "referred_recorded"
    return Reply(key, {"ticket": ticket, "office": done.office.name})
