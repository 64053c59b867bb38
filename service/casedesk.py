"""Staff actions, shared by the Telegram staff commands, the web console and the command line:
on a case (status, forward, note), on the staff list, and the CSV export.

Each action checks the member's scope again, writes the change and its history in one
transaction, and queues in the outbox what the reporter and other staff must be told; the
channel that called it says the outcome in its own way and wakes the outbox.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from conversations import staffdesk
from conversations.bilingual import Bilingual
from conversations.casefilters import Filters
from conversations.caserow import CaseEvent, CaseRow
from conversations.messages import Language, as_language, catalogue
from conversations.replies import Reply
from conversations.staff import StaffMember
from conversations.staffdesk import (
    NOTE_LIMIT,
    AddNote,
    ChangeStatus,
    Effect,
    Forward,
    ForwardTarget,
)
from conversations.staffviews import (
    CSV_HEADER,
    case_actions,
    csv_row,
    referral_notice,
    related_tickets,
    scope_label,
    status_notification,
)
from conversations.status import status_label
from conversations.visibility import Viewer, allows
from service.digests import alert_in_scope
from service.outbox import reply_payload
from service.services import Services
from storage import casequeries, chats, outbox, sessions
from storage import evidence as evidence_store
from storage import staff as staff_store
from storage.crypto import ChatRef
from storage.database import transaction
from storage.evidence import StoredEvidence

# a stored evidence file's record, as the faces read it (kind, name, link, stored copy)
EvidenceRecord = StoredEvidence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusChange:
    """What a status change did: `done` is False when the move is not allowed from the case's
    status at the moment of the change (another handler moved it first)."""

    ticket: str
    old: str
    new: str
    done: bool
    public: bool


async def case_for(svc: Services, member: StaffMember, case_id: int) -> CaseRow | None:
    """The case with this id, with the reporter's identity as its mode allows, if the member
    may act on it."""
    case = await casequeries.by_id(svc.db, case_id, svc.cipher, identity=True)
    if case is None:
        return None
    if not allows(svc.jurisdiction.visibility.sees(member.viewer), case):
        log.info("case action refused: out of scope")
        return None
    return case


async def case_by_ticket(svc: Services, member: StaffMember, ticket: str) -> CaseRow | None:
    """The case with this ticket, identity included, if the member may see it."""
    return await casequeries.by_ticket(
        svc.db, ticket, member, svc.jurisdiction.visibility, svc.cipher, identity=True
    )


async def change_status(
    svc: Services,
    member: StaffMember,
    case: CaseRow,
    new: str,
    *,
    note: str | None,
    public: bool,
) -> StatusChange:
    """Move the case, record it, and queue the reporter's notification when public."""
    note = note.strip()[:NOTE_LIMIT] or None if note else None
    async with transaction(svc.db):
        current = await casequeries.by_id(svc.db, case.id, svc.cipher)
        old = current.status if current is not None else case.status
        done = current is not None and svc.casework.allowed(current.status, new)
        if done and current is not None:
            now = svc.now()
            await casequeries.set_status(svc.db, case.id, new, now)
            await casequeries.add_event(
                svc.db, case.id, now, actor_kind="staff", actor_id=member.user_id,
                action="status", old=old, new=new, note=note, public=public,
                actor_agency=member.agency or "admin", cipher=svc.cipher,
            )  # fmt: skip
            if public and current.reporter_chat:
                reporter = svc.cipher.chat(current.reporter_chat)
                reporter_language = await _reporter_language(svc, reporter, current)
                told = status_notification(
                    case.ticket, new, note, reporter_language, svc.casework.final
                )
                payload = reply_payload(told, reporter_language)
                # outside WhatsApp's 24-hour window this goes as the status template
                payload["template"] = {
                    "language": reporter_language,
                    "parameters": [case.ticket, status_label(new, reporter_language)],
                }
                await outbox.enqueue(
                    svc.db, reporter, "notification", payload, now,
                    cipher=svc.cipher,
                )  # fmt: skip
    if done:
        log.info("case %s status changed by staff (public: %s)", case.ticket, public)
    return StatusChange(case.ticket, old, new, done, public)


