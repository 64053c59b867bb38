"""The public statistics page (no login): counts of all filed cases by province, category,
week and status, every small cell suppressed, and the same tables as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

from aiohttp import web

from conversations.bilingual import long_date
from conversations.console import StatCell, iso_week, suppressed, suppressed_total
from conversations.messages import Language, catalogue
from conversations.staffviews import category_name
from conversations.status import status_label
from storage import casequeries
from storage.database import ping
from web.auth import browser_language, reader_of, services_of
from web.figures import Recent
from web.render import page

TABLES = ("province", "category", "week", "status")
STATISTICS = web.AppKey("statistics", Recent[casequeries.PublicCounts])


async def _tables(
    request: web.Request, language: Language
) -> tuple[dict[str, list[StatCell]], int | None, dt.datetime]:
    """The public tables, suppressed, and when their counts were taken (shared by every
    visitor for STATISTICS_SECONDS: the page needs no login, so nobody can make it rescan
    the cases at will)."""
    svc = services_of(request)
    figures = await request.app[STATISTICS].get(
        "all", lambda: casequeries.public_counts(reader_of(request)), svc.now
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
    tables = {
        "province": suppressed(province_rows),
        "category": suppressed(category_rows),
        "week": suppressed([(w, w, n) for w, n in sorted(weeks.items())]),
        "status": suppressed(status_rows),
    }
    return tables, suppressed_total(counts.total), figures.at


async def stats_page(request: web.Request) -> web.Response:
    """GET /stats: the public tables, in the browser's language (`?lang=en` to choose)."""
    svc = services_of(request)
    language = browser_language(request, svc.settings.default_language)
    tables, total, at = await _tables(request, language)
    local = at.astimezone(svc.settings.zone)
    return page(
        "stats.html", language, tables=tables, names=TABLES, total=total, csrf="",
        other="en" if language == "id" else "id",
        as_of=f"{long_date(local.date(), language)} {local:%H:%M}",
    )  # fmt: skip


async def healthz(request: web.Request) -> web.Response:
    """GET /healthz: the process answers (for a load balancer or systemd's watchdog)."""
    return web.Response(text="ok")


async def readyz(request: web.Request) -> web.Response:
    """GET /readyz: the database answers too."""
    try:
        await ping(services_of(request).db)
    except Exception:
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
    small = catalogue().raw("web_suppressed", language)
    for name in TABLES:
        for cell in tables[name]:
            writer.writerow(
                [name, cell.key, cell.label, small if cell.count is None else cell.count]
            )
    writer.writerow(["total", "", "", small if total is None else total])
    return web.Response(
        body=("\ufeff" + out.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="lapor-netral-statistik.csv"'},
    )
