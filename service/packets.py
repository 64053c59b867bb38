"""Filing packets: the reporter's own (the few questions the forms need, asked in the chat, then
one PDF per body) and a staff member's copy without the reporter's identity; the PDF itself,
for the chat and the web console alike."""

from __future__ import annotations

import asyncio
import logging

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
from service.chat import ChatPort
from service.digests import staff_language
from service.packet_pdf import render_packet
from service.services import Services
from storage import casequeries, packets
from storage import evidence as evidence_store

log = logging.getLogger(__name__)


async def start(svc: Services, chat: ChatPort, ticket: str, language: Language) -> None:
    """The reporter asked for the packet of their own ticket: ask what the forms still need,
    or send it."""
    case = await casequeries.by_ticket(
        svc.db, ticket, None, svc.jurisdiction.visibility, svc.cipher, identity=True
    )
    if case is None or case.reporter_chat != svc.chat_at(chat.address).address:
        log.info("filing packet refused: not the reporter's case")
        await chat.send([Reply("button_expired")], language)
        return
    forms = shipped_packets()
    bodies = packet_bodies(case, svc.jurisdiction, forms)
    if not bodies:
        await chat.send([Reply("packet_none", {"ticket": ticket})], language)
        return
    answers = await packets.answers_of(svc.db, svc.cipher, case.id)
    pending = still_to_ask(answers, forms.questions(bodies))
    if pending:
        session = PacketSession(ticket=ticket, pending=pending, answers=answers)
        await packets.start(
            svc.db, svc.cipher, svc.chat_at(chat.address), case.id, session, svc.now()
        )
        await chat.send([question_reply(session)], language)
        return
    await _send(svc, chat, case, bodies, answers, language, own_copy=True)


async def is_asking(svc: Services, address: str) -> bool:
    """Whether the packet's questions are open in this chat."""
    return await packets.session_of(svc.db, svc.cipher, svc.chat_at(address)) is not None


async def cancel(svc: Services, address: str) -> None:
    """End the packet's questions (a command was sent meanwhile)."""
    await packets.cancel(svc.db, svc.chat_at(address))


async def answer(
    svc: Services, chat: ChatPort, text: str | None, language: Language, *, cancel: bool = False
) -> None:
    """An answer to the open question (`text`; None skips it), or `cancel` to stop asking."""
    state = await packets.session_of(svc.db, svc.cipher, svc.chat_at(chat.address))
    if state is None:
        await chat.send([Reply("button_expired")], language)
        return
    if cancel:
        await packets.cancel(svc.db, svc.chat_at(chat.address))
        await chat.send([Reply("packet_cancelled")], language)
        return
    case_id, session = state
    await _advance(svc, chat, case_id, answer_question(session, text), language)


async def not_text(svc: Services, chat: ChatPort, language: Language) -> None:
    """Something other than text came while a question is open: say so, ask it again."""
    state = await packets.session_of(svc.db, svc.cipher, svc.chat_at(chat.address))
    if state is not None:
        await chat.send([Reply("hint_text_expected"), question_reply(state[1])], language)


async def _advance(
    svc: Services, chat: ChatPort, case_id: int, session: PacketSession, language: Language
) -> None:
    ref = svc.chat_at(chat.address)
    if session.pending:
        await packets.start(svc.db, svc.cipher, ref, case_id, session, svc.now())
        await chat.send([question_reply(session)], language)
        return
    await packets.finish(svc.db, svc.cipher, ref, case_id, session.answers)
    case = await casequeries.by_id(svc.db, case_id, svc.cipher, identity=True)
    if case is None:
        return
    bodies = packet_bodies(case, svc.jurisdiction, shipped_packets())
    await _send(svc, chat, case, bodies, session.answers, language, own_copy=True)


async def staff_case(svc: Services, user_id: int, value: str) -> CaseRow | None:
    """The case of a staff packet button (`<case id>:<body>`), if the presser is staff who may
    see it."""
    member = await svc.staff_member(user_id)
    case_text = value.partition(":")[0]
    if member is None or not case_text.isdigit():
        return None
    if not await casequeries.may_see(svc.db, member, svc.jurisdiction.visibility, int(case_text)):
        return None
    return await casequeries.by_id(svc.db, int(case_text), svc.cipher)


async def staff_copy(svc: Services, chat: ChatPort, user_id: int, value: str) -> None:
    """The packet of a case for a staff member who may see it (no reporter identity)."""
    case = await staff_case(svc, user_id, value)
    member = await svc.staff_member(user_id)
    if member is None or case is None:
        return
    body = value.partition(":")[2]
    language = await staff_language(svc, member)
    if body not in packet_bodies(case, svc.jurisdiction, shipped_packets()):
        await chat.send([Reply("button_expired")], language)
        return
    answers = await packets.answers_of(svc.db, svc.cipher, case.id)
    await _send(svc, chat, case, [body], answers, language, own_copy=False)


async def _send(
    svc: Services,
    chat: ChatPort,
    case: CaseRow,
    bodies: list[str],
    answers: PacketAnswers,
    language: Language,
    *,
    own_copy: bool,
) -> None:
    """Render one PDF per body and send them as documents."""
    await chat.send([Reply("packet_making")], language)
    texts = catalogue()
    for body in bodies:
        try:
            data, office = await packet_pdf(svc, case, body, answers, language, own_copy=own_copy)
        except (OSError, RuntimeError, ValueError) as exc:
            log.warning("filing packet failed: %s", type(exc).__name__)
            await chat.send([Reply("packet_failed")], language)
            return
        name = svc.jurisdiction.rules.bodies[body].name.get(language)
        caption = texts.render(
            "packet_caption" if own_copy else "packet_staff_caption",
            language,
            body=name,
            office=office,
            ticket=case.ticket,
        )
        await chat.send_document(data, f"{case.ticket}-{body}.pdf", caption)
    log.info(
        "filing packet sent: ticket %s, %s forms, own copy %s", case.ticket, len(bodies), own_copy
    )


async def staff_pdf(svc: Services, case: CaseRow, body: str, language: Language) -> bytes:
    """A body's filled-in form of a case a staff member sees, without the reporter's identity."""
    answers = await packets.answers_of(svc.db, svc.cipher, case.id)
    data, _ = await packet_pdf(svc, case, body, answers, language, own_copy=False)
    return data


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
    identity only in their `own_copy`)."""
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
