"""Indonesia's provinces and regencies/cities, and a forgiving matcher for typed place names.

The list is `data/regions.csv` (Kemendagri codes; source in `data/REGIONS.md`); short forms
and other names are in `data/place_aliases.toml`.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

# Words that may stand before a name and do not identify it; the value says which level it hints.
_PREFIXES: tuple[tuple[str, str | None], ...] = (
    ("kabupaten administrasi", "regency"),
    ("kota administrasi", "city"),
    ("kab adm", "regency"),
    ("kota adm", "city"),
    ("kotamadya", "city"),
    ("kabupaten", "regency"),
    ("provinsi", None),
    ("kodya", "city"),
    ("prov", None),
    ("kota", "city"),
    ("kab", "regency"),
    ("daerah khusus ibukota", None),
    ("daerah istimewa", None),
)


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
class PlaceMatch:
    """What a typed name matched: one sure region, or candidates to offer the reporter."""

    region: Region | None
    candidates: tuple[Region, ...] = ()
    exact: bool = True


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def strip_prefix(name: str) -> tuple[str, str | None]:
    """Remove a leading Kabupaten/Kota/Provinsi word; return the rest and the level it hints."""
    for prefix, level in _PREFIXES:
        if name == prefix:
            return name, None
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :], level
    return name, None


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


class Places:
    """The region list with lookups by code and a forgiving name matcher."""

    def __init__(self, regions: Iterable[Region], aliases: dict[str, dict[str, Any]]) -> None:
        self._words: dict[str, str] = {
            normalize(k): normalize(v) for k, v in aliases.get("words", {}).items()
        }
        self._by_code = {r.code: r for r in regions}
        self._provinces = [r for r in self._by_code.values() if r.is_province]
        self._keys: dict[str, dict[str, set[str]]] = {"province": {}, "regency": {}}
        for region in self._by_code.values():
            group = "province" if region.is_province else "regency"
            full = self._key(region.name)
            base, _ = strip_prefix(full)
            for key in {full, base}:
                self._keys[group].setdefault(key, set()).add(region.code)
        for group, table in (("province", "provinces"), ("regency", "regencies")):
            for alias, codes in aliases.get(table, {}).items():
                unknown = [c for c in codes if c not in self._by_code]
                if unknown:
                    raise ValueError(f"place alias {alias!r} names unknown codes {unknown}")
                self._keys[group].setdefault(self._key(alias), set()).update(codes)

    def _key(self, text: str) -> str:
        """Normalized text with abbreviated words written out."""
        return " ".join(self._words.get(word, word) for word in normalize(text).split())

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
        query = self._key(text)
        if not query:
            return PlaceMatch(None)
        base, level = strip_prefix(query)
        keys = self._keys[group]

        def usable(codes: Iterable[str]) -> list[Region]:
            found = [self._by_code[c] for c in codes]
            if province_code and group == "regency":
                found = [r for r in found if r.province_code == province_code]
            if level and group == "regency":
                narrowed = [r for r in found if r.level == level]
                found = narrowed or found
            return sorted(found, key=lambda r: r.code)

        for key in (query, base):
            exact = usable(keys.get(key, ()))
            if exact:
                return PlaceMatch(exact[0] if len(exact) == 1 else None, tuple(exact))
        limit = _allowed_typos(len(base))
        best = limit + 1
        near: set[str] = set()
        for key, codes in keys.items():
            distance = min(edit_distance(base, key, limit), edit_distance(query, key, limit))
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
    aliases = tomllib.loads(data.joinpath("place_aliases.toml").read_text("utf-8"))
    return Places(regions, aliases)
