"""What staff see: digests, case details, lists, daily summaries, CSV rows; and the reporter's
status notifications. Pure: rows in, Telegram HTML and button specs out."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from conversations.bilingual import both_dates, long_date
from conversations.callbacks import (
    ADD_INFO,
    CASE_OPEN,
    CASE_PAGE,
    CASE_STATUS,
    FORWARD,
    INTERNAL_NOTE,
    PACKET_STAFF,
)
from conversations.caserow import CaseEvent, CaseRow
from conversations.casework import Casework, Clock, case_clock, similarity
from conversations.jurisdiction.engine import Jurisdiction
from conversations.jurisdiction.models import Deadline, Office
from conversations.messages import Language, Safe, catalogue
from conversations.messages import escape as esc
from conversations.replies import Button, Reply
from conversations.status import status_label
from conversations.textsplit import MESSAGE_LIMIT, visible_length
from conversations.visibility import Viewer, allows

EXCERPT = 120


def t(key: str, language: Language, **args: object) -> str:
    """A catalogue text."""
    return catalogue().render(key, language, **args)


def scope_label(scope: str, jurisdiction: Jurisdiction, language: Language) -> str:
    """`nasional`, or the province or regency name."""
    region = jurisdiction.places.find(scope)
    return region.name if region else catalogue().raw("scope_national", language)


def place_of(case: CaseRow, jurisdiction: Jurisdiction) -> str:
    """`Kota Serang, Banten`."""
    places = jurisdiction.places
    parts = [r.name for r in (places.find(case.regency_code), places.find(case.province_code)) if r]
    return ", ".join(parts)


def category_label(case: CaseRow, jurisdiction: Jurisdiction, language: Language) -> str:
    """The case's category's short label."""
    return category_name(case.category, jurisdiction, language)


def category_name(category: str, jurisdiction: Jurisdiction, language: Language) -> str:
    """A category's short label (its id when the rules no longer have it)."""
    try:
        return jurisdiction.rules.category(category).label.get(language)
    except KeyError:
        return category


def excerpt(text: str) -> str:
    """The first line of a description, shortened."""
    line = " ".join(text.split())
    return line if len(line) <= EXCERPT else line[: EXCERPT - 1] + "…"


def flags_of(clock: Clock, related: bool, urgent: bool, language: Language) -> str:
    """Badges shown before a case line."""
    keys = []
    if urgent:
        keys.append("flag_urgent")
    if clock.state in {"past", "near"}:
        keys.append(f"flag_{clock.state}")
    if related:
        keys.append("flag_related")
    return "".join(catalogue().raw(k, language) + " · " for k in keys)


def clock_of(case: CaseRow, casework: Casework, today: dt.date, zone: dt.tzinfo) -> Clock:
    """The case's service clock, its dates read in the bot's time zone."""
    return case_clock(
        casework, case.status, case.status_changed_at.astimezone(zone).date(),
        case.created_at.astimezone(zone).date(), today,
    )  # fmt: skip


def case_block(
    case: CaseRow,
    jurisdiction: Jurisdiction,
    casework: Casework,
    today: dt.date,
    language: Language,
    *,
    related: bool = False,
    zone: dt.tzinfo = dt.UTC,
    urgent_badge: bool = True,
) -> str:
    """One case in a digest or alert (without the 🚨 badge under a title that says urgent)."""
    clock = clock_of(case, casework, today, zone)
    urgent = urgent_badge and case.category in jurisdiction.rules.urgent_categories()
    return t(
        "digest_case",
        language,
        flags=Safe(esc(flags_of(clock, related, urgent, language))),
        ticket=case.ticket,
        category=category_label(case, jurisdiction, language),
        place=place_of(case, jurisdiction),
        date=long_date(case.event_date, language),
        evidence=case.evidence_count,
        excerpt=excerpt(case.description),
    )


def open_button(ticket: str) -> Button:
    """The button that opens a case."""
    return Button(CASE_OPEN.data(ticket), "btn_open_case", args={"ticket": ticket})


def counts_line(counter: Counter[str]) -> str:
    """`A 3 · B 1`, biggest first."""
    return " · ".join(f"{name} {count}" for name, count in counter.most_common(12))


