"""The report conversation as a pure state machine: (draft, event) → (draft, actions).

The shell (bot/) turns Telegram updates into events, performs the actions in order (sending
replies, storing evidence, filing, looking up tickets) and saves the returned draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from conversations.callbacks import CANCEL_CONFIRM, DRAFT, ERASE, PACKET, STATUS
from conversations.context import Context
from conversations.draft import Draft
from conversations.events import Command, Event, Press, Text, Unsupported
from conversations.jurisdiction.models import Decision
from conversations.jurisdiction.render import render_decision
from conversations.jurisdiction.routing import Routing
from conversations.menu import action_of, menu_buttons
from conversations.messages import Language, Safe, escape, other_language
from conversations.questions import (
    BACK,
    BY_CODE,
    CANCEL,
    ORDER,
    QUESTIONS,
    SKIP,
    TOTAL_STEPS,
    Answer,
    DropEvidence,
    FetchEvidence,
    hint,
    is_word,
    text_of,
)
from conversations.replies import Button, Reply
from conversations.tickets import looks_like_ticket, parse_ticket
from conversations.typed import (
    is_greeting,
    is_thanks,
    letters,
    typed_press,
    wants_to_report,
    yes_or_no,
)


@dataclass(frozen=True)
class FileReport:
    """Effect: file this draft as a case (idempotent per draft id) and show the decision."""

    draft: Draft


@dataclass(frozen=True)
class ResendFiled:
    """Effect: "Send" pressed for a draft that is gone: show its case again if it was filed."""

    draft_id: str


@dataclass(frozen=True)
class LookupStatus:
    """Effect: show the status of this (well-formed) ticket."""

    ticket: str


@dataclass(frozen=True)
class ListTickets:
    """Effect: list this chat's own tickets."""


@dataclass(frozen=True)
class AskErase:
    """Effect: show what /hapus would delete and ask to confirm."""


@dataclass(frozen=True)
class Erase:
    """Effect: delete the chat's reports not yet being acted on, and its draft."""


Action = (
    Reply
    | FileReport
    | ResendFiled
    | LookupStatus
    | ListTickets
    | FetchEvidence
    | DropEvidence
    | AskErase
    | Erase
)


@dataclass(frozen=True)
class Outcome:
    """The chat after an event: its draft (None: no report in progress), language, actions.

    `discarded` names a draft whose stored evidence the shell must delete.
    """

    draft: Draft | None
    language: Language
    actions: tuple[Action, ...]
    discarded: str | None = None


_BACK_WORDS = {"kembali", "back", "mundur", "sebelumnya"}
_CANCEL_WORDS = {"batal", "cancel", "batalkan", "stop"}
_SKIP_WORDS = {"lewati", "skip", "lewat", "tidak ada", "-"}
_SEND_WORDS = {"kirim", "send", "kirim laporan", "send report"}


def start_draft(draft_id: str) -> Draft:
    """A new report at its first question."""
    return Draft(draft_id=draft_id)


def prompt(draft: Draft, ctx: Context) -> Reply:
    """The question the draft is at."""
    return QUESTIONS[draft.question].prompt(draft, ctx)


def _plain(reply: Reply) -> bool:
    return not (reply.buttons or reply.request_contact or reply.remove_keyboard)


def with_prompt(replies: tuple[Reply, ...], draft: Draft, ctx: Context) -> tuple[Reply, ...]:
    """The replies followed by the current question; a plain last reply is merged into it, and
    "choose one of the buttons" names the buttons it means."""
    question = prompt(draft, ctx)
    generic = text_of("hint_use_buttons", ctx.language)
    replies = tuple(
        _named_buttons(question, ctx) if reply.html == generic else reply for reply in replies
    )
    if replies and _plain(replies[-1]) and question.html is not None:
        merged = Safe(f"{replies[-1].text(ctx.language)}\n\n{question.html}")
        return (*replies[:-1], replace(question, html=merged))
    return (*replies, question)