async def forwarding(
    svc: Services, member: StaffMember, case: CaseRow, agency: str
) -> ForwardTarget | None:
    """What forwarding `case` to `agency` would do (asked before confirming); None when the
    member may not forward it there (the one rule the buttons and forms are built from)."""
    actions = case_actions(case, svc.casework, svc.jurisdiction, member.agency)
    if agency not in actions.forward_to:
        return None
    name = svc.jurisdiction.office_at(agency, case.province_code, case.regency_code)
    covered = await staff_store.agencies_covering(svc.db, case.province_code, case.regency_code)
    # reached: a member of that agency covering the place would see the case once it is theirs
    visible = svc.jurisdiction.visibility.would_see(Viewer(agency, ""), case, agency)
    idle = svc.jurisdiction.out_of_stage(agency, svc.today(), case.province_code, case.regency_code)
    office = svc.jurisdiction.office(agency, name)
    return ForwardTarget(office, agency in covered and visible, idle)


async def forward(
    svc: Services, member: StaffMember, case: CaseRow, agency: str
) -> ForwardTarget | None:
    """Add `agency` as a handling body at the case's place: alert its staff when it has staff
    covering the place, else record it as a referral and give the reporter its channel. None
    when the agency is unknown or already handles the case (a repeated confirmation changes
    nothing)."""
    async with transaction(svc.db):
        target = await forwarding(svc, member, case, agency)
        if target is None:
            return None
        office, now = target.office, svc.now()
        if not await casequeries.add_body(
            svc.db, case.id, agency, office.name, now, reached=target.reached
        ):
            return None
        await casequeries.add_event(
            svc.db, case.id, now, actor_kind="staff", actor_id=member.user_id,
            action="forward" if target.reached else "refer", new=agency, note=office.name,
            actor_agency=member.agency or "admin", cipher=svc.cipher,
        )  # fmt: skip
        forwarded = await casequeries.by_id(svc.db, case.id, svc.cipher)
        assert forwarded is not None
        if target.reached:
            sender = svc.jurisdiction.rules.bodies.get(member.agency or "")
            by = sender.name if sender else Bilingual(id="Admin", en="Admin")
            await alert_in_scope(
                svc.db, svc, forwarded, "forward_alert", agencies=[agency],
                extra={"office": office.name, "sender": by},
            )  # fmt: skip
        elif forwarded.reporter_chat:
            reporter = svc.cipher.chat(forwarded.reporter_chat)
            language = await _reporter_language(svc, reporter, forwarded)
            payload = {"type": "message", "text": referral_notice(case.ticket, office, language)}
            await outbox.enqueue(svc.db, reporter, "notification", payload, now, cipher=svc.cipher)
    log.info(
        "case %s %s %s", case.ticket, "forwarded to" if target.reached else "referred to", agency
    )
    return target


async def _reporter_language(svc: Services, reporter: ChatRef, case: CaseRow) -> Language:
    """The language the reporter reads now (/bahasa), else the one they filed in."""
    chosen = await chats.get_language(svc.db, reporter)
    return chosen or as_language(case.language)


@dataclass(frozen=True)
class DeskRun:
    """One staff event run through the desk: the machine's outcome and how each effect went
    (a StatusChange, or whether a note was written)."""

    outcome: staffdesk.DeskOutcome
    results: tuple[StatusChange | ForwardTarget | bool | None, ...]

    @property
    def outbox_has_news(self) -> bool:
        """A public status change or a forward was made: the outbox has messages to send."""
        return any(
            (isinstance(r, StatusChange) and r.done and r.public) or isinstance(r, ForwardTarget)
            for r in self.results
        )


async def run_desk(
    svc: Services,
    member: StaffMember,
    case: CaseRow,
    event: staffdesk.DeskEvent,
    language: Language,
    open_action: staffdesk.OpenAction | None = None,
) -> DeskRun:
    """Run one staff event (chat or console) through the staff desk and perform its effects;
    the caller keeps the open action and says the outcome in its own way."""
    target = None
    if isinstance(event, staffdesk.ForwardChosen | staffdesk.ForwardConfirmed):
        target = await forwarding(svc, member, case, event.agency)
    context = staffdesk.DeskContext(case, svc.casework, language, target)
    outcome = staffdesk.handle(open_action, event, context)
    results = [await perform(svc, member, case, effect) for effect in outcome.effects]
    return DeskRun(outcome, tuple(results))


