"""Indonesia's provinces and regencies/cities, and a forgiving matcher for typed place names.

The list is `data/regions.csv` (Kemendagri codes; source in `data/REGIONS.md`), with the
districts (kecamatan) in `data/districts.csv` to find the regency of a district; other names
people use are in `data/place_aliases.toml`. Before matching, a name is normalised: case,
accents, punctuation and dots in acronyms (`D.I.`, `N.T.B.`), hyphens, abbreviated words
(`Kep.`), numbers written as digits (`50 Kota`), and administrative words anywhere (`Provinsi`,
`Kab.`, `Kota`, `Daerah Istimewa`, `DKI`, ...) are dealt with; joined and split words match
each other (`Tanjungpinang` / `Tanjung Pinang`). A typo finds the place but says so, so that
the reporter is asked ("Maksud Anda ...?"), never answered for.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from conversations.datafiles import DataFileError, read_toml

# Administrative words that do not identify a place, wherever they stand; the value says which
# level (a Kota or a Kabupaten) the word points to. Multi-word ones are matched first.
_ADMIN_PHRASES: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("daerah", "khusus", "ibu", "kota"), None),
    (("daerah", "khusus", "ibukota"), None),
    (("daerah", "khusus"), None),
    (("daerah", "istimewa"), None),
    (("special", "capital", "region", "of"), None),
    (("special", "region", "of"), None),
    (("special", "region"), None),
    (("province", "of"), None),
    (("regency", "of"), None),
    (("city", "of"), None),
)
_ADMIN_WORDS: dict[str, str | None] = {
    "provinsi": None,
    "propinsi": None,
    "prov": None,
    "province": None,
    "kabupaten": "regency",
    "regency": "regency",
    "kota": "city",
    "kotamadya": "city",
    "kodya": "city",
    "city": "city",
    "administrasi": None,
    "adm": None,
    "dki": None,
    "dkj": None,
    "di": None,  # "D.I. Yogyakarta", and the preposition: "di kota serang"
}
_ONES = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_ACRONYM = re.compile(r"\b(?:[a-z]\.){2,}|\b(?:[a-z]\.)+[a-z]\b")


class PlacesError(DataFileError):
    """The region list or the alias file is malformed."""


@dataclass(frozen=True, slots=True)
class Region:
    """A province, regency or city."""

    code: str
    name: str
    level: str  # province, regency or city
    province_code: str
    province_name: str

    @property
    def is_province(self) -> bool:
        """True for the 38 provinces."""
        return self.level == "province"


@dataclass(frozen=True, slots=True)
class District:
    """A district (kecamatan; distrik in Papua) of a regency or city."""

    code: str
    name: str
    regency_code: str


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    """What a typed name matched: one sure region, or candidates to offer the reporter.

    `exact` is False for a guess from a typo: it must be confirmed, never taken silently.
    """

    region: Region | None
    candidates: tuple[Region, ...] = ()
    exact: bool = True


def normalize(text: str) -> str:
    """Lower case, no accents, dots in acronyms dropped, punctuation as spaces, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def number_words(number: int) -> str:
    """An Indonesian number in words, 1 to 99 ("50" -> "lima puluh")."""
    tens, ones = divmod(number, 10)
    if number < 10:
        return _ONES[number]
    if number == 10:
        return "sepuluh"
    if number == 11:
        return "sebelas"
    if tens == 1:
        return f"{_ONES[ones]} belas"
    head = f"{_ONES[tens]} puluh"
    return f"{head} {_ONES[ones]}" if ones else head


def strip_admin(tokens: list[str]) -> tuple[list[str], str | None]:
    """The words that name the place, without administrative words; and the level those hint
    at (None when none does). A name made only of such words is kept as it is."""
    kept: list[str] = []
    level: str | None = None
    i = 0
    while i < len(tokens):
        for phrase, hint in _ADMIN_PHRASES:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                level = level or hint
                break
        else:
            word = tokens[i]
            if word in _ADMIN_WORDS:
                level = level or _ADMIN_WORDS[word]
            else:
                kept.append(word)
            i += 1
    return (kept, level) if kept else (tokens, None)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count 1), or limit + 1 when larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed_typos(length: int) -> int:
    return 0 if length <= 3 else 1 if length <= 6 else 2


@dataclass(frozen=True, slots=True)
class _Typed:
    """A typed name as the matcher sees it: keys to look up, in order, and the level hint."""

    keys: tuple[str, ...]
    level: str | None


