"""Staff commands and actions: manage staff, list and open cases, change status, forward, export.

Every command and button checks the caller's role again. Someone who is not staff gets exactly
what any unknown command gets (the citizen flow answers), and the refusal is logged without
personal data.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from telegram import InputMediaDocument, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import citizen
from bot.botdata import services
from bot.render import send_replies
from bot.retry import with_retries
from conversations import staffdesk
from conversations.callbacks import (
    CASE_OPEN,
    CASE_PAGE,
    CASE_STATUS,
    FORWARD,
    FORWARD_CANCEL,
    FORWARD_CONFIRM,
    INTERNAL_NOTE,
    NOTE_CHOICE,
)
from conversations.casefilters import FilterError, Filters, parse_filters
from conversations.caserow import CaseRow
from conversations.messages import Language, Safe, catalogue, escape
from conversations.packet import packet_bodies, shipped_packets
from conversations.replies import Reply
from conversations.staff import StaffMember
from conversations.staffviews import (
    case_detail,
    history_lines,
    list_page,
    scope_label,
    staff_deadlines,
)
from conversations.tickets import parse_ticket
from service import casedesk
from service.digests import queue_digest, staff_language
from service.services import Services
from service.weblogin import login_link

log = logging.getLogger(__name__)

PAGE_SIZE = 10
STAFF_COMMANDS = {
    "staf": "staff",
    "staff": "staff",
    "kasus": "case",
    "case": "case",
    "cases": "case",
    "digest": "digest",
    "ringkasan": "digest",
    "ekspor": "export",
    "export": "export",
    "petugas": "help",
    "web": "web",
}


# the buttons about one case: `<code>:<case id>[:<status or body>]`
ON_A_CASE = frozenset(
    p.code for p in (CASE_STATUS, FORWARD, FORWARD_CONFIRM, FORWARD_CANCEL, INTERNAL_NOTE)
)


def _is_admin(svc: Services, user_id: int) -> bool:
    return user_id in svc.settings.admin_user_ids


async def _caller(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Services, int, StaffMember | None, Language]:
    svc = services(context)
    user = update.effective_user
    user_id = user.id if user else 0
    member = await svc.staff_member(user_id)
    language = await citizen.language_of(update, context)
    return svc, user_id, member, language


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, what: str) -> None:
    """Answer exactly as for an unknown command or a stale button; log without personal data."""
    log.info("staff %s refused: not allowed", what)
    await citizen.on_private_update(update, context)


async def _reply(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply | str, language: Language
) -> None:
    """One reply (a text already rendered in `language` is sent as it is), split as Telegram
    counts."""
    shown = Reply(html=Safe(reply)) if isinstance(reply, str) else reply
    await send_replies(context.bot, chat_id, [shown], language)


# ------------------------------------------------------------------ commands
async def on_staff_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/staf, /kasus, /digest, /ekspor (and their English names)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    head, _, argument = message.text.partition(" ")
    action = STAFF_COMMANDS.get(head[1:].split("@", 1)[0].lower(), "")
    svc, user_id, member, language = await _caller(update, context)
    if action == "staff":
        if not _is_admin(svc, user_id):
            await _refuse(update, context, "admin command")
            return
        await _manage_staff(context, svc, user_id, argument.split(), language)
        return
    if member is None:
        await _refuse(update, context, "command")
        return
    if action == "help":
        await _reply(context, user_id, _commands(svc, user_id, language), language)
    elif action == "case":
        await _case_command(context, svc, member, argument, language)
    elif action == "digest":
        queued = await queue_digest(svc, member)
        if queued == 0:
            await _reply(context, user_id, Reply("digest_none"), language)
        elif queued < 0:  # the previous digest is still on its way: say so, not nothing
            await _reply(context, user_id, Reply("digest_pending"), language)
            services(context).wake_outbox()
        else:
            services(context).wake_outbox()
    elif action == "export":
        await _export(context, svc, member, argument.split(), language)
    elif action == "web":
        await _web_link(context, svc, member, language)


async def _web_link(
    context: ContextTypes.DEFAULT_TYPE, svc: Services, member: StaffMember, language: Language
) -> None:
    """A one-time sign-in link for the web console (sent as plain text: nothing to escape)."""
    if not svc.settings.web_port:
        await _reply(context, member.user_id, Reply("web_off"), language)
        return
    if not (svc.console_listening or svc.settings.web_base_url):
        # the port is held by another program: a link there would hand out a token to it
        log.info("web link refused: the console is not listening")
        await _reply(context, member.user_id, Reply("web_unavailable"), language)
        return
    url = await login_link(svc, member.user_id)
    await _reply(context, member.user_id, Reply("web_link", {"url": url}), language)


def _commands(svc: Services, user_id: int, language: Language) -> str:
    """The staff commands, with the administrators' own for administrators."""
    texts = catalogue()
    lines = [texts.raw("staff_help", language)]
    if _is_admin(svc, user_id):
        lines.append(texts.raw("staff_help_admin", language))
    return "\n".join(lines)


