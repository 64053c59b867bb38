"""The staff pages of the web console: dashboard, case list, one case with its actions,
evidence files, filing packets, CSV export, and the administrators' staff list.

A case out of the visitor's scope answers 404 exactly as a ticket that does not exist. Every
action goes through service.casedesk, as the chat's buttons do, so it lands in the case history
and the reporter's notification goes out through the outbox.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web
from markupsafe import Markup

from conversations import staffdesk
from conversations.casefilters import FilterError, parse_filters
from conversations.caserow import CaseRow
from conversations.console import (
    SORTS,
    day_bars,
    filter_query,
    filter_text,
    near_or_past_target,
    province_tiles,
)
from conversations.messages import Language, catalogue
from conversations.packet import packet_bodies, shipped_packets
from conversations.staffviews import (
    case_actions,
    case_detail,
    category_label,
    category_name,
    clock_of,
    history_lines,
    place_of,
    scope_label,
    staff_deadlines,
)
from conversations.statuses import STATUSES
from service import casedesk, console, packets
from service.services import Services
from service.weblogin import Visit
from web.auth import services_of, visitor_of
from web.figures import Recent
from web.render import FILE_CSP, day_label, page, text

log = logging.getLogger(__name__)

PAGE_SIZE = 25
# The list counts up to here and then says "more than" (and pages on while pages are full):
# counting every match of a broad filter at a million cases took 200 ms, a thousand takes 15.
COUNT_CAP = 1_000
IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG": "image/png"}


def _common(svc: Services, visitor: Visit, back: str) -> dict[str, object]:
    """What every staff page shows: who is logged in, the form token, the way back."""
    member = visitor.member
    body = svc.jurisdiction.rules.bodies.get(member.agency)
    agency = (
        body.name.get(visitor.language)
        if body
        else catalogue().raw("staff_admin", visitor.language)
    )
    return {
        "csrf": visitor.csrf,
        "admin": member.admin,
        "who": f"{agency} · {scope_label(member.scope, svc.jurisdiction, visitor.language)}",
        "back": back,
    }


DASHBOARDS = web.AppKey("dashboards", Recent[console.ScopeCounts])


async def dashboard(request: web.Request) -> web.Response:
    """GET /: counts by status and category, 14 days of new cases, cases near or past their
    service target, and the province map, all within the visitor's scope."""
    svc, visitor = services_of(request), visitor_of(request)
    member, language = visitor.member, visitor.language
    figures = await request.app[DASHBOARDS].get(
        (member.agency, member.scope, member.admin),
        lambda: console.scope_counts(svc, member),
        svc.now,
    )
    counts, today = figures.value, svc.today()
    late = near_or_past_target(counts.waiting, svc.casework, today, svc.settings.zone)
    category_rows = [
        (category_name(c, svc.jurisdiction, language), n)
        for c, n in counts.categories.most_common()
    ]
    return page(
        "dashboard.html", language, **_common(svc, visitor, "/"),
        scope=scope_label(member.scope, svc.jurisdiction, language),
        statuses=[(s, counts.statuses[s]) for s in STATUSES if counts.statuses.get(s)],
        total=sum(counts.statuses.values()), categories=category_rows,
        bars=day_bars(counts.per_day, today), day_label=day_label,
        late=[(c, k, place_of(c, svc.jurisdiction)) for c, k in late],
        tiles=province_tiles(counts.provinces, svc.jurisdiction.places),
        as_of=figures.at.astimezone(svc.settings.zone).strftime("%H:%M"),
    )  # fmt: skip


