"""Reading dates as Indonesians (and English speakers) type them.

`read_date` understands a date in many forms (14/2/2024, 14 Feb, Feb 12, 2024-02-14), relative
ones (hari ini, kemarin, kemarin lusa, 3 hari lalu, dua minggu lalu, sebulan lalu, senin lalu,
kamis kemarin, last monday, 2 weeks ago) and "I don't remember" (tidak ingat, ga tau, lupa).
Where a form can mean several days it returns them so the reporter is asked (minggu lalu /
last week: which day; 5/6/2024 typed in English: 5 June or 6 May).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from conversations.places import normalize

_MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2, "febuari": 2,
    "maret": 3, "mar": 3, "march": 3, "mrt": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8, "agust": 8, "agus": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_WEEKDAYS = {
    "senin": 0, "monday": 0, "mon": 0, "sen": 0,
    "selasa": 1, "tuesday": 1, "tue": 1, "tues": 1, "sel": 1,
    "rabu": 2, "wednesday": 2, "wed": 2,
    "kamis": 3, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "kam": 3,
    "jumat": 4, "jum at": 4, "jumaat": 4, "friday": 4, "fri": 4, "jum": 4,
    "sabtu": 5, "saturday": 5, "sat": 5, "sab": 5,
    "ahad": 6, "minggu": 6, "sunday": 6, "sun": 6,
}  # fmt: skip
_NUMBERS = {
    "se": 1, "satu": 1, "one": 1, "a": 1, "an": 1,
    "dua": 2, "two": 2, "tiga": 3, "three": 3, "empat": 4, "four": 4, "lima": 5, "five": 5,
    "enam": 6, "six": 6, "tujuh": 7, "seven": 7, "delapan": 8, "eight": 8,
    "sembilan": 9, "nine": 9, "sepuluh": 10, "ten": 10, "sebelas": 11, "eleven": 11,
    "dua belas": 12, "twelve": 12,
}  # fmt: skip
_TODAY = {
    "hari ini", "today", "td", "sekarang", "tadi", "now", "barusan", "baru saja", "tadi pagi",
    "tadi siang", "tadi sore", "tadi malam", "pagi ini", "siang ini", "sore ini", "malam ini",
    "this morning", "this afternoon", "this evening", "tonight", "just now",
}  # fmt: skip
_YESTERDAY = {
    "kemarin", "kemaren", "yesterday", "kmrn", "kmarin", "kmren", "semalam", "kemarin pagi",
    "kemarin siang", "kemarin sore", "kemarin malam", "last night", "yesterday morning",
    "yesterday afternoon", "yesterday evening", "tadi malam kemarin",
}  # fmt: skip
_DAY_BEFORE = {
    "kemarin lusa", "lusa kemarin", "kemarinnya lagi", "day before yesterday",
    "the day before yesterday",
}  # fmt: skip
_FUTURE = {
    "besok": 1, "besuk": 1, "bsk": 1, "besok pagi": 1, "besok siang": 1, "besok sore": 1,
    "besok malam": 1, "tomorrow": 1, "lusa": 2, "besok lusa": 2, "day after tomorrow": 2,
    "minggu depan": 7, "pekan depan": 7, "next week": 7, "bulan depan": 30, "next month": 30,
}  # fmt: skip
_LAST_WEEK = {"minggu lalu", "pekan lalu", "minggu kemarin", "pekan kemarin", "last week"}
_UNKNOWN = {
    "tidak ingat", "tdk ingat", "gak ingat", "ga ingat", "nggak ingat", "enggak ingat",
    "lupa", "saya lupa", "aku lupa", "sudah lupa", "ga tau", "gak tau", "nggak tau", "ngga tau",
    "tidak tahu", "tidak tau", "tdk tau", "tdk tahu", "gak tahu", "ga tahu", "nggak tahu",
    "entah", "entahlah", "kurang ingat", "tidak yakin", "lupa tanggalnya",
    "tidak ingat tanggalnya", "don t remember", "dont remember", "i don t remember",
    "i dont remember", "do not remember", "i forgot", "forgot", "don t know", "dont know",
    "i don t know", "not sure", "unknown", "no idea", "can t remember", "cant remember",
}  # fmt: skip
_NUMERIC = re.compile(r"^(\d{1,2})[/\-. ](\d{1,2})(?:[/\-. ](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_MONTH = re.compile(
    r"^(?:tanggal |tgl |tg |the |on )?(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+)"
    r"(?: (\d{4}|\d{2}))?$"
)
_MONTH_DAY = re.compile(r"^(?:on )?([a-z]+) (\d{1,2})(?:st|nd|rd|th)?(?: (\d{4}|\d{2}))?$")
_DAY_ONLY = re.compile(r"^(?:tanggal|tgl|tg) (\d{1,2})$")
_AGO = re.compile(
    r"^(\d{1,3}|[a-z]+(?: belas)?) ?(hari|minggu|pekan|bulan|days?|weeks?|months?)"
    r"(?: (?:yang )?(?:lalu|lalu|kemarin|yg lalu|ago|sebelumnya))$"
)
_WEEKDAY = re.compile(
    r"^(?:(?:hari|pada hari|on|last|this past) )?([a-z]+(?: at)?)"
    r"(?: (lalu|kemarin|kemaren|kmrn|last|ago))?$"
)


@dataclass(frozen=True)
class DateReading:
    """What a typed date means: one day, several days to choose from, or "don't remember"
    (`unknown`); nothing understood when all are empty."""

    date: dt.date | None = None
    options: tuple[dt.date, ...] = ()
    unknown: bool = False
    # a date that cannot be: (day, month, year) as typed, e.g. 31/2/2026 (the month may be > 12)
    no_such_day: tuple[int, int, int] | None = None


class _NoSuchDayError(ValueError):
    def __init__(self, year: int, month: int, day: int) -> None:
        super().__init__(f"{day}/{month}/{year}")
        self.typed = (day, month, year)


def _day(year: int, month: int, day: int) -> dt.date:
    """The date, or _NoSuchDayError naming what was typed."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _NoSuchDayError(year, month, day) from None


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _count(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return _NUMBERS.get(text)


def _past(today: dt.date, month: int, day: int) -> dt.date:
    """The day and month given without a year: this year's, or last year's if it is to come."""
    if month == 2 and day == 29:  # a leap day without a year: the last one that has been
        year = today.year if today >= dt.date(today.year, 3, 1) else today.year - 1
        while not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
            year -= 1
        return _day(year, month, day)
    guess = _day(today.year, month, day)
    return guess if guess <= today else _day(today.year - 1, month, day)


def _months_back(today: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    first_of_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last_day = (first_of_next - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(today.day, last_day))


def read_date(typed: str, today: dt.date, day_first: bool = True) -> DateReading:
    """The day (or days) meant by `typed`. `day_first` is False for a reader who may write the
    month first (English): then 5/6/2024 is asked, 13/6/2024 is not."""
    text = typed.strip().lower()
    words = normalize(text)
    try:
        return _read(text, words, today, day_first)
    except _NoSuchDayError as exc:  # a day that does not exist, such as 31/2
        return DateReading(no_such_day=exc.typed)
    except ValueError:
        return DateReading()


def _read(text: str, words: str, today: dt.date, day_first: bool) -> DateReading:
    if words in _FUTURE:  # read, so that the answer can say it is to come
        return DateReading(today + dt.timedelta(days=_FUTURE[words]))
    if words in _TODAY:
        return DateReading(today)
    if words in _YESTERDAY:
        return DateReading(today - dt.timedelta(days=1))
    if words in _DAY_BEFORE:
        return DateReading(today - dt.timedelta(days=2))
    if words in _UNKNOWN:
        return DateReading(unknown=True)
    if words in _LAST_WEEK:
        monday = today - dt.timedelta(days=today.weekday() + 7)
        return DateReading(options=tuple(monday + dt.timedelta(days=i) for i in range(7)))
    iso = _ISO.match(text)
    if iso:
        return DateReading(_day(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))))
    numeric = _NUMERIC.match(text)
    if numeric:
        first, second, year_text = numeric.groups()
        a, b = int(first), int(second)
        if year_text is None:
            return DateReading(_past(today, b, a)) if b <= 12 else DateReading()
        year = _year(year_text)
        if not day_first and a <= 12 and b <= 12 and a != b:
            return DateReading(options=(_day(year, b, a), _day(year, a, b)))
        if not day_first and b > 12:  # month first, unmistakably
            return DateReading(_day(year, a, b))
        return DateReading(_day(year, b, a))
    ago = _AGO.match(words)
    if ago:
        count = _count(ago.group(1))
        if count is None:
            return DateReading()
        unit = ago.group(2)
        if unit.startswith(("hari", "day")):
            return DateReading(today - dt.timedelta(days=count))
        if unit.startswith(("minggu", "pekan", "week")):
            return DateReading(today - dt.timedelta(weeks=count))
        return DateReading(_months_back(today, count))
    day_month = _DAY_MONTH.match(words)
    month_day = _MONTH_DAY.match(words)
    named = (
        (day_month.group(1), day_month.group(2), day_month.group(3))
        if day_month
        else (month_day.group(2), month_day.group(1), month_day.group(3))
        if month_day
        else None
    )
    if named is not None and named[1] in _MONTHS:
        day, month = int(named[0]), _MONTHS[named[1]]
        if named[2]:
            return DateReading(_day(_year(named[2]), month, day))
        return DateReading(_past(today, month, day))
    day_only = _DAY_ONLY.match(words)
    if day_only:
        day = int(day_only.group(1))
        this_month = today.replace(day=1)
        if day <= today.day:
            return DateReading(this_month.replace(day=day))
        last = this_month - dt.timedelta(days=1)
        return DateReading(last.replace(day=day))
    weekday = _WEEKDAY.match(words)
    if weekday and weekday.group(1) in _WEEKDAYS:
        target = _WEEKDAYS[weekday.group(1)]
        back = (today.weekday() - target) % 7
        strictly_before = weekday.group(2) is not None or words.startswith(("last ", "this past "))
        if back == 0 and strictly_before:
            back = 7
        return DateReading(today - dt.timedelta(days=back))
    return DateReading()


def parse_date(typed: str, today: dt.date) -> dt.date | None:
    """The one day meant by `typed` (day first, as Indonesians write it), or None."""
    return read_date(typed, today).date