async def on_staff_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start from a staff member: who they are here and what they can do (citizens go on)."""
    svc, user_id, member, language = await _caller(update, context)
    if member is None:
        return
    texts = catalogue()
    body = svc.jurisdiction.rules.bodies.get(member.agency)
    agency = body.name.get(language) if body else texts.raw("staff_admin", language)
    text = texts.render(
        "staff_welcome", language, agency=agency,
        scope=scope_label(member.scope, svc.jurisdiction, language),
        commands=Safe(_commands(svc, user_id, language)),
    )  # fmt: skip
    await _reply(context, user_id, text, language)
    raise ApplicationHandlerStop


async def on_staff_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bantuan from a staff member: the staff commands, then the citizen's (citizens go on)."""
    svc, user_id, member, language = await _caller(update, context)
    if member is None:
        return
    texts = catalogue()
    text = "\n\n".join((_commands(svc, user_id, language), texts.render("help", language)))
    await _reply(context, user_id, text, language)
    raise ApplicationHandlerStop


async def _manage_staff(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    admin_id: int,
    args: list[str],
    language: Language,
) -> None:
    texts = catalogue()
    verb = args[0].lower() if args else ""
    if verb in {"daftar", "list"}:
        members = await casedesk.staff_list(svc)
        if not members:
            await _reply(context, admin_id, Reply("staff_list_empty"), language)
            return
        lines = []
        for m in members:
            blocked = f" {texts.raw('staff_blocked_mark', language)}" if m.blocked else ""
            lines.append(
                f"• {m.user_id} · {m.agency} · "
                f"{scope_label(m.scope, svc.jurisdiction, language)}{blocked}"
            )
        await _reply(context, admin_id, Reply("staff_list", {"lines": "\n".join(lines)}), language)
        return
    if verb in {"tambah", "add", "ubah", "change"} and len(args) >= 3 and args[1].isdigit():
        scope = " ".join(args[3:])  # a code or a name: 36, banten, kota serang
        _, answer = await casedesk.add_staff(
            svc, int(args[1]), args[2].lower(), scope, admin_id, language
        )
        await _reply(context, admin_id, answer, language)
        return
    if verb in {"hapus", "remove", "delete"} and len(args) == 2 and args[1].isdigit():
        answer = await casedesk.remove_staff(svc, int(args[1]), language)
        await _reply(context, admin_id, answer, language)
        return
    agencies = "|".join(svc.jurisdiction.rules.staff_agencies())
    await _reply(context, admin_id, Reply("staff_usage", {"agencies": agencies}), language)


async def _case_command(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    member: StaffMember,
    argument: str,
    language: Language,
) -> None:
    words = argument.split()
    if words and "=" not in words[0]:
        parsed = parse_ticket(argument, svc.settings.ticket_prefix)
        if parsed.outcome != "ok" or parsed.ticket is None:
            key = "status_typo" if parsed.outcome == "typo" else "status_invalid"
            await _reply(context, member.user_id, Reply(key), language)
            return
        await show_case(context, svc, member, parsed.ticket, language)
        return
    result = parse_filters(argument, svc.jurisdiction, svc.today())
    if isinstance(result, FilterError):
        await _reply(context, member.user_id, result.text("list_bad_filter", language), language)
        return
    filters, page = result
    await _list(context, svc, member, filters, page, language)