def _named_buttons(question: Reply, ctx: Context) -> Reply:
    """ "Please answer with «Ya», «Tidak» or «Tidak yakin», or type it" for a question of a few
    answer buttons (navigation left out); the generic hint for more."""
    labels = [
        _LABEL_MARKS.sub("", button.label(ctx.language)) or button.label(ctx.language)
        for row in question.buttons
        for button in row
        if not button.data.partition(":")[2].startswith(("^back", "^skip", "^cancel"))
    ]
    if not labels or len(labels) > 4:
        return hint("hint_use_buttons", ctx.language)
    quoted = [f"«{escape(label)}»" for label in labels]
    joined = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " / " + quoted[-1]
    return hint("hint_use_buttons_named", ctx.language, choices=Safe(joined))


def welcome(ctx: Context, first_name: str) -> Reply:
    """The welcome with the main menu."""
    return Reply("welcome", {"name": first_name or "Warga"}, menu_buttons())


def handle(
    draft: Draft | None,
    event: Event,
    ctx: Context,
    *,
    new_draft_id: str,
    first_name: str = "",
    ticket_prefix: str = "LN",
) -> Outcome:
    """Everything a chat can send, with or without a report in progress."""
    action = action_of(event)
    if action is not None:
        argument = event.argument if isinstance(event, Command) else ""
        return _menu_action(action, argument, draft, ctx, new_draft_id, first_name, ticket_prefix)
    if isinstance(event, Press):
        return _in_place(_press(draft, event, ctx, new_draft_id), draft, event, ctx)
    language = ctx.language
    if draft is None and isinstance(event, Text) and looks_like_ticket(event.text, ticket_prefix):
        # typed after "Cek status" (or pasted from the filing message) without /status
        typed = event.text
        return _menu_action("status", typed, None, ctx, new_draft_id, first_name, ticket_prefix)
    if draft is None and isinstance(event, Text):
        opening = _opening(event.text, ctx, new_draft_id, first_name, ticket_prefix)
        if opening is not None:
            return opening
    if draft is None:
        key = (
            "hint_edited"
            if isinstance(event, Unsupported) and event.kind == "edited"
            else "not_understood"
        )
        return Outcome(None, language, (Reply(key, buttons=menu_buttons()),))
    # "ya" to "Batalkan?"
    if draft.confirm_cancel and isinstance(event, Text) and (said := yes_or_no(event.text)):
        return _press(draft, Press(CANCEL_CONFIRM.data(said)), ctx, new_draft_id)
    draft = draft.model_copy(update={"confirm_cancel": False}) if draft.confirm_cancel else draft
    if isinstance(event, Unsupported):
        key = "hint_edited" if event.kind == "edited" else _unsupported_hint(draft)
        return Outcome(draft, language, with_prompt((hint(key, language),), draft, ctx))
    if isinstance(event, Text):
        if is_word(event.text, _BACK_WORDS):
            return _back(draft, ctx)
        if is_word(event.text, _CANCEL_WORDS):
            return _confirm_cancel(draft, ctx)
        if QUESTIONS[draft.question].skippable and is_word(event.text, _SKIP_WORDS):
            return _skip(draft, ctx)
        if draft.question == "review" and is_word(event.text, _SEND_WORDS):
            return Outcome(None, language, (FileReport(draft),))
        # a button's label typed, or "ya" to a yes/no question, presses that button
        pressed = typed_press(prompt(draft, ctx), event.text)
        if pressed is not None:
            return _press(draft, pressed, ctx, new_draft_id)
    return _answer(draft, event, ctx)


# A first message with this many letters is a story, not a greeting or a question.
STORY_LETTERS = 60


