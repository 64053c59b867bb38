"""Citizen-side callbacks: Telegram updates in, core events through the flow, actions out."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import secrets
import time

from telegram import MaybeInaccessibleMessage, Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.digests import alert_in_scope
from bot.evidence import EvidenceRefusedError, fetch_evidence, remove_files
from bot.outbox import kick
from bot.render import clear_buttons, edit_in_place, send_replies
from bot.services import Services, services
from conversations.callbacks import ERASE
from conversations.draft import Draft, EvidenceKind
from conversations.events import (
    Attachment,
    Command,
    Contact,
    Event,
    EvidenceFailed,
    EvidenceStored,
    Location,
    Press,
    Text,
    Unsupported,
)
from conversations.flow import (
    Action,
    AskErase,
    Erase,
    FileReport,
    ListTickets,
    LookupStatus,
    ResendFiled,
    filed_reply,
    handle,
)
from conversations.menu import action_of
from conversations.messages import Language, Safe, catalogue, language_from_code
from conversations.questions import DropEvidence, FetchEvidence
from conversations.replies import Button, Reply
from conversations.status import StatusView, status_reply, tickets_reply
from conversations.tickets import make_ticket, ticket_value
from storage import casequeries, cases, chats, drafts, lifecycle
from storage import evidence as evidence_store
from storage import staff as staff_store
from storage.crypto import ChatRef
from storage.ratelimit import allow

log = logging.getLogger(__name__)

STATUS_WINDOW_HOURS = 1


def _attachment(message: Message) -> Attachment | None:
    if message.photo:
        largest = message.photo[-1]
        return Attachment(
            "photo",
            largest.file_id,
            largest.file_unique_id,
            largest.file_size or 0,
            "foto.jpg",
            "image/jpeg",
        )
    if message.document is not None:
        doc = message.document
        name = doc.file_name or "dokumen"
        return Attachment(
            "document", doc.file_id, doc.file_unique_id, doc.file_size or 0, name, doc.mime_type
        )
    kind: EvidenceKind  # the loop below names the evidence kind of each media field
    for kind, media in (
        ("video", message.video),
        ("voice", message.voice),
        ("audio", message.audio),
    ):
        if media is not None:
            name = getattr(media, "file_name", None) or kind
            return Attachment(
                kind,
                media.file_id,
                media.file_unique_id,
                media.file_size or 0,
                name,
                media.mime_type,
            )
    if message.video_note is not None:
        note = message.video_note
        return Attachment(
            "video",
            note.file_id,
            note.file_unique_id,
            note.file_size or 0,
            "video_note.mp4",
            "video/mp4",
        )
    return None


def event_of(update: Update) -> Event:
    """The core event an update in a private chat stands for."""
    query = update.callback_query
    if query is not None:
        data = query.data or ""
        return Press(data, _label_of(query.message, data))
    message = update.message
    if message is None:
        return Unsupported("edited" if update.edited_message else "other")
    if message.text is not None:
        text = message.text
        if text.startswith("/"):
            head, _, argument = text.partition(" ")
            return Command(head[1:].split("@", 1)[0].lower(), argument.strip())
        return Text(text)
    if message.location is not None:
        return Location(message.location.latitude, message.location.longitude)
    if message.contact is not None:
        return Contact(message.contact.phone_number, message.contact.user_id)
    attachment = _attachment(message)
    if attachment is not None:
        return attachment
    return Unsupported("sticker" if message.sticker else "other")


def _label_of(message: MaybeInaccessibleMessage | None, data: str) -> str | None:
    """The label of the pressed button, as the reporter saw it on the message."""
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()):
        for button in row:
            if button.callback_data == data:
                return str(button.text)
    return None


async def language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Language:
    """The chat's chosen language; on first contact, the one Telegram reports (then stored)."""
    chat = update.effective_chat
    assert chat is not None
    svc = services(context)
    chosen = await chats.get_language(svc.db, svc.chat(chat.id))
    return chosen or await first_language(update, context)


async def first_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Language:
    """A new chat's language: the one Telegram reports for the user (stored)."""
    chat = update.effective_chat
    assert chat is not None
    svc = services(context)
    user = update.effective_user
    code = user.language_code if user is not None else None
    language = language_from_code(code) if code else svc.settings.default_language
    await chats.set_language(svc.db, svc.cipher, svc.chat(chat.id), language, svc.now())
    return language


