"""The message catalogue: every text a user sees, in Bahasa Indonesia and English.

Texts live in `data/messages.toml` (Telegram HTML). Arguments are escaped when rendered unless
they are wrapped in `Safe` (text the program built from catalogue texts itself).
"""

from __future__ import annotations

import html
import string
import unicodedata
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Literal

from conversations.datafiles import DataFileError, read_toml

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")


class Safe(str):
    """Text that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


class CatalogueError(DataFileError):
    """The message file is incomplete or malformed."""


class Catalogue:
    """Texts by key and language."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]]) -> None:
        self._texts = {key: dict(value) for key, value in texts.items()}
        for key, value in self._texts.items():
            missing = [lang for lang in LANGUAGES if not str(value.get(lang, "")).strip()]
            if missing:
                raise CatalogueError(f"message {key!r} has no text in {', '.join(missing)}")
            for lang in LANGUAGES:
                _check_placeholders(key, lang, value[lang])
            if _fields(value["id"]) != _fields(value["en"]):
                raise CatalogueError(f"message {key!r} uses different placeholders per language")

    def names(self) -> list[str]:
        """Every message key."""
        return sorted(self._texts)

    def raw(self, key: str, language: Language) -> str:
        """The unformatted text."""
        try:
            return self._texts[key][language]
        except KeyError:
            raise KeyError(f"no message {key!r}") from None

    def render(self, key: str, language: Language, /, **args: object) -> str:
        """The message in `language` with its arguments HTML-escaped (unless `Safe`)."""
        escaped = {name: _escape(value) for name, value in args.items()}
        return self.raw(key, language).format_map(escaped)


# Right-to-left overrides and isolates turn the rest of a line around ("gnp.exe" shown for
# "exe.png"): shown as a visible mark instead. Marks stacked on one letter are capped.
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"),
    "\ufffd",
)
MAX_COMBINING = 2


def neutralise(text: str) -> str:
    """User text as it may be shown: bidi controls made visible, stacks of combining marks
    (the "zalgo" flood) cut to two per letter. Stored text is never changed."""
    if text.isascii():  # no controls to show, no marks to stack
        return text
    text = text.translate(_BIDI_CONTROLS)
    if not any(unicodedata.combining(c) for c in text):
        return text
    out: list[str] = []
    run = 0
    for char in text:
        if unicodedata.combining(char):
            run += 1
            if run > MAX_COMBINING:
                continue
        else:
            run = 0
        out.append(char)
    return "".join(out)


def escape(text: str) -> str:
    """User text made safe for Telegram HTML (the one escaping helper of the project)."""
    return html.escape(neutralise(text), quote=False)


def _escape(value: object) -> str:
    return str(value) if isinstance(value, Safe) else escape(str(value))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _check_placeholders(key: str, lang: str, text: str) -> None:
    try:
        list(string.Formatter().parse(text))
    except ValueError as exc:
        raise CatalogueError(f"message {key!r} ({lang}) has a broken placeholder: {exc}") from None


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once."""
    raw = resources.files("conversations").joinpath("data/messages.toml").read_text("utf-8")
    return Catalogue(read_toml(raw, "messages.toml", CatalogueError))


def as_language(value: object) -> Language:
    """A language as stored or posted: "en" is English, anything else Indonesian."""
    return "en" if value == "en" else "id"


def other_language(language: Language) -> Language:
    """Indonesian ↔ English."""
    return "en" if language == "id" else "id"


def language_from_code(code: str | None) -> Language:
    """Telegram's language_code to ours: Indonesian (and Javanese, Sundanese) → id."""
    if code and code.split("-")[0].lower() in {"id", "in", "jv", "su"}:
        return "id"
    return "en"