def _opening(
    text: str, ctx: Context, new_draft_id: str, first_name: str, prefix: str
) -> Outcome | None:
    """A first message outside a report: a story or a sentence about reporting starts one (the
    story kept as its description), a greeting or an emoji gets the welcome and its menu."""
    story = letters(text) >= STORY_LETTERS
    if story or wants_to_report(text):
        started = _menu_action("report", "", None, ctx, new_draft_id, first_name, prefix)
        if not story or started.draft is None:
            return started
        long = len(text.strip()) > ctx.limits.max_description
        field = "long_description" if long else "description"
        kept = started.draft.model_copy(update={field: text})  # exactly as typed
        note = Reply("description_kept_early")
        return Outcome(kept, started.language, (note, *started.actions))
    if is_greeting(text):
        return _menu_action("start", "", None, ctx, new_draft_id, first_name, prefix)
    if is_thanks(text):
        return Outcome(None, ctx.language, (Reply("thanks_reply", buttons=menu_buttons()),))
    return None


def _unsupported_hint(draft: Draft) -> str:
    if draft.question == "evidence":
        return "hint_evidence_text"
    if draft.question in {
        "description",
        "person_details",
        "place_detail",
        "service_name",
        "reporter_name",
        "province",
        "regency",
    }:
        return "hint_text_expected"
    return "hint_use_buttons"


def _menu_action(
    action: str,
    argument: str,
    draft: Draft | None,
    ctx: Context,
    new_draft_id: str,
    first_name: str,
    prefix: str,
) -> Outcome:
    language = ctx.language
    then_question = (prompt(draft, ctx),) if draft is not None else ()
    if action == "start":
        replies: tuple[Action, ...] = (welcome(ctx, first_name),)
        if draft is not None:
            replies += (_draft_exists(draft),)
        return Outcome(draft, language, replies)
    if action in {"help", "privacy"}:
        buttons = () if draft is not None else menu_buttons()
        # on WhatsApp the chat's address is the person's number: the privacy text says so
        args: dict[str, object] = {
            "address": Safe(text_of(f"privacy_address_{ctx.channel}", language))
        }
        shown = Reply(action, args if action == "privacy" else {}, buttons)
        return Outcome(draft, language, (shown, *then_question))
    if action == "language":
        switched = replace(ctx, language=other_language(language))
        if draft is None:
            return Outcome(
                None, switched.language, (Reply("language_set", buttons=menu_buttons()),)
            )
        return Outcome(
            draft, switched.language, with_prompt((Reply("language_set"),), draft, switched)
        )
    if action == "report":
        if draft is not None:
            return Outcome(draft, language, (_draft_exists(draft),))
        fresh = start_draft(new_draft_id)
        return Outcome(fresh, language, (prompt(fresh, ctx),))
    if action == "cancel":
        if draft is None:
            return Outcome(None, language, (Reply("nothing_to_cancel", buttons=menu_buttons()),))
        return _confirm_cancel(draft, ctx)
    if action == "erase":
        return Outcome(draft, language, (AskErase(),))
    if action == "status":
        if not argument.strip():
            return Outcome(draft, language, (ListTickets(), *then_question))
        parsed = parse_ticket(argument, prefix)
        if parsed.outcome == "ok" and parsed.ticket is not None:
            return Outcome(draft, language, (LookupStatus(parsed.ticket), *then_question))
        key = "status_typo" if parsed.outcome == "typo" else "status_invalid"
        return Outcome(draft, language, (Reply(key), *then_question))
    return Outcome(draft, language, (Reply("unknown_command"), *then_question))


def _draft_exists(draft: Draft) -> Reply:
    step = QUESTIONS[draft.question].step
    return Reply(
        "draft_exists",
        {"n": step, "total": TOTAL_STEPS},
        (
            (
                Button(DRAFT.data("continue"), "btn_continue"),
                Button(DRAFT.data("restart"), "btn_restart"),
            ),
        ),
    )


def _confirm_cancel(draft: Draft, ctx: Context) -> Outcome:
    marked = draft.model_copy(update={"confirm_cancel": True})
    buttons = (
        (
            Button(CANCEL_CONFIRM.data("yes"), "btn_cancel_yes"),
            Button(CANCEL_CONFIRM.data("no"), "btn_cancel_no"),
        ),
    )
    actions: tuple[Action, ...] = (Reply("cancel_confirm", buttons=buttons),)
    if draft.question == "reporter_phone":
        actions = (_close_keyboard(), *actions)
    return Outcome(marked, ctx.language, actions)


