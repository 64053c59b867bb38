"""A reporter adds text or evidence to their filed case ("Tambah informasi"): the session that
takes the next messages, the limits, the case events, and the alert to the staff who see it."""

from __future__ import annotations

import logging

from conversations.callbacks import ADD_INFO_DONE
from conversations.events import Attachment, Event, Text
from conversations.messages import Language, Safe
from conversations.questions import REFUSAL_HINTS, human_size
from conversations.replies import Button, Reply
from service.chat import ChannelError, ChatPort
from service.digests import alert_in_scope
from service.evidence import EvidenceRefusedError, store_evidence
from service.services import Services
from storage import casequeries, cases, sessions
from storage import evidence as evidence_store
from storage.database import transaction

log = logging.getLogger(__name__)

TEXT_LIMIT = 3000  # letters of one added text kept (as a report's description)
ALERT_EXCERPT = 500  # letters of it quoted in the staff alert


def _reply(key: str, *, done_button: bool = False, **args: object) -> Reply:
    """A catalogue message, with the "done" button while adding."""
    done = ((Button(ADD_INFO_DONE.data("done"), "btn_evidence_done"),),) if done_button else ()
    return Reply(key, dict(args), done)


async def start(svc: Services, chat: ChatPort, ticket: str, language: Language) -> None:
    """The reporter pressed "Tambah informasi" on their ticket: open the session."""
    ref = svc.chat_at(chat.address)
    case = await cases.own_case(svc.db, ticket, ref)
    if case is None:
        log.info("add-information refused: not the reporter's case")
        await chat.send([_reply("hint_stale_button")], language)
        return
    if case.status in svc.casework.final:
        await chat.send([_reply("add_info_closed")], language)
        return
    await sessions.start_addition(svc.db, ref, case.id, svc.now())
    await chat.send([_reply("add_info_prompt", done_button=True, ticket=ticket)], language)


async def finish(svc: Services, chat: ChatPort, language: Language) -> None:
    """The reporter pressed "Selesai"."""
    await sessions.end_addition(svc.db, svc.chat_at(chat.address))
    await chat.send([_reply("add_info_done")], language)


async def is_adding(svc: Services, address: str) -> bool:
    """Whether the chat has an addition open."""
    return await sessions.addition_case(svc.db, svc.chat_at(address)) is not None


async def end(svc: Services, address: str) -> None:
    """End the addition (a command was sent meanwhile)."""
    await sessions.end_addition(svc.db, svc.chat_at(address))


async def add(svc: Services, chat: ChatPort, event: Event, language: Language) -> bool:
    """Take one message of an open addition: text or a file becomes a case event and staff are
    alerted; False when no addition is open (the message is for the report flow)."""
    ref = svc.chat_at(chat.address)
    case_id = await sessions.addition_case(svc.db, ref)
    if case_id is None:
        return False
    case = await casequeries.by_id(svc.db, case_id, svc.cipher)
    if case is None:
        return False
    if case.status in svc.casework.final:  # closed since the reporter pressed "Tambah informasi"
        await sessions.end_addition(svc.db, ref)
        await chat.send([_reply("add_info_closed")], language)
        return True
    additions, stored_bytes = await evidence_store.additions_of(svc.db, case_id)
    if additions >= svc.settings.max_additions_per_case:
        await sessions.end_addition(svc.db, ref)
        limit = svc.settings.max_additions_per_case
        await chat.send([_reply("add_info_limit", limit=limit)], language)
        return True
    if isinstance(event, Text):
        note = event.text[:TEXT_LIMIT]
        async with transaction(svc.db):
            await casequeries.add_event(
                svc.db, case_id, svc.now(), actor_kind="reporter", actor_id=None,
                action="reporter_info", note=note, cipher=svc.cipher,
            )  # fmt: skip
            await alert_in_scope(
                svc.db, svc, case, "staff_added_info",
                extra={"ticket": case.ticket, "text": note[:ALERT_EXCERPT]},
            )  # fmt: skip
    elif isinstance(event, Attachment):
        per_file = svc.limits().max_evidence_bytes
        room = svc.settings.max_case_evidence_mb * 1024 * 1024 - stored_bytes
        limit = max(0, min(per_file, room))
        try:
            data = await chat.download(event, limit)
            record, item = await store_evidence(
                data, event, svc.settings.evidence_path / f"case-{case_id}",
                decoder=svc.image_decoder, cipher=svc.cipher,
            )  # fmt: skip
        except EvidenceRefusedError as refused:
            key = REFUSAL_HINTS.get(refused.reason)
            if key is None:
                size, max_mb = human_size(refused.size), limit // (1024 * 1024)
                await chat.send([_reply("evidence_too_big", size=size, max_mb=max_mb)], language)
            else:
                await chat.send([_reply(key)], language)
            return True
        except (ChannelError, OSError):
            await chat.send([_reply("evidence_failed")], language)
            return True
        async with transaction(svc.db):
            await evidence_store.add_to_case(svc.db, case_id, record, svc.now(), svc.cipher)
            await casequeries.add_event(
                svc.db, case_id, svc.now(), actor_kind="reporter", actor_id=None,
                action="reporter_evidence", note=item.label, cipher=svc.cipher,
            )  # fmt: skip
            await alert_in_scope(
                svc.db, svc, case, "staff_added_info",
                extra={"ticket": case.ticket, "text": f"📎 {item.label}"},
            )  # fmt: skip
    else:
        return True  # a sticker, a location...: nothing to add, and not a report's answer either
    svc.wake_outbox()
    saved = _reply("add_info_saved", done_button=True, ticket=Safe(case.ticket))
    await chat.send([saved], language)
    return True
