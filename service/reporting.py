"""The report conversation's effects, for every messaging channel: an event goes through the
pure flow (conversations.flow), the draft is saved first, then its actions are carried out —
replies through the chat's port, evidence stored, the report filed, status, tickets and erasure
— and a new report is refused when the chat or the bot has too many."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import secrets
import time

from conversations.callbacks import ERASE
from conversations.context import Channel
from conversations.draft import Draft
from conversations.events import Event, EvidenceFailed, EvidenceStored
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
    prompt,
)
from conversations.menu import action_of
from conversations.messages import Language, Safe, catalogue, language_from_code
from conversations.questions import DropEvidence, FetchEvidence
from conversations.replies import Button, Reply
from conversations.status import StatusView, status_reply, tickets_reply
from conversations.tickets import make_ticket, ticket_value
from service.chat import WHATSAPP, ChannelError, ChatPort
from service.digests import alert_in_scope
from service.evidence import EvidenceRefusedError, remove_files, store_evidence
from service.services import Services
from storage import casequeries, cases, chats, drafts, lifecycle, seen, sessions
from storage import evidence as evidence_store
from storage import staff as staff_store
from storage.crypto import ChatRef
from storage.database import transaction
from storage.ratelimit import allow

log = logging.getLogger(__name__)

STATUS_WINDOW_HOURS = 1


async def chosen_language(svc: Services, address: str) -> Language | None:
    """The language the chat chose with /bahasa (or was first given), if any."""
    return await chats.get_language(svc.db, svc.chat_at(address))


async def chat_language(svc: Services, address: str, reported: str | None) -> Language:
    """The chat's chosen language; on first contact the one the channel reports for the person
    (`reported`, a language code), then stored."""
    chosen = await chats.get_language(svc.db, svc.chat_at(address))
    return chosen or await _first_language(svc, address, reported)


async def _first_language(svc: Services, address: str, reported: str | None) -> Language:
    language = language_from_code(reported) if reported else svc.settings.default_language
    await chats.set_language(svc.db, svc.cipher, svc.chat_at(address), language, svc.now())
    return language


async def open_report(
    svc: Services, address: str, reported: str | None
) -> tuple[Language, Draft | None]:
    """The chat's language and its report in progress, read together (one round trip)."""
    chosen, draft = await drafts.load_with_language(svc.db, svc.cipher, svc.chat_at(address))
    return chosen or await _first_language(svc, address, reported), draft


async def heard(svc: Services, address: str, language: Language) -> None:
    """The chat wrote to us now (WhatsApp's 24-hour window opens again)."""
    await chats.heard(svc.db, svc.cipher, svc.chat_at(address), language, svc.now())


async def last_heard(svc: Services, address: str) -> dt.datetime | None:
    """When the chat last wrote to us (recorded for the channels that need it)."""
    return await chats.heard_at(svc.db, svc.chat_at(address))


async def first_delivery(svc: Services, message_id: str) -> bool:
    """Whether a webhook channel's message (its channel-qualified id) is new: a repeated
    delivery of a handled one is not (kept as a keyed hash: WhatsApp's ids carry the number)."""
    return not await seen.was_handled(svc.db, svc.cipher.chat_hash(message_id))


async def handled(svc: Services, message_id: str) -> None:
    """A webhook channel's message was handled: a repeated delivery is skipped from now on."""
    await seen.mark_handled(svc.db, svc.cipher.chat_hash(message_id), svc.now())


def current_question(
    svc: Services, address: str, draft: Draft | None, language: Language, user_id: int
) -> Reply | None:
    """The question the report in progress is at, asked again (None without one)."""
    context = svc.context(language, user_id, channel_of(address))
    return prompt(draft, context) if draft is not None else None


def channel_of(address: str) -> Channel:
    """The channel of a chat address, as the core names it."""
    return "whatsapp" if address.startswith(f"{WHATSAPP}:") else "telegram"


async def open_sessions(svc: Services, address: str, staff_id: int | None) -> set[str]:
    """Which sessions the chat has open ("staff": a note awaited from the staff member with
    this id, "packet", "addition"): one lookup."""
    return await sessions.open_kinds(svc.db, staff_id, svc.chat_at(address))