def _close_keyboard() -> Reply:
    return Reply(html=Safe("👌"), remove_keyboard=True)


def _press(draft: Draft | None, event: Press, ctx: Context, new_draft_id: str) -> Outcome:
    language = ctx.language
    code, _, value = event.data.partition(":")
    if code == STATUS.code and value:
        return Outcome(draft, language, (LookupStatus(value),))
    if code == ERASE.code:
        if value == "yes":
            return Outcome(None, language, (Erase(),), discarded=draft.draft_id if draft else None)
        cancelled: tuple[Action, ...] = (Reply("action_cancelled"),)
        return Outcome(draft, language, cancelled + ((prompt(draft, ctx),) if draft else ()))
    if code == DRAFT.code and draft is not None:
        if value == "restart":
            fresh = start_draft(new_draft_id)
            return Outcome(fresh, language, (prompt(fresh, ctx),), discarded=draft.draft_id)
        return Outcome(draft, language, (prompt(draft, ctx),))
    if code == CANCEL_CONFIRM.code and draft is not None and draft.confirm_cancel:
        if value == "yes":
            return Outcome(
                None,
                language,
                (Reply("cancelled", buttons=menu_buttons()),),
                discarded=draft.draft_id,
            )
        kept = draft.model_copy(update={"confirm_cancel": False})
        return Outcome(kept, language, (prompt(kept, ctx),))
    if code == "rv" and value.startswith("send:"):
        draft_id = value.removeprefix("send:")
        if draft is not None and draft.question == "review" and draft.draft_id == draft_id:
            return Outcome(None, language, (FileReport(draft),))
        if draft is None or draft.draft_id != draft_id:
            return Outcome(
                draft, language, (ResendFiled(draft_id), *((prompt(draft, ctx),) if draft else ()))
            )
    if draft is None:
        return Outcome(None, language, (Reply("not_understood", buttons=menu_buttons()),))
    draft = draft.model_copy(update={"confirm_cancel": False}) if draft.confirm_cancel else draft
    question = QUESTIONS[draft.question]
    if code != question.code or code not in BY_CODE:
        return Outcome(
            draft, language, with_prompt((hint("hint_stale_button", language),), draft, ctx)
        )
    if code == "rv" and value.startswith("edit:"):
        return _edit(draft, value.removeprefix("edit:"), ctx)
    if value == BACK:
        return _back(draft, ctx)
    if value == CANCEL:
        return _confirm_cancel(draft, ctx)
    if value == SKIP and question.skippable:
        return _skip(draft, ctx)
    return _answer(draft, event, ctx)


def _in_place(outcome: Outcome, before: Draft | None, event: Press, ctx: Context) -> Outcome:
    """A press answered by the next question is shown by editing the pressed question message
    into it, with the chosen answer on its first line. Presses on an earlier question (stale),
    on the menu and on the review are answered with new messages: the review and the decision
    stay in the chat as they were sent."""
    if before is None or len(outcome.actions) != 1:
        return outcome
    reply = outcome.actions[0]
    if (
        not isinstance(reply, Reply)
        or not reply.buttons
        or reply.request_contact
        or reply.remove_keyboard
    ):
        return outcome
    code, _, value = event.data.partition(":")
    question = QUESTIONS[before.question]
    if code == DRAFT.code or (code == CANCEL_CONFIRM.code and before.confirm_cancel):
        line = ""
    elif code == question.code and code != "rv":
        line = _answer_line(event, ctx) if value not in {BACK, CANCEL} else ""
    else:
        return outcome
    shown = replace(reply, in_place=True, answered=Safe(line) if line else None)
    return replace(outcome, actions=(shown,))


_LABEL_MARKS = re.compile(r"^(?:[^\w\s]+|\d+\.)\s*")


def _answer_line(event: Press, ctx: Context) -> str:
    """The pressed button's label, without its emoji or number, after a check mark; "" when
    the label is not known."""
    if not event.label:
        return ""
    shown = _LABEL_MARKS.sub("", event.label) or event.label
    return text_of("answer_line", ctx.language, answer=shown)