async def on_private_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Handle anything a person sends in a private chat."""
    chat = update.effective_chat
    assert chat is not None
    svc = services(context)
    # A press is acknowledged while the chat's language and draft are read.
    query = update.callback_query
    acknowledging = asyncio.create_task(_acknowledge(update)) if query is not None else None
    try:
        chosen, draft = await drafts.load_with_language(svc.db, svc.cipher, svc.chat(chat.id))
        language = chosen or await first_language(update, context)
    finally:
        if acknowledging is not None:
            await acknowledging
    user = update.effective_user
    await run_event(
        context,
        chat.id,
        user.id if user else 0,
        user.first_name if user else "",
        draft,
        event_of(update),
        language,
        query.message if query is not None else None,
    )


async def run_event(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    user_id: int,
    first_name: str,
    draft: Draft | None,
    event: Event,
    language: Language,
    pressed: MaybeInaccessibleMessage | None = None,
) -> None:
    """Pass one event through the flow, save the draft first, then carry out the actions
    (`pressed`: the message whose button was pressed, edited into the answer or cleared)."""
    svc = services(context)
    chat = svc.chat(chat_id)
    if draft is None and action_of(event) == "report":
        refusal = None
        if await _too_many_reports(svc, chat):
            refusal = Reply("reports_limited", {"limit": svc.settings.reports_per_day})
        elif not await _room_for_a_draft(svc):
            refusal = Reply("reports_busy")
        if refusal is not None:
            await _clear_pressed(context, pressed)
            await send_replies(context.bot, chat_id, [refusal], language)
            return
    outcome = handle(
        draft,
        event,
        svc.context(language, user_id),
        new_draft_id=secrets.token_hex(8),
        first_name=first_name,
        ticket_prefix=svc.settings.ticket_prefix,
    )
    if outcome.discarded:
        remove_files(await evidence_store.drop_for_draft(svc.db, outcome.discarded))
    if outcome.draft is not None:
        await drafts.save(svc.db, svc.cipher, chat, outcome.draft, svc.now())
    elif not any(isinstance(a, FileReport) for a in outcome.actions):
        await drafts.delete(svc.db, chat)
    if outcome.language != language:
        await chats.set_language(svc.db, svc.cipher, chat, outcome.language, svc.now())
    actions = outcome.actions
    if pressed is not None:
        actions = await _answer_pressed(context, pressed, actions, outcome.language)
    for action in actions:
        await _perform(
            context, svc, chat_id, user_id, first_name, outcome.draft, action, outcome.language
        )


async def _answer_pressed(
    context: ContextTypes.DEFAULT_TYPE,
    pressed: MaybeInaccessibleMessage,
    actions: tuple[Action, ...],
    language: Language,
) -> tuple[Action, ...]:
    """Edit the pressed message into the first reply when the core shows it in place (the
    actions left to perform), else take the pressed message's buttons off first, so the chat
    keeps no buttons of an answered question and still reads in order."""
    first = actions[0] if actions else None
    if (
        isinstance(first, Reply)
        and first.in_place
        and isinstance(pressed, Message)
        and await edit_in_place(context.bot, pressed, first, language)
    ):
        return actions[1:]
    await _clear_pressed(context, pressed)
    return actions


async def _clear_pressed(
    context: ContextTypes.DEFAULT_TYPE, pressed: MaybeInaccessibleMessage | None
) -> None:
    """Take the buttons off a pressed message (cosmetic: a failure changes nothing else)."""
    if isinstance(pressed, Message) and pressed.reply_markup:
        try:
            await clear_buttons(context.bot, pressed)
        except TelegramError as exc:
            log.debug("removing the buttons failed: %s", type(exc).__name__)


async def _room_for_a_draft(svc: Services) -> bool:
    """Whether the bot can take one more report in progress now (a crowd of new chats, or a
    script, must not fill the database: it is asked to come back in a few minutes)."""
    if await drafts.count(svc.db) >= svc.settings.max_drafts:
        log.warning("new report refused: %s reports in progress", svc.settings.max_drafts)
        return False
    if not svc.draft_budget.allow(time.monotonic()):
        log.warning("new report refused: more than %s a minute", svc.draft_budget.per_minute)
        return False
    return True


async def _too_many_reports(svc: Services, chat: ChatRef) -> bool:
    """Whether the chat filed REPORTS_PER_DAY reports in the last 24 hours."""
    since = svc.now() - dt.timedelta(hours=24)
    recent = await cases.filed_since(svc.db, chat, since)
    if recent >= svc.settings.reports_per_day:
        log.info("new report refused: daily limit")
        return True
    return False


async def _perform(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    chat_id: int,
    user_id: int,
    first_name: str,
    draft: Draft | None,
    action: Action,
    language: Language,
) -> None:
    if isinstance(action, Reply):
        await send_replies(context.bot, chat_id, [action], language)
    elif isinstance(action, FetchEvidence):
        assert draft is not None
        result: Event
        try:
            folder = svc.settings.evidence_path / draft.draft_id
            record, item = await fetch_evidence(
                context.bot, action.attachment, folder,
                max_bytes=action.max_bytes, decoder=svc.image_decoder,
                cipher=svc.cipher,
            )  # fmt: skip
            await evidence_store.add(svc.db, draft.draft_id, record, svc.now(), svc.cipher)
            result = EvidenceStored(item)
        except EvidenceRefusedError as refused:
            log.info("evidence refused: %s", refused.reason)
            result = EvidenceFailed(refused.reason, refused.size)
        except (TelegramError, OSError) as exc:
            log.warning("evidence download failed: %s", type(exc).__name__)
            result = EvidenceFailed()
        await run_event(context, chat_id, user_id, first_name, draft, result, language)
    elif isinstance(action, DropEvidence):
        remove_files(await evidence_store.drop_file(svc.db, action.draft_id, action.file_unique_id))
    elif isinstance(action, FileReport):
        await _file(context, svc, chat_id, action.draft, language)
    elif isinstance(action, ResendFiled):
        filed = await cases.find_by_draft(svc.db, action.draft_id)
        if filed is None:
            await send_replies(context.bot, chat_id, [Reply("hint_stale_button")], language)
        else:
            await send_replies(
                context.bot,
                chat_id,
                [
                    Reply("already_filed"),
                    filed_reply(filed.decision, filed.routing, filed.ticket, language),
                ],
                language,
            )
    elif isinstance(action, LookupStatus):
        await _status(context, svc, chat_id, action.ticket, language)
    elif isinstance(action, AskErase | Erase):
        await _erase(context, svc, chat_id, language, confirmed=isinstance(action, Erase))
    elif isinstance(action, ListTickets):
        mine = await cases.tickets_of_chat(svc.db, svc.chat(chat_id))
        await send_replies(context.bot, chat_id, [tickets_reply(mine, language)], language)


async def _file(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    chat_id: int,
    draft: Draft,
    language: Language,
) -> None:
    """File the draft (once) and show the decision."""
    decision = svc.jurisdiction.decide(draft.facts(svc.today()))
    prefix = svc.settings.ticket_prefix
    assert draft.province_code is not None
    province, regency = draft.province_code, draft.regency_code
    attempts = itertools.count()
    filed = await cases.file_case(
        svc.db,
        draft=draft,
        chat=svc.chat(chat_id),
        language=language,
        decision=decision,
        covered=lambda: staff_store.agencies_covering(svc.db, province, regency),
        cipher=svc.cipher,
        now=svc.now(),
        new_ticket=lambda: make_ticket(prefix, ticket_value(draft.draft_id, next(attempts))),
        on_filed=(lambda case_id: _alert_urgent(svc, case_id)) if decision.urgent else None,
    )
    if filed.created and decision.urgent:
        kick(context.application)
    if filed.created:
        log.info(
            "case filed: ticket %s, case %s, bodies %s, reached %s",
            filed.ticket,
            filed.case_id,
            ",".join(decision.bodies) or "none",
            ",".join(o.agency for o in filed.routing.reached) or "none",
        )
    replies = [filed_reply(filed.decision, filed.routing, filed.ticket, language)]
    if not filed.created:
        replies.insert(0, Reply("already_filed"))
    await send_replies(context.bot, chat_id, replies, language)


async def _erase(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    chat_id: int,
    language: Language,
    *,
    confirmed: bool,
) -> None:
    """/hapus: show what would be deleted and ask, or delete."""
    texts = catalogue()
    if confirmed:
        deleted, files = await lifecycle.delete_reporter_data(svc.db, svc.chat(chat_id))
        remove_files(files)
        await svc.db.forget_deleted()
        log.info("a reporter deleted their data: %s reports", len(deleted))
        await send_replies(
            context.bot, chat_id, [Reply("erased", {"count": len(deleted)})], language
        )
        return
    can, cannot = await lifecycle.deletable_cases(svc.db, svc.chat(chat_id))
    kept = texts.render("erase_kept", language, tickets=", ".join(cannot)) if cannot else ""
    has_draft = await drafts.load(svc.db, svc.cipher, svc.chat(chat_id)) is not None
    if not can and not has_draft:
        await send_replies(
            context.bot, chat_id, [Reply("erase_nothing", {"kept": Safe(kept)})], language
        )
        return
    listed = ", ".join(can) or texts.raw("none_word", language)
    buttons = (
        (
            Button(ERASE.data("yes"), "btn_erase_yes"),
            Button(ERASE.data("no"), "btn_erase_no"),
        ),
    )
    reply = Reply("erase_confirm", {"tickets": listed, "kept": Safe(kept)}, buttons)
    await send_replies(context.bot, chat_id, [reply], language)


async def _alert_urgent(svc: Services, case_id: int) -> None:
    """Urgent categories alert in-scope staff at once (queued with the filing itself)."""
    case = await casequeries.by_id(svc.db, case_id, svc.cipher)
    if case is not None:
        await alert_in_scope(svc.db, svc, case, "urgent_alert", urgent_badge=False)


async def _status(
    context: ContextTypes.DEFAULT_TYPE, svc: Services, chat_id: int, ticket: str, language: Language
) -> None:
    """Show a ticket's status, within the per-chat lookup limit."""
    chat = svc.chat(chat_id)
    allowed = await allow(
        svc.db,
        chat,
        "status",
        limit=svc.settings.status_lookups_per_hour,
        window=dt.timedelta(hours=STATUS_WINDOW_HOURS),
        now=svc.now(),
    )
    if not allowed:
        log.info("status lookup refused: rate limit")
        await send_replies(context.bot, chat_id, [Reply("status_limited")], language)
        return
    found = await cases.status_of(svc.db, ticket, svc.cipher, chat)
    if found is None:
        await send_replies(
            context.bot, chat_id, [Reply("status_not_found", {"ticket": ticket})], language
        )
        return
    view = StatusView(
        ticket=found.ticket,
        status=found.status,
        since=svc.local_date(found.status_changed_at),
        offices=[
            svc.jurisdiction.office(agency, name)
            for agency, name, _ in sorted(found.offices, key=lambda o: svc.jurisdiction.rank(o[0]))
        ],
        notes=[(svc.local_date(at), note) for at, note in found.public_notes],
        own=found.own,
        reached=frozenset(agency for agency, _, reached in found.offices if reached),
    )
    await send_replies(context.bot, chat_id, [status_reply(view, language)], language)


async def flood_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler for private chats; stops the flood."""
    chat = update.effective_chat
    if chat is None or chat.type != "private":
        return
    svc = services(context)
    allowed, warn = svc.flood.allow(chat.id, time.monotonic())
    if allowed:
        return
    if warn:
        log.info("a chat is flooding the bot; its messages are ignored for a minute")
        user = update.effective_user
        language = language_from_code(user.language_code if user else None)
        await context.bot.send_message(chat.id, catalogue().render("flood_slow_down", language))
    raise ApplicationHandlerStop


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask people who write in a group to message the bot privately."""
    message = update.effective_message
    if message is None:
        return
    user = update.effective_user
    language = language_from_code(user.language_code if user else None)
    await message.reply_text(Reply("group_only_private").text(language))


async def _acknowledge(update: Update) -> None:
    """Answer the button press (its message is edited or cleared with the answer)."""
    query = update.callback_query
    assert query is not None
    # Cosmetic: when it fails (too old, network), the press still counts.
    try:
        await query.answer()
    except TelegramError as exc:
        log.debug("callback answer failed: %s", type(exc).__name__)
