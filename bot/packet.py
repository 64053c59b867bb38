"""Filing packets in the chat: the reporter's "📄 Official report file" button (after filing and
in the status of their own ticket), the few questions the forms need, the PDFs; and the same
packet, without the reporter's identity, for staff who may see the case."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import citizen
from bot.digests import staff_language
from bot.packet_pdf import render_packet
from bot.render import send_replies
from bot.retry import with_retries
from bot.services import Services, services
from conversations.callbacks import PACKET, PACKET_STAFF
from conversations.caserow import CaseRow
from conversations.messages import Language, catalogue
from conversations.packet import (
    EvidenceLine,
    PacketAnswers,
    PacketSession,
    answer_question,
    packet_bodies,
    packet_document,
    question_reply,
    shipped_packets,
    still_to_ask,
)
from conversations.replies import Reply
from storage import casequeries, packets
from storage import evidence as evidence_store

log = logging.getLogger(__name__)


async def on_packet_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`pk:<ticket>` makes the packet of one's own case; `pq:skip` / `pq:cancel` answer its
    questions; `pf:<case id>:<body>` is a staff member's copy."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None and chat is not None
    svc = services(context)
    code, _, value = (query.data or "").partition(":")
    if code == PACKET_STAFF.code:
        case = await _staff_case(svc, chat.id, value)
        if case is None:
            log.info("staff packet refused: not staff or out of scope")
            await citizen.on_private_update(update, context)  # as for any stale button
            return
    try:
        await query.answer()
    except TelegramError as exc:  # cosmetic: the press still counts
        log.debug("callback answer failed: %s", type(exc).__name__)
    if code == PACKET_STAFF.code:
        await _staff_copy(context, svc, chat.id, value)
        return
    language = await citizen.language_of(update, context)
    if code == PACKET.code:
        await _start(context, svc, chat.id, value, language)
        return
    state = await packets.session_of(svc.db, svc.cipher, svc.chat(chat.id))
    if state is None:
        await send_replies(context.bot, chat.id, [Reply("button_expired")], language)
    elif value == "cancel":
        await packets.cancel(svc.db, svc.chat(chat.id))
        await send_replies(context.bot, chat.id, [Reply("packet_cancelled")], language)
    else:
        case_id, session = state
        await _advance(context, svc, chat.id, case_id, answer_question(session, None), language)


async def on_packet_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """While the packet's questions are open: a typed answer; a command ends the questions."""
    chat = update.effective_chat
    message = update.message
    if chat is None or message is None:
        return
    svc = services(context)
    state = await packets.session_of(svc.db, svc.cipher, svc.chat(chat.id))
    if state is None:
        return
    if message.text is not None and message.text.startswith("/"):
        await packets.cancel(svc.db, svc.chat(chat.id))
        return  # the command is handled as usual
    language = await citizen.language_of(update, context)
    case_id, session = state
    if message.text is None:
        hint = Reply("hint_text_expected")
        await send_replies(context.bot, chat.id, [hint, question_reply(session)], language)
    else:
        await _advance(
            context, svc, chat.id, case_id, answer_question(session, message.text), language
        )
    raise ApplicationHandlerStop


async def _start(
    context: ContextTypes.DEFAULT_TYPE, svc: Services, chat_id: int, ticket: str, language: Language
) -> None:
    case = await casequeries.by_ticket(
        svc.db, ticket, None, svc.jurisdiction.visibility, svc.cipher, identity=True
    )
    if case is None or case.reporter_chat != svc.chat(chat_id).address:
        log.info("filing packet refused: not the reporter's case")
        await send_replies(context.bot, chat_id, [Reply("button_expired")], language)
        return
    forms = shipped_packets()
    bodies = packet_bodies(case, svc.jurisdiction, forms)
    if not bodies:
        await send_replies(
            context.bot, chat_id, [Reply("packet_none", {"ticket": ticket})], language
        )
        return
    answers = await packets.answers_of(svc.db, svc.cipher, case.id)
    pending = still_to_ask(answers, forms.questions(bodies))
    if pending:
        session = PacketSession(ticket=ticket, pending=pending, answers=answers)
        await packets.start(svc.db, svc.cipher, svc.chat(chat_id), case.id, session, svc.now())
        await send_replies(context.bot, chat_id, [question_reply(session)], language)
        return
    await _send(context, svc, chat_id, case, bodies, answers, language, own_copy=True)


