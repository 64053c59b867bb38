"""A reporter adds text or evidence to a filed case ("Tambah informasi"); staff are alerted."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import citizen
from bot.digests import alert_in_scope
from bot.evidence import EvidenceRefusedError, fetch_evidence
from bot.outbox import kick
from bot.render import send_replies
from bot.services import services
from conversations.callbacks import ADD_INFO_DONE
from conversations.events import Attachment, Text
from conversations.messages import Language, Safe
from conversations.questions import REFUSAL_HINTS, human_size
from conversations.replies import Button, Reply
from storage import casequeries, cases, sessions
from storage import evidence as evidence_store
from storage.database import transaction

log = logging.getLogger(__name__)


async def _reply(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    key: str,
    language: Language,
    buttons: bool = False,
    **args: object,
) -> None:
    """Send a catalogue message (with a "done" button while adding) through the shared sender."""
    done = ((Button(ADD_INFO_DONE.data("done"), "btn_evidence_done"),),) if buttons else ()
    await send_replies(context.bot, chat_id, [Reply(key, dict(args), done)], language)


async def on_add_info_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`ai:<ticket>` starts adding to one's own open case; `ad:done` ends it."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    svc = services(context)
    language = await citizen.language_of(update, context)
    await query.answer()
    code, _, ticket = (query.data or "").partition(":")
    if code == ADD_INFO_DONE.code:
        await sessions.end_addition(svc.db, svc.chat(chat.id))
        await _reply(context, chat.id, "add_info_done", language)
        return
    case = await cases.own_case(svc.db, ticket, svc.chat(chat.id))
    if case is None:
        log.info("add-information refused: not the reporter's case")
        await _reply(context, chat.id, "hint_stale_button", language)
        return
    if case.status in svc.casework.final:
        await _reply(context, chat.id, "add_info_closed", language)
        return
    await sessions.start_addition(svc.db, svc.chat(chat.id), case.id, svc.now())
    await _reply(context, chat.id, "add_info_prompt", language, buttons=True, ticket=ticket)


async def on_reporter_addition(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """While adding to a case: text and files become case events; commands end the session."""
    chat = update.effective_chat
    message = update.message
    if chat is None or message is None:
        return
    svc = services(context)
    case_id = await sessions.addition_case(svc.db, svc.chat(chat.id))
    if case_id is None:
        return
    event = citizen.event_of(update)
    if message.text is not None and message.text.startswith("/"):
        await sessions.end_addition(svc.db, svc.chat(chat.id))
        return  # the command is handled as usual
    case = await casequeries.by_id(svc.db, case_id, svc.cipher)
    language = await citizen.language_of(update, context)
    if case is None:
        return
    if case.status in svc.casework.final:  # closed since the reporter pressed "Tambah informasi"
        await sessions.end_addition(svc.db, svc.chat(chat.id))
        await _reply(context, chat.id, "add_info_closed", language)
        raise ApplicationHandlerStop
    additions, stored_bytes = await evidence_store.additions_of(svc.db, case_id)
    if additions >= svc.settings.max_additions_per_case:
        await sessions.end_addition(svc.db, svc.chat(chat.id))
        limit = svc.settings.max_additions_per_case
        await _reply(context, chat.id, "add_info_limit", language, limit=limit)
        raise ApplicationHandlerStop
    if isinstance(event, Text):
        note = event.text[:3000]
        async with transaction(svc.db):
            await casequeries.add_event(
                svc.db,
                case_id,
                svc.now(),
                actor_kind="reporter",
                actor_id=None,
                action="reporter_info",
                note=note,
                cipher=svc.cipher,
            )
            await alert_in_scope(
                svc.db,
                svc,
                case,
                "staff_added_info",
                extra={"ticket": case.ticket, "text": note[:500]},
            )
    elif isinstance(event, Attachment):
        per_file = svc.limits().max_evidence_bytes
        room = svc.settings.max_case_evidence_mb * 1024 * 1024 - stored_bytes
        try:
            record, item = await fetch_evidence(
                context.bot, event, svc.settings.evidence_path / f"case-{case_id}",
                max_bytes=max(0, min(per_file, room)), decoder=svc.image_decoder,
                cipher=svc.cipher,
            )  # fmt: skip
        except EvidenceRefusedError as refused:
            key = REFUSAL_HINTS.get(refused.reason)
            max_mb = min(per_file, max(room, 0)) // (1024 * 1024)
            if key is None:
                await _reply(
                    context, chat.id, "evidence_too_big", language,
                    size=human_size(refused.size), max_mb=max_mb,
                )  # fmt: skip
            else:
                await _reply(context, chat.id, key, language)
            raise ApplicationHandlerStop from None
        except (TelegramError, OSError):
            await _reply(context, chat.id, "evidence_failed", language)
            raise ApplicationHandlerStop from None
        async with transaction(svc.db):
            await evidence_store.add_to_case(svc.db, case_id, record, svc.now(), svc.cipher)
            await casequeries.add_event(
                svc.db,
                case_id,
                svc.now(),
                actor_kind="reporter",
                actor_id=None,
                action="reporter_evidence",
                note=item.label,
                cipher=svc.cipher,
            )
            await alert_in_scope(
                svc.db,
                svc,
                case,
                "staff_added_info",
                extra={"ticket": case.ticket, "text": f"📎 {item.label}"},
            )
    else:
        raise ApplicationHandlerStop
    kick(context.application)
    await _reply(
        context, chat.id, "add_info_saved", language, buttons=True, ticket=Safe(case.ticket)
    )
    raise ApplicationHandlerStop