class Places:
    """The region list with lookups by code and a forgiving name matcher."""

    def __init__(
        self,
        regions: Iterable[Region],
        aliases: dict[str, Any],
        districts: Iterable[District] = (),
    ) -> None:
        self._words: dict[str, str] = {
            normalize(k): normalize(v) for k, v in aliases.get("words", {}).items()
        }
        self._by_code = {r.code: r for r in regions}
        # a district's name (as typed: spaced or joined) -> the regencies that have one so named
        self._districts: dict[str, set[str]] = {}
        for district in districts:
            if district.regency_code not in self._by_code:
                raise PlacesError(f"districts.csv: {district.code} lies in no known regency")
            words = normalize(district.name).split()
            for key in (" ".join(words), "".join(words)):
                self._districts.setdefault(key, set()).add(district.regency_code)
        self._provinces = [r for r in self._by_code.values() if r.is_province]
        self._keys: dict[str, dict[str, set[str]]] = {"province": {}, "regency": {}}
        self.official_keys: dict[str, dict[str, set[str]]] = {"province": {}, "regency": {}}
        by_name = {normalize(r.name): r.code for r in self._by_code.values()}
        for region in self._by_code.values():
            group = "province" if region.is_province else "regency"
            for key in self._typed(region.name).keys:
                self._keys[group].setdefault(key, set()).add(region.code)
                self.official_keys[group].setdefault(key, set()).add(region.code)
        self.aliases: dict[str, dict[str, set[str]]] = {"province": {}, "regency": {}}
        for group, table in (("province", "provinces"), ("regency", "regencies")):
            for alias, targets in aliases.get(table, {}).items():
                names = [targets] if isinstance(targets, str) else list(targets)
                codes = set()
                for name in names:
                    code = name if name in self._by_code else by_name.get(normalize(name))
                    if code is None:
                        raise PlacesError(f"place_aliases.toml: {alias!r} names unknown {name!r}")
                    codes.add(code)
                self._check_alias(group, alias, codes)
                self.aliases[group][alias] = codes
                for key in self._typed(alias).keys:
                    official = self.official_keys[group].get(key, codes)
                    if official <= codes:  # never hide another place's official name
                        self._keys[group].setdefault(key, set()).update(codes)

    def _check_alias(self, group: str, alias: str, codes: set[str]) -> None:
        """One meaning per province (a Kota/Kabupaten pair counts as one), and no official
        name of another place hidden."""
        bases: dict[str, set[str]] = {}
        for code in codes:
            region = self._by_code[code]
            base = region.name if region.is_province else region.name.split(" ", 1)[-1]
            bases.setdefault(region.province_code, set()).add(base)
        for province, names in bases.items():
            if len(names) > 1:
                count = len(names)
                raise PlacesError(
                    f"place_aliases.toml: {alias!r} means {count} places in province {province}"
                )
        key = normalize(alias)
        for form in (key, key.replace(" ", "")):
            hidden = self.official_keys[group].get(form, set()) - codes
            if hidden:
                raise PlacesError(
                    f"place_aliases.toml: {alias!r} hides the official name of {sorted(hidden)}"
                )

    def _typed(self, text: str) -> _Typed:
        """The keys of a name: as typed (administrative words too: "Kabupaten Pontianak" is a
        former name), then without administrative words; each with spaces and joined up."""
        tokens = [self._words.get(word, word) for word in normalize(text).split()]
        tokens = [number_words(int(w)) if w.isdigit() and 0 < int(w) < 100 else w for w in tokens]
        tokens = " ".join(tokens).split()
        named, level = strip_admin(tokens)
        keys: list[str] = []
        for words in (tokens, named):
            for key in (" ".join(words), "".join(words)):
                if key and key not in keys:
                    keys.append(key)
        return _Typed(tuple(keys), level)

    def get(self, code: str) -> Region:
        """The region with this code (KeyError when there is none)."""
        return self._by_code[code]

    def find(self, code: str | None) -> Region | None:
        """The region with this code, or None."""
        return self._by_code.get(code) if code else None

    def provinces(self) -> list[Region]:
        """All provinces in code order."""
        return sorted(self._provinces, key=lambda r: r.code)

    def regencies_of(self, province_code: str) -> list[Region]:
        """The regencies and cities of a province in code order."""
        return sorted(
            (
                r
                for r in self._by_code.values()
                if r.province_code == province_code and not r.is_province
            ),
            key=lambda r: r.code,
        )

    def all(self) -> list[Region]:
        """Every region."""
        return list(self._by_code.values())

    def district_regencies(
        self, words: list[str], province_code: str | None = None
    ) -> list[Region]:
        """The regencies and cities with a district of exactly this name (within one province
        when given), in code order."""
        codes = self._districts.get(" ".join(words), set()) | self._districts.get(
            "".join(words), set()
        )
        found = [self._by_code[c] for c in codes]
        if province_code:
            found = [r for r in found if r.province_code == province_code]
        return sorted(found, key=lambda r: r.code)

    def resolve(self, text: str) -> Region | None:
        """A code, or a name that exactly names one province or one regency or city (no typo
        guessing: for settings such as a staff member's area)."""
        found = self.find(text.strip())
        if found is not None:
            return found
        for match in (self.match_province(text), self.match_regency(text)):
            if match.region is not None and match.exact:
                return match.region
        return None

    def match_province(self, text: str) -> PlaceMatch:
        """Match a typed province name."""
        return self._match(text, "province", None)

    def match_regency(self, text: str, province_code: str | None = None) -> PlaceMatch:
        """Match a typed regency or city name, within one province when given."""
        return self._match(text, "regency", province_code)

    def _match(self, text: str, group: str, province_code: str | None) -> PlaceMatch:
        typed = self._typed(text)
        if not typed.keys:
            return PlaceMatch(None)
        keys = self._keys[group]

        def usable(codes: Iterable[str]) -> list[Region]:
            found = [self._by_code[c] for c in codes]
            if province_code and group == "regency":
                found = [r for r in found if r.province_code == province_code]
            if typed.level and group == "regency":
                narrowed = [r for r in found if r.level == typed.level]
                found = narrowed or found
            return sorted(found, key=lambda r: r.code)

        for key in typed.keys:
            exact = usable(keys.get(key, ()))
            if exact:
                return PlaceMatch(exact[0] if len(exact) == 1 else None, tuple(exact))
        base = typed.keys[0]
        limit = _allowed_typos(len(base.replace(" ", "")))
        best = limit + 1
        near: set[str] = set()
        for key, codes in keys.items():
            if province_code and group == "regency" and not usable(codes):
                continue
            distance = min(edit_distance(typed_key, key, limit) for typed_key in typed.keys)
            if distance < best:
                best, near = distance, set(codes)
            elif distance == best:
                near |= codes
        if best > limit:
            return PlaceMatch(None, (), exact=False)
        candidates = usable(near)
        if len(candidates) == 1:
            return PlaceMatch(candidates[0], tuple(candidates), exact=False)
        return PlaceMatch(None, tuple(candidates[:8]), exact=False)