async def perform(
    svc: Services, member: StaffMember, case: CaseRow, effect: Effect
) -> StatusChange | ForwardTarget | bool | None:
    """Perform one effect of the staff desk (conversations/staffdesk.py): a status change's
    outcome, where a forward went (None: nowhere new), or whether a note was written."""
    match effect:
        case ChangeStatus(new=new, note=note, public=public):
            return await change_status(svc, member, case, new, note=note, public=public)
        case AddNote(note=note):
            return await add_note(svc, member, case, note)
        case Forward(agency=agency):
            return await forward(svc, member, case, agency)
    raise TypeError(effect)


async def add_note(svc: Services, member: StaffMember, case: CaseRow, note: str) -> bool:
    """Write an internal note (read by the writer's agency and administrators); False when the
    note is empty."""
    text = note.strip()[:NOTE_LIMIT]
    if not text:
        return False
    async with transaction(svc.db):
        await casequeries.add_event(
            svc.db, case.id, svc.now(), actor_kind="staff", actor_id=member.user_id,
            action="note", note=text, actor_agency=member.agency or "admin", cipher=svc.cipher,
        )  # fmt: skip
    return True


async def add_staff(
    svc: Services, user_id: int, agency: str, scope: str, admin_id: int | None, language: Language
) -> tuple[bool, str]:
    """Add or change a staff member; whether it worked and the answer to show (also used by
    the command line)."""
    texts = catalogue()
    if agency not in svc.jurisdiction.rules.staff_agencies():
        return False, texts.render(
            "staff_usage", language, agencies="|".join(svc.jurisdiction.rules.staff_agencies())
        )
    if scope:
        region = svc.jurisdiction.places.resolve(scope)
        if region is None:
            return False, texts.render("staff_bad_scope", language, scope=scope)
        scope = region.code
    added = await staff_store.upsert(svc.db, user_id, agency, scope, admin_id, svc.now())
    log.info(
        "staff member %s: %s, scope %s",
        "added" if added else "changed",
        agency,
        scope or "national",
    )
    return True, texts.render(
        "staff_added" if added else "staff_changed", language, user_id=user_id, agency=agency,
        scope=scope_label(scope, svc.jurisdiction, language),
    )  # fmt: skip


async def remove_staff(svc: Services, user_id: int, language: Language) -> str:
    """Remove a staff member (their open actions, cursors and web sessions go with them); the
    answer to show."""
    removed = await staff_store.remove(svc.db, user_id)
    log.info("staff member %s", "removed" if removed else "not found")
    key = "staff_removed" if removed else "staff_not_found"
    return catalogue().render(key, language, user_id=user_id)


