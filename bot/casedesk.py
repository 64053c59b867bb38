"""Staff actions, shared by the Telegram staff commands, the web console and the command line:
on a case (status, forward, note), on the staff list, and the CSV export.

Each action checks the member's scope again, writes the change and its history in one
transaction, and queues in the outbox what the reporter and other staff must be told; the
channel that called it says the outcome in its own way and wakes the outbox.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass

from bot.digests import alert_in_scope
from bot.services import Services
from conversations import staffdesk
from conversations.bilingual import Bilingual
from conversations.casefilters import Filters
from conversations.caserow import CaseRow
from conversations.messages import Language, catalogue
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
    scope_label,
    status_notification,
)
from conversations.visibility import Viewer, allows
from storage import casequeries, chats, outbox
from storage import staff as staff_store
from storage.crypto import ChatRef
from storage.database import Database, transaction
from storage.staff import StaffMember

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
                text, buttons = status_notification(
                    case.ticket, new, note, reporter_language, svc.casework.final
                )
                payload = {"type": "message", "text": text, "buttons": buttons}
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
    return chosen or ("en" if case.language == "en" else "id")


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
    conn: Database | None = None,
) -> tuple[bytes, int]:
    """UTF-8 CSV (with BOM for spreadsheet programs) of the cases in scope, oldest first (read
    on `conn`, the web console's reader, when given)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    count = 0
    after = 0
    kinds = svc.jurisdiction.visibility
    while True:
        batch = await casequeries.visible(
            conn or svc.db,
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