@dataclass(frozen=True, slots=True)
class PlaceAnswer:
    """What a place typed at a question means: one place to take (`sure`), or places to offer
    (one to confirm, several to choose from; `guessed` when they come from a typo). `moved`:
    the place lies in another province than the one given before."""

    sure: Region | None = None
    offer: tuple[Region, ...] = ()
    guessed: bool = False
    moved: bool = False


# Words that say the next name is a district (kecamatan), and filler around a place.
_DISTRICT_WORDS = frozenset({"kec", "kecamatan", "distrik", "district", "subdistrict"})
_FILLER = frozenset({"di", "daerah", "wilayah", "lokasi", "tempat", "at", "in", "the", "area"})


def _words_of(text: str) -> list[str]:
    return [word for word in normalize(text).split() if word not in _FILLER]


def compound_answer(places: Places, text: str, province_code: str | None = None) -> PlaceAnswer:
    """A place written with more than one level in one answer: a regency or city with its
    province ("kota serang banten", "serang, banten": taken when it names one place, else
    its places offered), or a district with or without its regency or province ("di kec.
    ciruas serang": its regency offered; a district name several regencies share: asked)."""
    words = _words_of(text)
    for cut in range(len(words) - 1, 0, -1):  # "<regency> <province>"
        province = places.match_province(" ".join(words[cut:]))
        if province.region is None or not province.exact:
            continue
        if province_code and province.region.code != province_code:
            continue
        head = [w for w in words[:cut] if w not in _DISTRICT_WORDS]
        regency = places.match_regency(" ".join(head), province.region.code)
        if regency.exact and regency.region is not None:
            return PlaceAnswer(sure=regency.region)
        if regency.exact and regency.candidates:
            return PlaceAnswer(offer=regency.candidates)
        if in_district := _district_answer(places, head, province.region.code):
            return in_district
    return _district_answer(places, words, province_code) or PlaceAnswer()