async def _advance(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    chat_id: int,
    case_id: int,
    session: PacketSession,
    language: Language,
) -> None:
    if session.pending:
        await packets.start(svc.db, svc.cipher, svc.chat(chat_id), case_id, session, svc.now())
        await send_replies(context.bot, chat_id, [question_reply(session)], language)
        return
    await packets.finish(svc.db, svc.cipher, svc.chat(chat_id), case_id, session.answers)
    case = await casequeries.by_id(svc.db, case_id, svc.cipher, identity=True)
    if case is None:
        return
    bodies = packet_bodies(case, svc.jurisdiction, shipped_packets())
    await _send(context, svc, chat_id, case, bodies, session.answers, language, own_copy=True)


async def _staff_case(svc: Services, user_id: int, value: str) -> CaseRow | None:
    """The case of a staff packet button, if the presser is staff who may see it."""
    member = await svc.staff_member(user_id)
    case_text = value.partition(":")[0]
    if member is None or not case_text.isdigit():
        return None
    if not await casequeries.may_see(svc.db, member, svc.jurisdiction.visibility, int(case_text)):
        return None
    return await casequeries.by_id(svc.db, int(case_text), svc.cipher)


async def _staff_copy(
    context: ContextTypes.DEFAULT_TYPE, svc: Services, chat_id: int, value: str
) -> None:
    """The packet of a case for a staff member who may see it (no reporter identity)."""
    member = await svc.staff_member(chat_id)
    case_text, _, body = value.partition(":")
    case = await casequeries.by_id(svc.db, int(case_text), svc.cipher)
    if member is None or case is None:
        return
    language = await staff_language(svc, member)
    if body not in packet_bodies(case, svc.jurisdiction, shipped_packets()):
        await send_replies(context.bot, chat_id, [Reply("button_expired")], language)
        return
    answers = await packets.answers_of(svc.db, svc.cipher, case.id)
    await _send(context, svc, chat_id, case, [body], answers, language, own_copy=False)


async def _send(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    chat_id: int,
    case: CaseRow,
    bodies: list[str],
    answers: PacketAnswers,
    language: Language,
    *,
    own_copy: bool,
) -> None:
    """Render one PDF per body and send them as documents."""
    await send_replies(context.bot, chat_id, [Reply("packet_making")], language)
    texts = catalogue()
    for body in bodies:
        try:
            data, office = await packet_pdf(svc, case, body, answers, language, own_copy=own_copy)
        except (OSError, RuntimeError, ValueError) as exc:
            log.warning("filing packet failed: %s", type(exc).__name__)
            await send_replies(context.bot, chat_id, [Reply("packet_failed")], language)
            return
        name = svc.jurisdiction.rules.bodies[body].name.get(language)
        caption = texts.render(
            "packet_caption" if own_copy else "packet_staff_caption",
            language,
            body=name,
            office=office,
            ticket=case.ticket,
        )
        filename = f"{case.ticket}-{body}.pdf"

        async def send(
            data: bytes = data, caption: str = caption, filename: str = filename
        ) -> Message:
            return await context.bot.send_document(
                chat_id, data, filename=filename, caption=caption, parse_mode=ParseMode.HTML
            )

        await with_retries(send, "sending a filing packet")
    log.info(
        "filing packet sent: ticket %s, %s forms, own copy %s", case.ticket, len(bodies), own_copy
    )


async def packet_pdf(
    svc: Services,
    case: CaseRow,
    body: str,
    answers: PacketAnswers,
    language: Language,
    *,
    own_copy: bool,
) -> tuple[bytes, str]:
    """One body's filled-in form as a PDF, and the office it is addressed to (the reporter's
    identity only in their `own_copy`; the chat and the web console both use this)."""
    evidence = [
        EvidenceLine(
            kind=item.kind,
            received=svc.local_date(item.received_at) if item.received_at else None,
            sha256_stored=item.sha256_stored,
            sha256_received=item.sha256_received,
            url=item.url,
        )
        for item in await evidence_store.of_case(svc.db, case.id, svc.cipher)
    ]
    document = packet_document(
        case, body, svc.jurisdiction, shipped_packets(), answers=answers, evidence=evidence,
        language=language, own_copy=own_copy, made_on=svc.today(),
    )  # fmt: skip
    return await asyncio.to_thread(render_packet, document), document.office
