"""Alert digests, the daily summary with its chart, and instant alerts: all queued in the outbox
(the face schedules the rounds)."""

from __future__ import annotations

import datetime as dt
import logging

from conversations.bilingual import Bilingual, long_date
from conversations.caserow import CaseRow
from conversations.messages import Language, Safe, as_language, catalogue
from conversations.replies import Reply
from conversations.staff import StaffMember
from conversations.staffviews import (
    case_block,
    clock_of,
    digest_messages,
    open_button,
    related_tickets,
    scope_label,
)
from conversations.status import status_label
from conversations.visibility import Viewer, allows
from service.chart import Series, reports_chart
from service.outbox import reply_payload
from service.services import Services
from storage import casequeries, chats, outbox
from storage import staff as staff_store
from storage.database import Database, transaction

log = logging.getLogger(__name__)

DIGEST_KIND = "digest"


async def staff_language(svc: Services, member: StaffMember) -> Language:
    """The language a staff member reads in (their chat's choice, else their record's)."""
    chosen = await chats.get_language(svc.db, svc.chat(member.user_id))
    if chosen is not None:
        return chosen
    return as_language(member.language)


async def queue_digest(svc: Services, member: StaffMember) -> int:
    """Queue a digest of cases new to this member; returns parts queued (-1: one is pending).

    The member's cursor moves only when the last part is delivered (see storage.outbox).
    """
    if member.blocked:
        return 0
    if await outbox.pending_for(svc.db, svc.chat(member.user_id), DIGEST_KIND):
        return -1
    last, _ = await casequeries.cursor_of(svc.db, member.user_id)
    cases = await casequeries.visible(
        svc.db, member, svc.jurisdiction.visibility, after_id=last, limit=500, cipher=svc.cipher
    )
    if not cases:
        return 0
    language = await staff_language(svc, member)
    window = svc.casework.related.window_days
    related_ids = set()
    for case in cases[:30]:
        others = await casequeries.related(
            svc.db, case, window, member, svc.jurisdiction.visibility, svc.cipher
        )
        if related_tickets(case, others, svc.casework):
            related_ids.add(case.id)
    messages = digest_messages(
        cases, svc.jurisdiction, svc.casework, svc.today(), language, member.scope,
        related_ids=related_ids, zone=svc.settings.zone,
    )  # fmt: skip
    newest = max(case.id for case in cases)
    async with transaction(svc.db):
        for number, reply in enumerate(messages, start=1):
            cursor = (member.user_id, newest) if number == len(messages) else None
            payload = reply_payload(reply, language)
            await outbox.enqueue(
                svc.db, svc.chat(member.user_id), DIGEST_KIND, payload, svc.now(), cursor=cursor,
                cipher=svc.cipher,
            )  # fmt: skip
    log.info("digest queued: %s cases in %s parts", len(cases), len(messages))
    return len(messages)


async def digest_round(svc: Services) -> None:
    """A digest for every staff member with new cases in scope (one worker at a time)."""
    queued = 0
    async with svc.db.exclusive("digest") as mine:  # one worker at a time
        if not mine:
            return
        for member in await staff_store.all_staff(svc.db):
            if await queue_digest(svc, member) > 0:
                queued += 1
    if queued:
        svc.wake_outbox()


