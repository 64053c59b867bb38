"""Case list filters as staff type them: `status=diterima prov=jabar kab=kota bandung kat=layanan
dari=2024-11-01 hal=2`. Values may be codes or names (places as people type them, statuses and
categories in either language, a unique beginning of a word); an unknown value is answered with
the valid ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from conversations.dates import read_date
from conversations.jurisdiction.engine import Jurisdiction
from conversations.messages import LANGUAGES, Language, Safe, catalogue
from conversations.places import normalize, regency_answer
from conversations.statuses import STATUSES


@dataclass(frozen=True)
class Filters:
    """What a staff list or export is narrowed to."""

    status: str | None = None
    agency: str | None = None
    province: str | None = None
    regency: str | None = None
    category: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


NO_FILTERS = Filters()


@dataclass(frozen=True)
class FilterError:
    """A filter that could not be read: the word typed, and what would be valid there."""

    word: str
    choices: tuple[str, ...] = ()
    how: str = "filter_how_pairs"  # without choices: the catalogue text saying how to write it

    def text(self, key: str, language: Language, *, html: bool = True) -> str:
        """The error in a catalogue text `key` ({filter}, {choices}): the valid choices where
        there are some, else how to write the value; as HTML for the chat, else plain text
        (the web console's templates escape it)."""
        texts = catalogue()
        listed = ", ".join(self.choices)
        if not html:
            choices = texts.raw("filter_choices", language).format(choices=listed)
            choices = choices if self.choices else texts.raw(self.how, language)
            return texts.raw(key, language).format(filter=self.word, choices=choices)
        if self.choices:
            choices = texts.render("filter_choices", language, choices=listed)
        else:
            choices = texts.render(self.how, language)
        return texts.render(key, language, filter=self.word, choices=Safe(choices))


MAX_PAGE_DIGITS = 6  # no list has a million pages

KEYS = {
    "status": "status",
    "badan": "agency", "agency": "agency", "lembaga": "agency",
    "prov": "province", "province": "province", "provinsi": "province",
    "kab": "regency", "reg": "regency", "kota": "regency", "regency": "regency",
    "kat": "category", "cat": "category", "category": "category", "kategori": "category",
    "dari": "since", "from": "since", "since": "since",
    "sampai": "until", "until": "until", "to": "until",
    "hal": "page", "page": "page",
}  # fmt: skip


def _pairs(text: str) -> list[tuple[str, str]] | FilterError:
    """`a=b c d=e` → [("a", "b c"), ("d", "e")]: words without `=` belong to the value before."""
    pairs: list[tuple[str, str]] = []
    for word in text.split():
        key, sep, value = word.partition("=")
        if sep:
            pairs.append((key, value))
        elif pairs:
            pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]} {word}".strip())
        else:
            return FilterError(word)
    return pairs


def _named(value: str, options: dict[str, list[str]]) -> str | None:
    """The option `value` names: its id, one of its names, or the unique option one of whose
    words begins with it."""
    typed = normalize(value)
    if not typed:
        return None
    for option, names in options.items():
        if typed in {normalize(option), *(normalize(name) for name in names)}:
            return option
    starting = {
        option
        for option, names in options.items()
        for name in [option.replace("_", " "), *names]
        for word in normalize(name).split()
        if word.startswith(typed)
    }
    return starting.pop() if len(starting) == 1 else None


def parse_filters(
    text: str, jurisdiction: Jurisdiction, today: dt.date
) -> tuple[Filters, int] | FilterError:
    """The filters and the page number typed, or what could not be read and the valid values."""
    pairs = _pairs(text)
    if isinstance(pairs, FilterError):
        return pairs
    texts = catalogue()
    rules = jurisdiction.rules
    places = jurisdiction.places
    statuses = {s: [texts.raw(f"status_{s}", lang) for lang in LANGUAGES] for s in STATUSES}
    bodies = {b: [info.name.id, info.name.en] for b, info in rules.bodies.items()}
    categories = {c.id: [c.label.id, c.label.en] for c in rules.categories}
    values: dict[str, object] = {}
    page = 1
    for key, value in pairs:
        field = KEYS.get(key.lower())
        word = f"{key}={value}"
        if field is None or not value:
            return FilterError(word, tuple(sorted({k for k in KEYS if k.isalpha()})))
        if field == "page":
            # ASCII digits only ("²" is a digit to Python, and int() refuses 4,301 of them)
            if not (value.isascii() and value.isdigit()) or len(value) > MAX_PAGE_DIGITS:
                return FilterError(word[:40], how="filter_how_page")
            page = max(1, int(value))
        elif field in {"since", "until"}:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                day = read_date(value, today).date  # type: ignore[assignment]
            if day is None:
                return FilterError(word, how="filter_how_date")
            values[field] = day
        elif field in {"status", "agency", "category"}:
            options = {"status": statuses, "agency": bodies, "category": categories}[field]
            chosen = _named(value, options)
            if chosen is None:
                return FilterError(word, tuple(options))
            values[field] = chosen
        elif field == "province":
            region = places.find(value)
            match = places.match_province(value)
            if region is None or not region.is_province:
                region = match.region if match.exact else None
            if region is None:
                return FilterError(
                    word, tuple(r.name for r in match.candidates), "filter_how_place"
                )
            values[field] = region.code
        else:
            found = places.find(value)
            if found is not None and not found.is_province:
                values[field] = found.code
                continue
            within = str(values.get("province", ""))
            answer = regency_answer(places, value, within) if within else None
            regency = answer.sure if answer and not answer.guessed else None
            if regency is None:
                match = places.match_regency(value)
                regency = match.region if match.exact else None
                if regency is None:
                    candidates = tuple(r.name for r in match.candidates)
                    return FilterError(word, candidates, "filter_how_place")
            values[field] = regency.code
    return Filters(**values), page  # type: ignore[arg-type]