async def run_event(
    svc: Services,
    chat: ChatPort,
    user_id: int,
    first_name: str,
    draft: Draft | None,
    event: Event,
    language: Language,
) -> None:
    """Pass one event through the flow, save the draft first, then carry out the actions (a
    pressed button is settled with the first reply)."""
    ref = svc.chat_at(chat.address)
    if draft is None and action_of(event) == "report":
        refusal = await _refusal(svc, ref)
        if refusal is not None:
            await chat.settle_press(None, language)
            await chat.send([refusal], language)
            return
    outcome = handle(
        draft,
        event,
        svc.context(language, user_id, channel_of(chat.address)),
        new_draft_id=secrets.token_hex(8),
        first_name=first_name,
        ticket_prefix=svc.settings.ticket_prefix,
    )
    if outcome.discarded:
        remove_files(await evidence_store.drop_for_draft(svc.db, outcome.discarded))
    if outcome.draft is not None:
        await drafts.save(svc.db, svc.cipher, ref, outcome.draft, svc.now())
    elif not any(isinstance(a, FileReport) for a in outcome.actions):
        await drafts.delete(svc.db, ref)
    if outcome.language != language:
        await chats.set_language(svc.db, svc.cipher, ref, outcome.language, svc.now())
    actions = outcome.actions
    first = actions[0] if actions and isinstance(actions[0], Reply) else None
    if await chat.settle_press(first, outcome.language):
        actions = actions[1:]
    for action in actions:
        await _perform(svc, chat, user_id, first_name, outcome.draft, action, outcome.language)


async def _refusal(svc: Services, chat: ChatRef) -> Reply | None:
    """Why a new report cannot start now, or None."""
    since = svc.now() - dt.timedelta(hours=24)
    if await cases.filed_since(svc.db, chat, since) >= svc.settings.reports_per_day:
        log.info("new report refused: daily limit")
        return Reply("reports_limited", {"limit": svc.settings.reports_per_day})
    # a crowd of new chats, or a script, must not fill the database: come back in a few minutes
    if await drafts.count(svc.db) >= svc.settings.max_drafts:
        log.warning("new report refused: %s reports in progress", svc.settings.max_drafts)
        return Reply("reports_busy")
    if not svc.draft_budget.allow(time.monotonic()):
        log.warning("new report refused: more than %s a minute", svc.draft_budget.per_minute)
        return Reply("reports_busy")
    return None


async def _perform(
    svc: Services,
    chat: ChatPort,
    user_id: int,
    first_name: str,
    draft: Draft | None,
    action: Action,
    language: Language,
) -> None:
    if isinstance(action, Reply):
        await chat.send([action], language)
    elif isinstance(action, FetchEvidence):
        assert draft is not None
        result = await _fetch(svc, chat, draft, action)
        await run_event(svc, chat, user_id, first_name, draft, result, language)
    elif isinstance(action, DropEvidence):
        remove_files(await evidence_store.drop_file(svc.db, action.draft_id, action.file_unique_id))
    elif isinstance(action, FileReport):
        await _file(svc, chat, action.draft, language)
    elif isinstance(action, ResendFiled):
        filed = await cases.find_by_draft(svc.db, action.draft_id)
        if filed is None:
            await chat.send([Reply("hint_stale_button")], language)
        else:
            again = filed_reply(filed.decision, filed.routing, filed.ticket, language)
            await chat.send([Reply("already_filed"), again], language)
    elif isinstance(action, LookupStatus):
        await chat.send([await _status(svc, chat.address, action.ticket, language)], language)
    elif isinstance(action, AskErase | Erase):
        reply = await _erase(svc, chat.address, language, confirmed=isinstance(action, Erase))
        await chat.send([reply], language)
    elif isinstance(action, ListTickets):
        mine = await cases.tickets_of_chat(svc.db, svc.chat_at(chat.address))
        await chat.send([tickets_reply(mine, language)], language)