async def _list(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    member: StaffMember,
    filters: Filters | None,
    page: int,
    language: Language,
) -> None:
    """A page of the member's cases (`filters` None: the ones they last listed with)."""
    found = await casedesk.list_cases(svc, member, filters, page, PAGE_SIZE)
    page_reply = list_page(
        found.cases, svc.jurisdiction, language, page=found.page, pages=found.pages,
        total=found.total,
    )  # fmt: skip
    await _reply(context, member.user_id, page_reply, language)


async def show_case(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    member: StaffMember,
    ticket: str,
    language: Language,
) -> None:
    """A case in full, then its evidence as the stored (cleaned) files."""
    case = await casedesk.case_by_ticket(svc, member, ticket)
    if case is None:
        log.info("case view refused or not found")
        await _reply(context, member.user_id, Reply("case_not_found", {"ticket": ticket}), language)
        return
    view = await casedesk.case_view(svc, member, case)
    deadlines = staff_deadlines(case.decision.deadlines, svc.jurisdiction, language)
    detail = case_detail(
        case, svc.jurisdiction, svc.casework, svc.today(), language, deadlines=deadlines,
        related_tickets=view.related, agency=member.agency,
        zone=svc.settings.zone, packets=packet_bodies(case, svc.jurisdiction, shipped_packets()),
    )  # fmt: skip
    notes = history_lines(
        view.history, member.agency, member.admin, language, svc.settings.zone, svc.jurisdiction
    )
    if notes:
        history = (
            catalogue().render("case_events_title", language) + "\n" + escape("\n".join(notes))
        )
        detail = replace(detail, html=Safe(f"{detail.text(language)}\n\n{history}"))
    await _reply(context, member.user_id, detail, language)  # split as Telegram counts
    await _send_evidence(context, svc, member.user_id, case, view.evidence, language)


async def _send_evidence(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    chat_id: int,
    case: CaseRow,
    stored: Sequence[casedesk.EvidenceRecord],
    language: Language,
) -> None:
    """The case's evidence: links as text, files as the stored (metadata-free) copies, each
    captioned with the ticket, its number among the case's evidence and its type."""
    texts = catalogue()

    def caption(number: int, kind: str) -> str:
        return texts.raw("evidence_caption", language).format(
            ticket=case.ticket,
            number=number,
            total=len(stored),
            kind=texts.raw(f"kind_{kind}", language),
        )

    numbered = list(enumerate(stored, start=1))
    links = [f"🔗 {caption(n, 'link')}\n{e.url}" for n, e in numbered if e.url]
    files = [(n, e) for n, e in numbered if e.stored_path]
    if links:
        text = "\n\n".join(links)
        await with_retries(
            lambda: context.bot.send_message(chat_id, text, parse_mode=None), "sending links"
        )
    for start in range(0, len(files), 10):
        group = files[start : start + 10]
        try:
            contents = [await casedesk.evidence_bytes(svc, e) for _, e in group]
            names = [Path(e.file_name or e.stored_path or "bukti").name for _, e in group]
            captions = [caption(n, e.kind) for n, e in group]
            await _send_files(context, chat_id, contents, names, captions)
        except (OSError, TelegramError) as exc:
            log.warning("evidence re-send failed: %s", type(exc).__name__)


async def _send_files(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    contents: list[bytes],
    names: list[str],
    captions: list[str],
) -> None:
    """Up to ten files as one document or one album, retried on failures on the way."""
    if len(contents) == 1:
        await with_retries(
            lambda: context.bot.send_document(
                chat_id, contents[0], filename=names[0], caption=captions[0], parse_mode=None
            ),
            "re-sending evidence",
        )
        return
    media = [
        InputMediaDocument(c, filename=n, caption=t, parse_mode=None)
        for c, n, t in zip(contents, names, captions, strict=True)
    ]
    await with_retries(lambda: context.bot.send_media_group(chat_id, media), "re-sending evidence")