def digest_messages(
    cases: Sequence[CaseRow],
    jurisdiction: Jurisdiction,
    casework: Casework,
    today: dt.date,
    language: Language,
    scope: str,
    *,
    related_ids: frozenset[int] | set[int] = frozenset(),
    zone: dt.tzinfo = dt.UTC,
    newest: int = 30,
) -> list[Reply]:
    """A digest: counts by category and regency, then the newest cases with an open button each;
    split at case boundaries so each message stays under Telegram's limit."""
    by_category = Counter(category_label(c, jurisdiction, language) for c in cases)
    by_place = Counter(
        (jurisdiction.places.find(c.regency_code) or jurisdiction.places.get(c.province_code)).name
        for c in cases
    )
    head = "\n".join(
        [
            t(
                "digest_title",
                language,
                count=len(cases),
                scope=scope_label(scope, jurisdiction, language),
            ),
            t("digest_by_category", language, counts=counts_line(by_category)),
            t("digest_by_place", language, counts=counts_line(by_place)),
        ]
    )
    shown = sorted(cases, key=lambda c: c.id, reverse=True)[:newest]
    messages: list[Reply] = []
    text = head
    buttons: list[tuple[Button, ...]] = []
    for case in shown:
        block = case_block(
            case, jurisdiction, casework, today, language, related=case.id in related_ids, zone=zone
        )
        too_long = visible_length(text) + visible_length(block) + 2 > MESSAGE_LIMIT - 96
        if too_long or len(buttons) >= 20:
            messages.append(Reply(html=Safe(text), buttons=tuple(buttons)))
            text = t("digest_title_more", language, part=len(messages) + 1)
            buttons = []
        text += "\n\n" + block
        buttons.append((open_button(case.ticket),))
    messages.append(Reply(html=Safe(text), buttons=tuple(buttons)))
    return messages


def sees_identity(agency: str, case: CaseRow, jurisdiction: Jurisdiction) -> bool:
    """Whether a staff member of `agency` may see who reported a case (name and phone, open or
    confidential): the visibility policy's identity rule, as storage's SQL reads it too."""
    return allows(jurisdiction.visibility.sees_identity(Viewer(agency, "")), case)


CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}


def channel_note(case: CaseRow, language: Language) -> str:
    """Where the reporter wrote from (" · lewat WhatsApp"), when the case still knows."""
    name = CHANNEL_NAMES.get(case.channel)
    return t("case_channel", language, channel=name) if name else ""


def reporter_text(case: CaseRow, language: Language, identity_seen: bool) -> str:
    """Who reported, as far as the identity mode and the policy allow this staff member."""
    if case.identity == "anonymous":
        return catalogue().raw("case_reporter_anonymous", language)
    if not identity_seen:
        return catalogue().raw("case_reporter_hidden", language)
    parts = [p for p in (case.reporter_name, case.reporter_phone) if p]
    return esc(", ".join(parts)) if parts else catalogue().raw("case_reporter_hidden", language)


@dataclass(frozen=True)
class CaseActions:
    """What staff may do with a case: the statuses it may move to, the bodies it may be
    forwarded to (staff bodies not handling it yet, other than the member's own)."""

    statuses: tuple[str, ...]
    forward_to: tuple[str, ...]


def case_actions(
    case: CaseRow, casework: Casework, jurisdiction: Jurisdiction, agency: str
) -> CaseActions:
    """The actions on `case` for a member of `agency` (the chat's buttons, the console's forms)."""
    forward_to = [
        other
        for other in jurisdiction.rules.staff_agencies()
        if other not in case.bodies and other != agency
    ]
    return CaseActions(tuple(casework.transitions.get(case.status, [])), tuple(forward_to))