async def _fetch(svc: Services, chat: ChatPort, draft: Draft, action: FetchEvidence) -> Event:
    """Download, clean and store one attachment of the draft: what the flow is told next."""
    try:
        data = await chat.download(action.attachment, action.max_bytes)
        record, item = await store_evidence(
            data, action.attachment, svc.settings.evidence_path / draft.draft_id,
            decoder=svc.image_decoder, cipher=svc.cipher,
        )  # fmt: skip
        await evidence_store.add(svc.db, draft.draft_id, record, svc.now(), svc.cipher)
    except EvidenceRefusedError as refused:
        log.info("evidence refused: %s", refused.reason)
        return EvidenceFailed(refused.reason, refused.size)
    except (ChannelError, OSError) as exc:
        log.warning("evidence download failed: %s", type(exc).__name__)
        return EvidenceFailed()
    return EvidenceStored(item)


async def _file(svc: Services, chat: ChatPort, draft: Draft, language: Language) -> None:
    """File the draft (once) and show the decision."""
    decision = svc.jurisdiction.decide(draft.facts(svc.today()))
    prefix = svc.settings.ticket_prefix
    assert draft.province_code is not None
    province, regency = draft.province_code, draft.regency_code
    attempts = itertools.count()
    async with transaction(svc.db):  # the urgent alerts are queued with the filing itself
        covered = await staff_store.agencies_covering(svc.db, province, regency)
        filed = await cases.file_case(
            svc.db,
            draft=draft,
            chat=svc.chat_at(chat.address),
            language=language,
            decision=decision,
            covered=covered,
            cipher=svc.cipher,
            now=svc.now(),
            new_ticket=lambda: make_ticket(prefix, ticket_value(draft.draft_id, next(attempts))),
        )
        if filed.created and decision.urgent:
            await _alert_urgent(svc, filed.case_id)
    if filed.created and decision.urgent:
        svc.wake_outbox()
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
    await chat.send(replies, language)


async def _alert_urgent(svc: Services, case_id: int) -> None:
    """Urgent categories alert in-scope staff at once."""
    case = await casequeries.by_id(svc.db, case_id, svc.cipher)
    if case is not None:
        await alert_in_scope(svc.db, svc, case, "urgent_alert", urgent_badge=False)


async def _erase(svc: Services, address: str, language: Language, *, confirmed: bool) -> Reply:
    """/hapus: what would be deleted, asked first; or the deletion done."""
    chat = svc.chat_at(address)
    if confirmed:
        deleted, files = await lifecycle.delete_reporter_data(svc.db, chat)
        remove_files(files)
        await svc.db.forget_deleted()
        log.info("a reporter deleted their data: %s reports", len(deleted))
        return Reply("erased", {"count": len(deleted)})
    texts = catalogue()
    can, cannot = await lifecycle.deletable_cases(svc.db, chat)
    kept = texts.render("erase_kept", language, tickets=", ".join(cannot)) if cannot else ""
    has_draft = await drafts.load(svc.db, svc.cipher, chat) is not None
    if not can and not has_draft:
        return Reply("erase_nothing", {"kept": Safe(kept)})
    listed = ", ".join(can) or texts.raw("none_word", language)
    buttons = (
        (Button(ERASE.data("yes"), "btn_erase_yes"), Button(ERASE.data("no"), "btn_erase_no")),
    )
    return Reply("erase_confirm", {"tickets": listed, "kept": Safe(kept)}, buttons)


async def _status(svc: Services, address: str, ticket: str, language: Language) -> Reply:
    """A ticket's status, within the per-chat lookup limit."""
    chat = svc.chat_at(address)
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
        return Reply("status_limited")
    found = await cases.status_of(svc.db, ticket, svc.cipher, chat)
    if found is None:
        return Reply("status_not_found", {"ticket": ticket})
    rank = svc.jurisdiction.rank
    view = StatusView(
        ticket=found.ticket,
        status=found.status,
        since=svc.local_date(found.status_changed_at),
        offices=[
            svc.jurisdiction.office(agency, name)
            for agency, name, _ in sorted(found.offices, key=lambda o: rank(o[0]))
        ],
        notes=[(svc.local_date(at), note) for at, note in found.public_notes],
        own=found.own,
        reached=frozenset(agency for agency, _, reached in found.offices if reached),
    )
    return status_reply(view, language)