async def export_csv(
    svc: Services,
    member: StaffMember | None,
    filters: Filters,
    *,
    long_scan: bool = False,
) -> tuple[bytes, int]:
    """UTF-8 CSV (with BOM for spreadsheet programs) of the cases in scope, oldest first (on
    the console's reader with `long_scan`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    count = 0
    after = 0
    kinds = svc.jurisdiction.visibility
    while True:
        batch = await casequeries.visible(
            svc.scans() if long_scan else svc.db,
            member,
            kinds,
            filters=filters,
            after_id=after,
            limit=1000,
            order="oldest",
            cipher=svc.cipher,
            identity=True,  # csv_row shows it for open reports only
            text=False,  # the CSV holds no free text
        )
        if not batch:
            break
        for case in batch:
            writer.writerow(csv_row(case, svc.jurisdiction, member.agency if member else None))
        count += len(batch)
        after = batch[-1].id
    return ("\ufeff" + out.getvalue()).encode("utf-8"), count


async def desk_session(
    svc: Services,
    member: StaffMember,
    case: CaseRow,
    event: staffdesk.DeskEvent,
    language: Language,
) -> list[Reply]:
    """Run one staff event of the chat through the desk with the member's open action (kept
    between messages: what their next typed text is for); what to answer, the outcome of each
    effect included. The outbox is woken when it has news."""
    before = await open_action(svc, member)
    run = await run_desk(svc, member, case, event, language, before)
    after = run.outcome.open
    if after != before:
        if after is None:
            await sessions.end_staff(svc.db, member.user_id)
        else:
            await sessions.start_staff(
                svc.db, member.user_id, after.case_id, after.action, after.value, svc.now()
            )
    replies = list(run.outcome.replies)
    for result in run.results:
        if isinstance(result, StatusChange):
            replies.append(
                staffdesk.status_outcome(
                    case.ticket, result.old, result.new, result.done, result.public, language
                )
            )
        elif isinstance(result, ForwardTarget):
            told = staffdesk.forward_outcome(case.ticket, result)
            replies += [told] if told else []
    if run.outbox_has_news:
        svc.wake_outbox()
    return replies


async def open_action(svc: Services, member: StaffMember) -> staffdesk.OpenAction | None:
    """The member's open action (what their next typed message is for), from storage."""
    session = await sessions.staff_session(svc.db, member.user_id)
    if session is None or session.action not in {"status", "status_internal", "note"}:
        return None
    action = cast(staffdesk.Action, session.action)
    return staffdesk.OpenAction(session.case_id, action, session.value)


async def open_case(svc: Services, member: StaffMember) -> CaseRow | None:
    """The case of the member's open action, if they still may act on it (else the action is
    closed)."""
    session = await sessions.staff_session(svc.db, member.user_id)
    case = await case_for(svc, member, session.case_id) if session is not None else None
    if case is None:
        await sessions.end_staff(svc.db, member.user_id)
    return case


async def awaits_text(svc: Services, user_id: int) -> bool:
    """Whether a staff member's next typed message is a note for an open action."""
    return await sessions.staff_session(svc.db, user_id) is not None


@dataclass(frozen=True)
class ListPage:
    """One page of the cases a member may see under some filters."""

    cases: list[CaseRow]
    page: int
    pages: int
    total: int


async def list_cases(
    svc: Services,
    member: StaffMember,
    filters: Filters | None,
    page: int,
    page_size: int,
) -> ListPage:
    """A page of the member's cases; `filters` None: the ones they last listed with (a new
    set is remembered for the page buttons)."""
    if filters is None:
        filters = await sessions.list_filters(svc.db, member.user_id)
    else:
        await sessions.keep_list_filters(svc.db, member.user_id, filters, svc.now())
    policy = svc.jurisdiction.visibility
    total = await casequeries.count_visible(svc.db, member, policy, filters)
    pages = max(1, -(-total // page_size))
    page = min(page, pages)
    cases = await casequeries.visible(
        svc.db, member, policy, filters=filters, limit=page_size,
        offset=(page - 1) * page_size, cipher=svc.cipher,
    )  # fmt: skip
    return ListPage(cases, page, pages, total)


@dataclass(frozen=True)
class CaseView:
    """What a member reads of a case beside the case itself: the related cases they may see,
    its history and its evidence."""

    related: list[str]
    history: list[CaseEvent]
    evidence: list[StoredEvidence]


async def case_view(
    svc: Services, member: StaffMember, case: CaseRow, *, history: int = 10
) -> CaseView:
    """The case's related tickets, its newest `history` events and its evidence records."""
    policy = svc.jurisdiction.visibility
    window = svc.casework.related.window_days
    others = await casequeries.related(svc.db, case, window, member, policy, svc.cipher)
    return CaseView(
        related=related_tickets(case, others, svc.casework),
        history=await casequeries.events(svc.db, case.id, svc.cipher, limit=history),
        evidence=await evidence_store.of_case(svc.db, case.id, svc.cipher),
    )


async def evidence_bytes(svc: Services, item: StoredEvidence) -> bytes:
    """A stored evidence file, unsealed (OSError when it is gone)."""
    sealed = await asyncio.to_thread(Path(item.stored_path or "").read_bytes)
    return svc.cipher.decrypt_bytes(sealed)


async def staff_list(svc: Services) -> list[StaffMember]:
    """Every staff member."""
    return await staff_store.all_staff(svc.db)
