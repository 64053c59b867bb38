"""The public statistics page (no login): counts of the cases filed before this week by
province, category, week and status, as conversations.disclosure lets them be shown, and the
same tables as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

from aiohttp import web

from conversations.bilingual import long_date
from conversations.console import iso_week
from conversations.disclosure import StatCell, publish, week_start
from conversations.messages import Language, other_language
from conversations.staffviews import category_name
from conversations.status import status_label
from service import console
from web.auth import browser_language, services_of
from web.figures import Recent
from web.render import page, published

TABLES = ("province", "category", "week", "status")
STATISTICS = web.AppKey("statistics", Recent[console.PublicCounts])


async def _tables(
    request: web.Request, language: Language
) -> tuple[dict[str, list[StatCell]], StatCell, dt.datetime]:
    """The public tables as the disclosure rule lets them be shown, their total, and the
    moment they count up to (the start of this week; the counts are shared by every visitor
    for STATISTICS_SECONDS: the page needs no login, so nobody can make it rescan the cases at
    will)."""
    svc = services_of(request)
    before = week_start(svc.now())
    figures = await request.app[STATISTICS].get(
        before.isoformat(),
        lambda: console.public_counts(svc, before),
        svc.now,
    )
    counts = figures.value
    places, jurisdiction = svc.jurisdiction.places, svc.jurisdiction
    weeks: Counter[str] = Counter()
    for day, count in counts.by_day.items():
        weeks[iso_week(dt.date.fromisoformat(day))] += count
    province_rows = [
        (code, places.get(code).name if places.find(code) else code, count)
        for code, count in sorted(counts.by_province.items())
    ]
    category_rows = [
        (key, category_name(key, jurisdiction, language), count)
        for key, count in sorted(counts.by_category.items(), key=lambda item: -item[1])
    ]
    status_rows = [
        (key, status_label(key, language), count) for key, count in sorted(counts.by_status.items())
    ]
    tables, total = publish(
        {
            "province": province_rows,
            "category": category_rows,
            "week": [(w, w, n) for w, n in sorted(weeks.items())],
            "status": status_rows,
        },
        counts.total,
    )
    return tables, total, before


async def stats_page(request: web.Request) -> web.Response:
    """GET /stats: the public tables, in the browser's language (`?lang=en` to choose)."""
    svc = services_of(request)
    language = browser_language(request, svc.settings.default_language)
    tables, total, before = await _tables(request, language)
    return page(
        "stats.html", language, tables=tables, names=TABLES, total=total, csrf="",
        other=other_language(language),
        as_of=long_date((before - dt.timedelta(days=1)).date(), language),
    )  # fmt: skip


async def healthz(request: web.Request) -> web.Response:
    """GET /healthz: the process answers (for a load balancer or systemd's watchdog)."""
    return web.Response(text="ok")


async def readyz(request: web.Request) -> web.Response:
    """GET /readyz: the database answers too."""
    if not await services_of(request).ready():
        return web.Response(status=503, text="database unavailable")
    return web.Response(text="ready")


async def stats_csv(request: web.Request) -> web.Response:
    """GET /stats.csv: the same tables, one row per cell (`<5` where suppressed)."""
    svc = services_of(request)
    language = browser_language(request, svc.settings.default_language)
    tables, total, _ = await _tables(request, language)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "key", "label", "count"])
    for name in TABLES:
        for cell in tables[name]:
            writer.writerow([name, cell.key, cell.label, published(cell, language)])
    writer.writerow(["total", "", "", published(total, language)])
    return web.Response(
        body=("\ufeff" + out.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="lapor-netral-statistik.csv"'},
    )
