"""Reading dates as Indonesians (and English speakers) type them."""

from __future__ import annotations

import datetime as dt
import re

from conversations.places import normalize

_MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8, "agust": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_TODAY = {"hari ini", "today", "td", "sekarang", "tadi", "now"}
_YESTERDAY = {"kemarin", "kemaren", "yesterday", "kmrn", "kmarin"}
_DAY_BEFORE = {"kemarin lusa", "lusa kemarin", "2 hari lalu", "dua hari lalu"}
_NUMERIC = re.compile(r"^(\d{1,2})[/\-. ](\d{1,2})[/\-. ](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2}) ([a-z]+)(?: (\d{2}|\d{4}))?$")
_DAYS_AGO = re.compile(r"^(\d{1,3}) (?:hari (?:yang )?lalu|days? ago)$")


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_date(typed: str, today: dt.date) -> dt.date | None:
    """The date meant by `typed`, or None. Accepts "hari ini", "kemarin", "3 hari lalu",
    14/2/2024, 14-02-2024, 14.2.24, 2024-02-14, 14 Feb 2024, 14 Februari 2024, 14 Februari."""
    text = typed.strip().lower()
    iso = _ISO.match(text)
    words = normalize(text)
    if words in _TODAY:
        return today
    if words in _YESTERDAY:
        return today - dt.timedelta(days=1)
    if words in _DAY_BEFORE:
        return today - dt.timedelta(days=2)
    try:
        if iso:
            return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        numeric = _NUMERIC.match(text.replace(" ", "/") if "/" not in text else text)
        if numeric:
            day, month, year = numeric.groups()
            return dt.date(_year(year), int(month), int(day))
        ago = _DAYS_AGO.match(words)
        if ago:
            return today - dt.timedelta(days=int(ago.group(1)))
        named = _WORDS.match(words.removeprefix("tanggal ").removeprefix("tgl "))
        if named and named.group(2) in _MONTHS:
            day, month = int(named.group(1)), _MONTHS[named.group(2)]
            if named.group(3):
                return dt.date(_year(named.group(3)), month, day)
            guess = dt.date(today.year, month, day)
            return guess if guess <= today else dt.date(today.year - 1, month, day)
    except ValueError:
        return None
    return None