def _answer(draft: Draft, event: Event, ctx: Context) -> Outcome:
    answer: Answer = QUESTIONS[draft.question].handle(draft, event, ctx)
    if answer.fetch is not None:
        return Outcome(answer.draft, ctx.language, (answer.fetch,))
    if answer.drop is not None:
        drop = DropEvidence(draft.draft_id, answer.drop)
        return Outcome(
            answer.draft, ctx.language, (drop, *with_prompt(answer.replies, answer.draft, ctx))
        )
    if answer.advance:
        moved = advance(answer.draft, ctx)
        return Outcome(moved, ctx.language, with_prompt(answer.replies, moved, ctx))
    if not answer.reask:
        return Outcome(answer.draft, ctx.language, answer.replies)
    return Outcome(answer.draft, ctx.language, with_prompt(answer.replies, answer.draft, ctx))


def _skip(draft: Draft, ctx: Context) -> Outcome:
    field = {
        "person_details": "person_details",
        "place_detail": "place_detail",
        "service_name": "service_name",
    }
    update: dict[str, object] = {field[draft.question]: None} if draft.question in field else {}
    moved = advance(draft.model_copy(update=update), ctx)
    return Outcome(moved, ctx.language, (prompt(moved, ctx),))


def _goto(draft: Draft, question: str) -> Draft:
    return draft.model_copy(
        update={
            "question": question,
            "choices": [],
            "editing": draft.editing and question != "review",
        }
    )


def advance(draft: Draft, ctx: Context) -> Draft:
    """The next question that applies; back to the review when a part being edited is done."""
    current = QUESTIONS[draft.question]
    for question_id in ORDER[ORDER.index(draft.question) + 1 :]:
        candidate = QUESTIONS[question_id]
        if draft.editing and candidate.section != current.section:
            return _goto(draft.model_copy(update={"editing": False}), "review")
        if candidate.applies(draft, ctx):
            return _goto(draft, question_id)
    return _goto(draft, "review")


def _back(draft: Draft, ctx: Context) -> Outcome:
    current = QUESTIONS[draft.question]
    target = draft
    for question_id in reversed(ORDER[: ORDER.index(draft.question)]):
        candidate = QUESTIONS[question_id]
        if draft.editing and candidate.section != current.section:
            target = _goto(draft.model_copy(update={"editing": False}), "review")
            break
        if candidate.applies(draft, ctx):
            target = _goto(draft, question_id)
            break
    else:  # "Kembali" typed at the first question: say why nothing changes
        return Outcome(
            draft, ctx.language, with_prompt((hint("hint_no_back", ctx.language),), draft, ctx)
        )
    actions: tuple[Action, ...] = (prompt(target, ctx),)
    if draft.question == "reporter_phone":
        actions = (_close_keyboard(), *actions)
    return Outcome(target, ctx.language, actions)


def _edit(draft: Draft, section: str, ctx: Context) -> Outcome:
    for question_id in ORDER:
        question = QUESTIONS[question_id]
        if question.section == section and question.applies(draft, ctx):
            editing = draft.model_copy(update={"editing": True, "evidence_done": False})
            moved = _goto(editing, question_id)
            return Outcome(moved, ctx.language, (prompt(moved, ctx),))
    return Outcome(
        draft, ctx.language, with_prompt((hint("hint_use_buttons", ctx.language),), draft, ctx)
    )


def packet_button(ticket: str) -> tuple[Button, ...]:
    """The button that makes the filing packet of one's own case."""
    return (Button(PACKET.data(ticket), "btn_packet"),)


def filed_reply(decision: Decision, routing: Routing, ticket: str, language: Language) -> Reply:
    """The last message of a report: ticket, handling offices and how the report reaches them,
    reasons, deadlines, next steps; the filing packet button when a body takes a formal form."""
    packet = (packet_button(ticket),) if any(o.packet for o in decision.offices) else ()
    return Reply(
        html=render_decision(decision, ticket, language, routing),
        buttons=(*packet, *menu_buttons()),
    )