def case_detail(
    case: CaseRow,
    jurisdiction: Jurisdiction,
    casework: Casework,
    today: dt.date,
    language: Language,
    *,
    deadlines: list[str],
    related_tickets: list[str],
    agency: str,
    zone: dt.tzinfo = dt.UTC,
    packets: Sequence[str] = (),
) -> Reply:
    """A case in full for handling staff, with the actions they may take (and the filing
    packets of `packets`, the bodies with a form)."""
    rules = jurisdiction.rules
    clock = clock_of(case, casework, today, zone)
    clock_text = ""
    if clock.target is not None and clock.due is not None:
        clock_text = t(
            "case_clock", language, label=clock.target.label.get(language),
            due=long_date(clock.due, language),
            state=catalogue().raw(f"clock_{clock.state}", language),
        )  # fmt: skip
    person = rules.person_kind(case.person_kind).label.get(language)
    if case.person_details:
        person += f" — {case.person_details}"
    place = place_of(case, jurisdiction)
    if case.place_detail:
        place = f"{case.place_detail}, {place}"
    service = catalogue().raw(
        {"yes": "btn_yes", "no": "btn_no"}.get(case.public_service, "btn_unsure"), language
    )
    if case.service_name:
        service += f" — {case.service_name}"
    if case.complained:
        service += ", " + catalogue().raw(f"value_complained_{case.complained}", language)
    learned = (
        t("case_learned", language, date=long_date(case.learned_date, language))
        if case.learned_date
        else ""
    )
    related = (
        t("case_related", language, tickets=", ".join(related_tickets)) if related_tickets else ""
    )
    offices = "; ".join(case_offices(case, jurisdiction))
    offices = offices or catalogue().raw("none_office", language)
    text = t(
        "case_detail",
        language,
        ticket=case.ticket,
        status=status_label(case.status, language),
        since=long_date(case.status_changed_at.astimezone(zone).date(), language),
        age=clock.age_days,
        clock=Safe(clock_text),
        offices=offices,
        category=category_label(case, jurisdiction, language),
        person=person,
        place=place,
        event_date=long_date(case.event_date, language),
        learned=learned,
        service=service,
        evidence=case.evidence_count,
        reporter=Safe(
            reporter_text(case, language, sees_identity(agency, case, jurisdiction))
            + channel_note(case, language)
        ),
        deadlines="; ".join(d.rstrip(".") for d in deadlines) or "—",
        description=case.description,
        related=Safe(related),
    )
    buttons: list[tuple[Button, ...]] = []
    actions = case_actions(case, casework, jurisdiction, agency)
    for new in actions.statuses:
        status = status_label(new, language)
        buttons.append(
            (Button(CASE_STATUS.data(case.id, new), "btn_status_to", args={"status": status}),)
        )
    for other in actions.forward_to:
        name = rules.bodies[other].name.get(language)
        buttons.append(
            (Button(FORWARD.data(case.id, other), "btn_forward_to", args={"agency": name}),)
        )
    buttons.append((Button(INTERNAL_NOTE.data(case.id), "btn_add_internal_note"),))
    for body in packets:
        name = rules.bodies[body].name.get(language)
        buttons.append(
            (Button(PACKET_STAFF.data(case.id, body), "btn_staff_packet", args={"body": name}),)
        )
    return Reply(html=Safe(text), buttons=tuple(buttons))


def referral_notice(ticket: str, office: Office, language: Language) -> str:
    """What the reporter is told when staff add a body the bot does not reach: its own channel,
    to report there directly."""
    channel = Safe(f": {esc(office.channel.get(language))}" if office.channel else "")
    return t("referral_notice", language, ticket=ticket, office=office.name, channel=channel)


def staff_deadlines(
    deadlines: Sequence[Deadline], jurisdiction: Jurisdiction, language: Language
) -> list[str]:
    """A case's deadlines as staff read them: the body's staff wording where it has one (the
    reporter's speaks of "Anda"), else the reporter's."""
    lines = []
    for deadline in deadlines:
        body = jurisdiction.rules.bodies.get(deadline.agency)
        template = None
        if body is not None:
            template = body.staff_deadline_late if deadline.late else body.staff_deadline
        if template is None:
            lines.append(deadline.text.get(language))
            continue
        safe, latest = both_dates(deadline.date), both_dates(deadline.latest or deadline.date)
        lines.append(
            template.get(language).format(deadline=safe.get(language), latest=latest.get(language))
        )
    return lines


def case_agencies(case: CaseRow, jurisdiction: Jurisdiction) -> list[str]:
    """The agencies handling the case, in the order bodies are shown."""
    return sorted(case.bodies, key=jurisdiction.rank)


def case_offices(case: CaseRow, jurisdiction: Jurisdiction) -> list[str]:
    """The offices handling the case, in the order bodies are shown."""
    return [case.bodies[agency] for agency in case_agencies(case, jurisdiction)]


def related_tickets(
    case: CaseRow, others: list[tuple[str, str | None]], casework: Casework
) -> list[str]:
    """Tickets of cases whose reported person or agency looks like this one's."""
    threshold = casework.related.min_similarity
    return [
        ticket
        for ticket, details in others
        if similarity(case.person_details, details) >= threshold
    ]


def status_notification(
    ticket: str, status: str, note: str | None, language: Language, final: Collection[str]
) -> Reply:
    """What the reporter receives when staff change the status (public note included); while
    the case is open, with the button to add information."""
    note_text = t("notify_note", language, note=note) if note else ""
    text = t(
        "notify_status",
        language,
        ticket=ticket,
        status=status_label(status, language),
        note=Safe(note_text),
    )
    add_info = Button(ADD_INFO.data(ticket), "btn_add_info")
    return Reply(html=Safe(text), buttons=() if status in final else ((add_info,),))