async def _export(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    member: StaffMember,
    args: list[str],
    language: Language,
) -> None:
    dates: list[dt.date] = []
    for value in args[:2]:
        try:
            dates.append(dt.date.fromisoformat(value))
        except ValueError:
            await _reply(
                context, member.user_id, Reply("export_bad_date", {"value": value}), language
            )
            return
    filters = Filters(since=dates[0] if dates else None, until=dates[1] if len(dates) > 1 else None)
    data, count = await casedesk.export_csv(svc, member, filters)
    caption = catalogue().render(
        "export_caption",
        language,
        count=count,
        scope=scope_label(member.scope, svc.jurisdiction, language),
    )
    name = f"lapor-netral-{svc.today().isoformat()}.csv"
    await with_retries(
        lambda: context.bot.send_document(
            member.user_id, data, filename=name, caption=caption, parse_mode=ParseMode.HTML
        ),
        "sending an export",
    )
    log.info("export sent: %s rows", count)


# ------------------------------------------------------------------ buttons
async def on_staff_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Case buttons: open (ks), status (sx), forward (fw, then confirm fc or cancel fn), internal
    note (in), note choice (nc), paging (kp). The role is checked again on every press."""
    query = update.callback_query
    assert query is not None
    svc, user_id, member, language = await _caller(update, context)
    if member is None:
        await _refuse(update, context, "button")
        return
    await query.answer()
    code, _, value = (query.data or "").partition(":")
    if code == CASE_OPEN.code:
        await show_case(context, svc, member, value, language)
    elif code == CASE_PAGE.code and value.isdigit():
        await _list(context, svc, member, None, int(value), language)
    elif code in {
        CASE_STATUS.code,
        FORWARD.code,
        FORWARD_CONFIRM.code,
        FORWARD_CANCEL.code,
        INTERNAL_NOTE.code,
    }:
        case_id_text, _, target = value.partition(":")
        case = await casedesk.case_for(
            svc, member, int(case_id_text) if case_id_text.isdigit() else 0
        )
        if case is None:
            await _reply(context, user_id, Reply("case_not_found", {"ticket": "—"}), language)
            return
        if code == CASE_STATUS.code:
            await desk(context, svc, member, case, staffdesk.StatusChosen(target), language)
        elif code == FORWARD.code:
            await desk(context, svc, member, case, staffdesk.ForwardChosen(target), language)
        elif code == FORWARD_CONFIRM.code:
            await desk(context, svc, member, case, staffdesk.ForwardConfirmed(target), language)
        elif code == FORWARD_CANCEL.code:
            await desk(context, svc, member, case, staffdesk.ForwardCancelled(), language)
        else:
            await desk(context, svc, member, case, staffdesk.InternalNoteAsked(), language)
    elif code == NOTE_CHOICE.code:
        await _note_choice(context, svc, member, value, language)


async def desk(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    member: StaffMember,
    case: CaseRow,
    event: staffdesk.DeskEvent,
    language: Language,
) -> None:
    """Run one staff event through the desk and say what it says."""
    replies = await casedesk.desk_session(svc, member, case, event, language)
    await send_replies(context.bot, member.user_id, replies, language)


async def _note_choice(
    context: ContextTypes.DEFAULT_TYPE,
    svc: Services,
    member: StaffMember,
    choice: str,
    language: Language,
) -> None:
    """The answer to "write a note", about the case of the member's open action."""
    case = await casedesk.open_case(svc, member)
    if case is None:
        await send_replies(context.bot, member.user_id, [Reply("action_cancelled")], language)
        return
    await desk(context, svc, member, case, staffdesk.NoteChoice(choice), language)


async def on_staff_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A staff member's typed note, when one is awaited (otherwise the update passes on)."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None or message.text is None or message.text.startswith("/"):
        return
    svc = services(context)
    if not await casedesk.awaits_text(svc, user.id):
        return
    member = await svc.staff_member(user.id)
    if member is None:
        return
    language = await staff_language(svc, member)
    case = await casedesk.open_case(svc, member)
    if case is not None:
        await desk(context, svc, member, case, staffdesk.NoteTyped(message.text), language)
    raise ApplicationHandlerStop
