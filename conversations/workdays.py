"""Working days in Indonesia: Monday to Friday, less national holidays and collective leave.

Holidays come from the maintained `holidays` package (its Indonesian calendar has the public
holidays and, as the `government` category, the collective leave days, cuti bersama, set each
year by joint ministerial decree). Deadlines and service targets are counted with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days."""

    days_off: frozenset[dt.date]

    def is_working_day(self, day: dt.date) -> bool:
        """Monday to Friday and not a holiday or collective leave day."""
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (`start` itself is not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current


WEEKDAYS_ONLY = WorkCalendar(frozenset())


@cache
def indonesian_calendar(first_year: int = 2019, last_year: int = 2035) -> WorkCalendar:
    """Indonesia's national holidays and collective leave days, loaded once."""
    years = range(first_year, last_year + 1)
    public = holidays.country_holidays("ID", years=years, categories=("public", "government"))
    return WorkCalendar(frozenset(public.keys()))