async def queue_daily(svc: Services, member: StaffMember) -> bool:
    """Queue today's summary (counts by status, waiting longest, the 14-day chart) once a day."""
    today = svc.today()
    _, sent_on = await casequeries.cursor_of(svc.db, member.user_id)
    if member.blocked or sent_on == today.isoformat():
        return False
    language = await staff_language(svc, member)
    kinds = svc.jurisdiction.visibility
    by_status = await casequeries.status_counts(svc.db, member, kinds)
    waiting = await casequeries.waiting_longest(
        svc.db, member, kinds, svc.cipher, svc.casework.final
    )
    texts = catalogue()
    lines = [
        texts.render(
            "daily_title", language, date=long_date(today, language),
            scope=scope_label(member.scope, svc.jurisdiction, language),
        ),
        texts.render(
            "daily_by_status", language,
            counts=" · ".join(
                f"{status_label(s, language)} {n}" for s, n in sorted(by_status.items())
            ) or "0",
        ),
    ]  # fmt: skip
    if waiting:
        waiting_lines = []
        for case in waiting:
            days = (today - svc.local_date(case.status_changed_at)).days
            past = clock_of(case, svc.casework, today, svc.settings.zone).state == "past"
            flag = "⏰" if past else ""
            waiting_lines.append(
                texts.render(
                    "daily_waiting_line",
                    language,
                    ticket=case.ticket,
                    status=status_label(case.status, language),
                    days=days,
                    flag=flag,
                )
            )
        lines.append(texts.render("daily_waiting", language, lines="\n".join(waiting_lines)))
    if member.admin:
        referred = await casequeries.count_referred(svc.db)
        lines.append(texts.render("daily_referred", language, count=referred))
        # the election calendar: what an operator must add or confirm (elections check)
        for warning in svc.jurisdiction.elections.warnings(today):
            lines.append(texts.render("daily_calendar_warning", language, warning=warning))
    since = svc.now() - dt.timedelta(days=14)
    counts = await casequeries.daily_counts(svc.db, member, kinds, since)
    chart_path = (
        svc.settings.database_path.parent
        / "charts"
        / f"daily-{member.user_id}-{today.isoformat()}.png"
    )
    rules = svc.jurisdiction.rules
    series = {
        agency: Series(rules.bodies[agency].name.id, rules.bodies[agency].colour)
        for agency in rules.staff_agencies()
    }
    reports_chart(counts, today, chart_path, series)
    async with transaction(svc.db):
        await outbox.enqueue(
            svc.db,
            svc.chat(member.user_id),
            "daily",
            {"type": "message", "text": "\n".join(lines)},
            svc.now(),
            cipher=svc.cipher,
        )
        await outbox.enqueue(
            svc.db, svc.chat(member.user_id), "daily",
            {
                "type": "photo",
                "path": str(chart_path),
                "caption": texts.render("daily_chart_caption", language),
            },
            svc.now(), cipher=svc.cipher,
        )  # fmt: skip
        await casequeries.mark_daily(svc.db, member.user_id, today, svc.now())
    return True


async def daily_round(svc: Services) -> None:
    """The daily summary for every staff member and administrator (one worker at a time)."""
    async with svc.db.exclusive("daily") as mine:  # one worker at a time; a day once each
        if not mine:
            return
        staff_ids = {member.user_id for member in await staff_store.all_staff(svc.db)}
        for user_id in sorted(staff_ids | set(svc.settings.admin_user_ids)):
            member = await svc.staff_member(user_id)
            if member is not None:
                await queue_daily(svc, member)
    svc.wake_outbox()


async def alert_in_scope(
    conn: Database,
    svc: Services,
    case: CaseRow,
    key: str,
    *,
    agencies: list[str] | None = None,
    extra: dict[str, str | Bilingual] | None = None,
    urgent_badge: bool = True,
) -> int:
    """Queue an instant alert about a case to every staff member who may see it (call inside the
    transaction of the change). `agencies` narrows it to some bodies' staff; `extra` fills the
    text's other fields (a Bilingual in the member's language); `urgent_badge`
    False when the alert's title already says the case is urgent."""
    policy = svc.jurisdiction.visibility
    queued = 0
    for member in await staff_store.all_staff(conn):
        if member.blocked or (agencies is not None and member.agency not in agencies):
            continue
        # as their body's staff (an administrator's own view of referred cases is no alert)
        if not allows(policy.sees(Viewer(member.agency, member.scope)), case):
            continue
        language = await staff_language(svc, member)
        block = case_block(
            case, svc.jurisdiction, svc.casework, svc.today(), language,
            zone=svc.settings.zone, urgent_badge=urgent_badge,
        )  # fmt: skip
        args = {
            k: v.get(language) if isinstance(v, Bilingual) else v for k, v in (extra or {}).items()
        }
        text = catalogue().render(key, language, case=Safe(block), **args)
        payload = reply_payload(
            Reply(html=Safe(text), buttons=((open_button(case.ticket),),)), language
        )
        await outbox.enqueue(
            conn, svc.chat(member.user_id), "alert", payload, svc.now(), cipher=svc.cipher
        )
        queued += 1
    return queued