def list_page(
    cases: Sequence[CaseRow],
    jurisdiction: Jurisdiction,
    language: Language,
    *,
    page: int,
    pages: int,
    total: int,
) -> Reply:
    """One page of a staff list with an open button per case and paging buttons."""
    if not cases:
        return Reply("list_empty")
    lines = [t("list_title", language, count=total, page=page, pages=pages)]
    for case in cases:
        lines.append(
            t(
                "list_line",
                language,
                ticket=case.ticket,
                status=status_label(case.status, language),
                category=category_label(case, jurisdiction, language),
                place=place_of(case, jurisdiction),
                date=long_date(case.event_date, language),
            )
        )
    buttons: list[tuple[Button, ...]] = [(open_button(c.ticket),) for c in cases]
    paging: list[Button] = []
    if page > 1:
        paging.append(Button(CASE_PAGE.data(page - 1), "btn_prev"))
    if page < pages:
        paging.append(Button(CASE_PAGE.data(page + 1), "btn_next"))
    if paging:
        buttons.append(tuple(paging))
    return Reply(html=Safe("\n".join(lines)), buttons=tuple(buttons))


CSV_HEADER = [
    "ticket", "created_at", "event_date", "learned_date", "category", "person_kind",
    "province_code", "province_name", "regency_code", "regency_name", "handling_bodies",
    "offices", "status", "status_changed_at", "evidence_count", "public_service",
    "identity_mode", "reporter_name", "reporter_phone",
]  # fmt: skip


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (OWASP "CSV injection"): a value
    starting with = + - @ tab or carriage return is prefixed with a single quote."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def csv_row(case: CaseRow, jurisdiction: Jurisdiction, agency: str | None) -> list[str | int]:
    """One CSV row; the reporter's identity only for reports filed with open identity, and only
    for staff who `sees_identity` (`agency` None: the operator's command-line export)."""
    places = jurisdiction.places
    regency = places.find(case.regency_code)
    open_identity = case.identity == "open" and (
        agency is None or sees_identity(agency, case, jurisdiction)
    )
    return [
        case.ticket,
        case.created_at.isoformat(timespec="seconds"),
        case.event_date.isoformat(),
        case.learned_date.isoformat() if case.learned_date else "",
        case.category,
        case.person_kind,
        case.province_code,
        places.get(case.province_code).name,
        case.regency_code or "",
        regency.name if regency else "",
        ";".join(case_agencies(case, jurisdiction)),
        ";".join(case_offices(case, jurisdiction)),
        case.status,
        case.status_changed_at.isoformat(timespec="seconds"),
        case.evidence_count,
        case.public_service,
        case.identity,
        csv_cell(case.reporter_name or "") if open_identity else "",
        csv_cell(case.reporter_phone or "") if open_identity else "",
    ]


def note_readable(event: CaseEvent, agency: str, admin: bool) -> bool:
    """Whether staff of `agency` may read an event's note: public notes and the reporter's own
    are read by all; an internal note only by the agency that wrote it (and administrators)."""
    return (
        event.public
        or admin
        or event.actor_kind != "staff"
        or event.actor_agency == (agency or "admin")
    )


def history_lines(
    events: Sequence[CaseEvent],
    agency: str,
    admin: bool,
    language: Language,
    zone: dt.tzinfo,
    jurisdiction: Jurisdiction,
) -> list[str]:
    """The case's history as plain lines, each saying who made the change
    (`• 2024-11-20 · Ombudsman RI: status → Diverifikasi: note 🔒`), notes another agency wrote
    internally replaced by a placeholder, and one line explaining 🔒 when it is shown."""
    texts = catalogue()
    lines = []
    internal = False
    for event in events:
        new, action = event.new, event.action
        readable = note_readable(event, agency, admin)
        note = event.note if readable else texts.raw("note_other_agency", language)
        day = event.at.astimezone(zone).date().isoformat()
        if action in {"forward", "refer"}:
            target, note = f" → {note}" if note else f" → {new}", None  # the office's name
        else:
            target = f" → {status_label(new, language)}" if new else ""
        hidden = event.actor_kind == "staff" and not event.public and action in {"status", "note"}
        internal = internal or hidden
        lines.append(
            f"• {day} · {_actor(event, jurisdiction, language)}:"
            f" {texts.raw(f'event_{action}', language)}{target}"
            f"{': ' + note if note else ''}{' 🔒' if hidden else ''}"
        )
    if internal:
        lines.append(f"🔒 {texts.raw('history_internal_legend', language)}")
    return lines


def _actor(event: CaseEvent, jurisdiction: Jurisdiction, language: Language) -> str:
    """Who made a change: the staff member's body (not the person), the reporter, the bot."""
    if event.actor_kind == "reporter":
        return catalogue().raw("actor_reporter", language)
    if event.actor_kind != "staff":
        return catalogue().raw("actor_system", language)
    body = jurisdiction.rules.bodies.get(event.actor_agency or "")
    return body.name.get(language) if body else catalogue().raw("actor_admin", language)