def _district_answer(
    places: Places, words: list[str], province_code: str | None
) -> PlaceAnswer | None:
    """A district name, alone or before (or after) the name of its regency: the regencies
    that have a district so named, narrowed by the regency name when one is given."""
    if any(w in _DISTRICT_WORDS for w in words):
        marker = next(i for i, w in enumerate(words) if w in _DISTRICT_WORDS)
        before, after = words[:marker], [w for w in words[marker + 1 :] if w not in _DISTRICT_WORDS]
    else:
        before, after = [], words
    for cut in range(len(after), 0, -1):
        regencies = places.district_regencies(after[:cut], province_code)
        rest = before + after[cut:]
        if rest and regencies:  # "ciruas serang": the district's regency named after it
            named = places.match_regency(" ".join(rest), province_code)
            if named.exact and named.candidates:
                regencies = [r for r in regencies if r in named.candidates] or regencies
        if regencies:
            return PlaceAnswer(offer=tuple(regencies))
    return None


def province_answer(places: Places, text: str) -> PlaceAnswer:
    """A place typed at the province question: a province is taken; a regency or city is
    offered with its province ("Kabupaten Lebak, Banten — benar?"), or taken when written
    with its province; a district's regency is offered; a typo is offered as a guess; a name
    two places share is asked."""
    match = places.match_province(text)
    if match.region is not None and match.exact:
        return PlaceAnswer(sure=match.region)
    if match.candidates and match.exact:
        return PlaceAnswer(offer=match.candidates)
    regency = places.match_regency(text)
    if regency.candidates and regency.exact:
        return PlaceAnswer(offer=regency.candidates)
    compound = compound_answer(places, text)
    if compound.sure:
        return compound
    if compound.offer:  # a district's regency; a typo of a place's name may be meant instead
        guesses = match.candidates or regency.candidates
        return PlaceAnswer(offer=tuple(dict.fromkeys((*guesses, *compound.offer))))
    if match.candidates:
        return PlaceAnswer(offer=match.candidates, guessed=True)
    if regency.region is not None:
        return PlaceAnswer(offer=regency.candidates, guessed=True)
    return PlaceAnswer()


def regency_answer(places: Places, text: str, province_code: str) -> PlaceAnswer:
    """A place typed at the regency question of a province. A place of another province (the
    wrong one, or a former one: Papua 2022, Kalimantan Utara 2012) is taken with the province
    it is in now; a name two places share is asked; a typo is offered as a guess."""
    match = places.match_regency(text, province_code)
    if match.region is not None and match.exact:
        return PlaceAnswer(sure=match.region)
    if match.candidates and match.exact:
        return PlaceAnswer(offer=match.candidates)
    elsewhere = places.match_regency(text)
    if elsewhere.region is not None and elsewhere.exact:
        return PlaceAnswer(sure=elsewhere.region, moved=True)
    if elsewhere.candidates and elsewhere.exact:
        return PlaceAnswer(offer=elsewhere.candidates, moved=True)
    compound = compound_answer(places, text, province_code)  # a district of the province
    if compound.sure or compound.offer:
        return compound
    if match.candidates:
        return PlaceAnswer(offer=match.candidates, guessed=True)
    compound = compound_answer(places, text)  # with another province, or a district there
    if compound.sure or compound.offer:
        return replace(compound, moved=True)
    return PlaceAnswer()


def _read_districts(text: str) -> list[District]:
    return [
        District(code=row["code"], name=row["name"], regency_code=row["regency_code"])
        for row in csv.DictReader(io.StringIO(text))
    ]


def _read_regions(text: str) -> list[Region]:
    rows = csv.DictReader(io.StringIO(text))
    regions = []
    for row in rows:
        regions.append(
            Region(
                code=row["code"],
                name=row["name"],
                level=row["level"],
                province_code=row["province_code"],
                province_name=row["province_name"],
            )
        )
    return regions


@cache
def places() -> Places:
    """The shipped region list, loaded once."""
    data = resources.files("conversations").joinpath("data")
    regions = _read_regions(data.joinpath("regions.csv").read_text("utf-8"))
    text = data.joinpath("place_aliases.toml").read_text("utf-8")
    districts = _read_districts(data.joinpath("districts.csv").read_text("utf-8"))
    return Places(regions, read_toml(text, "place_aliases.toml", PlacesError), districts)
