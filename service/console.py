"""What the web console reads beyond one case: the dashboard's counts within a member's scope,
a page of their cases in any order, and the public statistics (all on the reader: long scans
stay off the bot's connection)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from conversations.casefilters import Filters
from conversations.caserow import CaseRow
from conversations.staff import StaffMember
from service.services import Services
from storage import casequeries
from storage.casequeries import PublicCounts

__all__ = ["PublicCounts", "ScopeCounts", "case_page", "public_counts", "scope_counts"]

DASHBOARD_DAYS = 15  # the dashboard's bars show 14 days; one more covers the time zone


@dataclass(frozen=True)
class ScopeCounts:
    """A scope's dashboard figures."""

    statuses: Counter[str]
    categories: Counter[str]
    provinces: Counter[str]
    per_day: Counter[dt.date]
    waiting: list[CaseRow]


async def scope_counts(svc: Services, member: StaffMember) -> ScopeCounts:
    """Counts by status, category and province, new cases per local day, and the cases
    waiting longest, within what the member may see."""
    reader, policy = svc.scans(), svc.jurisdiction.visibility
    statuses: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    provinces: Counter[str] = Counter()
    for (status, category, province), count in (
        await casequeries.breakdown(reader, member, policy)
    ).items():
        statuses[status] += count
        categories[category] += count
        provinces[province] += count
    since = svc.now() - dt.timedelta(days=DASHBOARD_DAYS)
    per_day: Counter[dt.date] = Counter()
    for hour, count in (await casequeries.hourly_totals(reader, member, policy, since)).items():
        per_day[svc.local_date(hour)] += count
    waiting = await casequeries.waiting_longest(
        reader, member, policy, svc.cipher, svc.casework.final, limit=500
    )
    return ScopeCounts(statuses, categories, provinces, per_day, waiting)


async def case_page(
    svc: Services,
    member: StaffMember,
    filters: Filters,
    *,
    page: int,
    page_size: int,
    order: str,
    cap: int,
) -> tuple[list[CaseRow], int]:
    """One page of the member's cases in `order` (without their free text), and how many
    there are (counted up to `cap`: past it the pages are not numbered)."""
    reader, policy = svc.scans(), svc.jurisdiction.visibility
    total = await casequeries.count_visible(reader, member, policy, filters, cap=cap)
    if total < cap:
        page = min(page, max(1, -(-total // page_size)))
    rows = await casequeries.visible(
        reader, member, policy, filters=filters, limit=page_size,
        offset=(page - 1) * page_size, order=order, cipher=svc.cipher, text=False,
    )  # fmt: skip
    return rows, total


async def public_counts(svc: Services, before: dt.datetime) -> PublicCounts:
    """Every case filed before `before`, counted for the public page."""
    return await casequeries.public_counts(svc.scans(), before)