async def case_list(request: web.Request) -> web.Response:
    """GET /cases: the visitor's cases with the chat's filters (names or codes), an order and
    pages."""
    svc, visitor = services_of(request), visitor_of(request)
    member, language = visitor.member, visitor.language
    query = dict(request.query)
    sort = query.get("urut", SORTS[0])
    sort = sort if sort in SORTS else SORTS[0]
    parsed = parse_filters(filter_text(query), svc.jurisdiction, svc.today())
    common = _common(svc, visitor, request.path_qs)
    form = _filter_form(svc, language)
    if isinstance(parsed, FilterError):
        return page(
            "cases.html", language, **common, **form, query=query, sort=sort, cases=[],
            total=0, capped=False, page_number=1, pages=1, more=False, pager={},
            error=parsed.text("web_filter_bad", language, html=False),
        )  # fmt: skip
    filters, page_number = parsed
    rows, total = await console.case_page(
        svc, member, filters, page=page_number, page_size=PAGE_SIZE, order=sort, cap=COUNT_CAP
    )
    capped = total >= COUNT_CAP
    pages = max(1, -(-total // PAGE_SIZE))
    page_number = page_number if capped else min(page_number, pages)
    today, zone = svc.today(), svc.settings.zone
    cases = [
        (
            case,
            category_label(case, svc.jurisdiction, language),
            place_of(case, svc.jurisdiction),
            clock_of(case, svc.casework, today, zone),
            svc.local_date(case.created_at),
        )
        for case in rows
    ]
    pager = {**filter_query(filters), "urut": sort}
    return page(
        "cases.html", language, **common, **form, query=query, sort=sort, cases=cases,
        total=total, capped=capped, page_number=page_number,
        pages=None if capped else pages, more=len(rows) == PAGE_SIZE, pager=pager, error=None,
    )  # fmt: skip


def _filter_form(svc: Services, lang: Language) -> dict[str, object]:
    """The choices of the list's filter form."""
    rules = svc.jurisdiction.rules
    return {
        "status_choices": list(STATUSES),
        "agency_choices": [(b, rules.bodies[b].name.get(lang)) for b in rules.staff_agencies()],
        "category_choices": [(c.id, c.label.get(lang)) for c in rules.categories],
        "sorts": SORTS,
    }


async def _case_or_404(request: web.Request) -> tuple[Services, Visit, CaseRow]:
    svc, visitor = services_of(request), visitor_of(request)
    case = await casedesk.case_by_ticket(svc, visitor.member, request.match_info["ticket"])
    if case is None:
        log.info("web case view refused or not found")
        raise web.HTTPNotFound(text=catalogue().raw("web_not_found", visitor.language))
    return svc, visitor, case


async def case_page(request: web.Request) -> web.Response:
    """GET /cases/{ticket}: the case in full, its evidence, history, related cases and the
    actions the visitor may take."""
    svc, visitor, case = await _case_or_404(request)
    member, language = visitor.member, visitor.language
    view = await casedesk.case_view(svc, member, case, history=200)
    packet_list = packet_bodies(case, svc.jurisdiction, shipped_packets())
    detail = case_detail(
        case, svc.jurisdiction, svc.casework, svc.today(), language,
        deadlines=staff_deadlines(case.decision.deadlines, svc.jurisdiction, language),
        related_tickets=[], agency=member.agency, zone=svc.settings.zone, packets=packet_list,
    )  # fmt: skip
    rules = svc.jurisdiction.rules
    actions = case_actions(case, svc.casework, svc.jurisdiction, member.agency)
    items = [
        {
            "number": n,
            "kind": catalogue().raw(f"kind_{e.kind}", language),
            "name": Path(e.file_name or e.stored_path or "").name,
            "url": e.url,
            "image": bool(e.stored_path)
            and (e.kind == "photo" or e.mime_type in {"image/jpeg", "image/png"}),
            "file": bool(e.stored_path),
        }
        for n, e in enumerate(view.evidence, start=1)
    ]
    return page(
        "case.html", language, **_common(svc, visitor, request.path), case=case,
        detail=Markup(detail.text(language)),  # catalogue HTML, user text escaped in it
        history=history_lines(
            view.history, member.agency, member.admin, language, svc.settings.zone, svc.jurisdiction
        ),
        related=view.related, evidence=items,
        statuses=actions.statuses,
        forward_to=[(b, rules.bodies[b].name.get(language)) for b in actions.forward_to],
        packets=[(b, rules.bodies[b].name.get(language)) for b in packet_list],
        done=_done(request.query.get("hasil", "")),
    )  # fmt: skip


# what `?hasil=` may say: the outcomes of the case page's actions (anything else is ignored)
DONE = frozenset(
    {"forward", "forward_refused", "refer", "note", "note_empty", "status", "status_refused"}
)


def _done(value: str) -> str:
    return value if value in DONE else ""


def _back_to(case: CaseRow, done: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/cases/{case.ticket}?hasil={done}")


async def change_status(request: web.Request) -> web.Response:
    """POST /cases/{ticket}/status: new status with a note for the reporter or for staff."""
    svc, visitor, case = await _case_or_404(request)
    form = await request.post()
    public = str(form.get("visibility", "public")) != "internal"
    posted = staffdesk.StatusPosted(str(form.get("status", "")), str(form.get("note", "")), public)
    run = await casedesk.run_desk(svc, visitor.member, case, posted, visitor.language)
    if run.outbox_has_news:
        svc.wake_outbox()
    done = any(isinstance(r, casedesk.StatusChange) and r.done for r in run.results)
    raise _back_to(case, "status" if done else "status_refused")


async def forward(request: web.Request) -> web.Response:
    """POST /cases/{ticket}/forward: first the question (with the warning when the other body
    cannot act now), then, confirmed, the forward."""
    svc, visitor, case = await _case_or_404(request)
    form = await request.post()
    agency = str(form.get("agency", ""))
    actions = case_actions(case, svc.casework, svc.jurisdiction, visitor.member.agency)
    if agency not in actions.forward_to:
        raise _back_to(case, "forward_refused")
    target = await casedesk.forwarding(svc, visitor.member, case, agency)
    if target is None:
        raise _back_to(case, "forward_refused")
    if form.get("confirm") != "yes":
        channel = target.office.channel.get(visitor.language) if target.office.channel else ""
        return page(
            "forward.html", visitor.language, **_common(svc, visitor, request.path),
            case=case, agency=agency, office=target.office.name, idle=target.idle,
            reached=target.reached, channel=channel,
        )  # fmt: skip
    confirmed = staffdesk.ForwardConfirmed(agency)
    run = await casedesk.run_desk(svc, visitor.member, case, confirmed, visitor.language)
    if run.outbox_has_news:
        svc.wake_outbox()
    done = next((r for r in run.results if isinstance(r, staffdesk.ForwardTarget)), None)
    raise _back_to(case, "refer" if done is not None and not done.reached else "forward")


async def add_note(request: web.Request) -> web.Response:
    """POST /cases/{ticket}/note: an internal note."""
    svc, visitor, case = await _case_or_404(request)
    form = await request.post()
    posted = staffdesk.NotePosted(str(form.get("note", "")))
    run = await casedesk.run_desk(svc, visitor.member, case, posted, visitor.language)
    raise _back_to(case, "note" if any(r is True for r in run.results) else "note_empty")


async def evidence_file(request: web.Request) -> web.StreamResponse:
    """GET /cases/{ticket}/evidence/{number}: the stored (metadata-free) copy; JPEG and PNG
    photos shown in the page, everything else downloaded, never run."""
    svc, visitor, case = await _case_or_404(request)
    number = request.match_info["number"]
    stored = (await casedesk.case_view(svc, visitor.member, case)).evidence
    index = int(number) - 1 if number.isascii() and number.isdigit() and len(number) < 4 else -1
    if not 0 <= index < len(stored) or not stored[index].stored_path:
        raise web.HTTPNotFound(text=catalogue().raw("web_not_found", visitor.language))
    item = stored[index]
    path = Path(item.stored_path or "")
    data = await casedesk.evidence_bytes(svc, item)
    image = next((kind for magic, kind in IMAGE_TYPES.items() if data.startswith(magic)), None)
    name = f"{case.ticket}-{index + 1}{path.suffix or ''}"
    disposition = "inline" if image else "attachment"
    log.info("evidence file served on the web console")
    return web.Response(
        body=data,
        content_type=image or "application/octet-stream",
        headers={
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Content-Security-Policy": FILE_CSP,
        },
    )


async def packet(request: web.Request) -> web.Response:
    """GET /cases/{ticket}/packet/{body}: the body's filled-in form, without the reporter's
    identity."""
    svc, visitor, case = await _case_or_404(request)
    body = request.match_info["body"]
    if body not in packet_bodies(case, svc.jurisdiction, shipped_packets()):
        raise web.HTTPNotFound(text=catalogue().raw("web_not_found", visitor.language))
    data = await packets.staff_pdf(svc, case, body, visitor.language)
    return web.Response(
        body=data,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{case.ticket}-{body}.pdf"',
            "Content-Security-Policy": FILE_CSP,
        },
    )


async def export(request: web.Request) -> web.Response:
    """GET /export.csv: the visitor's cases with the list's filters, as CSV."""
    svc, visitor = services_of(request), visitor_of(request)
    parsed = parse_filters(filter_text(dict(request.query)), svc.jurisdiction, svc.today())
    if isinstance(parsed, FilterError):
        raise web.HTTPBadRequest(text=parsed.text("web_filter_bad", visitor.language, html=False))
    data, count = await casedesk.export_csv(svc, visitor.member, parsed[0], long_scan=True)
    log.info("web export: %s rows", count)
    name = f"lapor-netral-{svc.today().isoformat()}.csv"
    return web.Response(
        body=data,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _admin(request: web.Request) -> tuple[Services, Visit]:
    svc, visitor = services_of(request), visitor_of(request)
    if not visitor.member.admin:
        raise web.HTTPNotFound(text=catalogue().raw("web_not_found", visitor.language))
    return svc, visitor


async def _staff_list(svc: Services, visitor: Visit, answer: str | None) -> web.Response:
    """The staff page, with the answer to what was just done."""
    language, rules = visitor.language, svc.jurisdiction.rules

    def body_name(agency: str) -> str:
        body = rules.bodies.get(agency)
        return body.name.get(language) if body else text("staff_admin", language)

    members = [
        (m, body_name(m.agency), scope_label(m.scope, svc.jurisdiction, language))
        for m in await casedesk.staff_list(svc)
    ]
    return page(
        "staff.html", language, **_common(svc, visitor, "/staff"), members=members,
        agencies=[(b, rules.bodies[b].name.get(language)) for b in rules.staff_agencies()],
        answer=Markup(answer) if answer else None,  # catalogue HTML, its arguments escaped
    )  # fmt: skip


async def staff_page(request: web.Request) -> web.Response:
    """GET /staff: administrators list, add and remove staff."""
    svc, visitor = _admin(request)
    return await _staff_list(svc, visitor, None)


async def staff_change(request: web.Request) -> web.Response:
    """POST /staff: add or change a staff member (`user_id`, `agency`, `scope` as a code or
    a name), or remove one (`remove`)."""
    svc, visitor = _admin(request)
    form = await request.post()
    language = visitor.language
    user_text = str(form.get("user_id", "")).strip()
    if not user_text.isdigit():
        answer = catalogue().raw("web_staff_bad_id", language)
    elif form.get("remove"):
        answer = await casedesk.remove_staff(svc, int(user_text), language)
    else:
        _, answer = await casedesk.add_staff(
            svc, int(user_text), str(form.get("agency", "")),
            str(form.get("scope", "")).strip(), visitor.member.user_id, language,
        )  # fmt: skip
    return await _staff_list(svc, visitor, answer)
