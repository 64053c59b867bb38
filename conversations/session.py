"""Per-chat state of the pure core and the events that change it."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.messages import Language


@dataclass(frozen=True, slots=True)
class Command:
    """A /command with whatever follows it."""

    name: str
    argument: str = ""


@dataclass(frozen=True, slots=True)
class Text:
    """A typed message."""

    text: str


@dataclass(frozen=True, slots=True)
class Press:
    """An inline button press with its callback data."""

    data: str


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Something the bot cannot use where it came (a sticker, a poll, an edited message)."""

    kind: str


Event = Command | Text | Press | Unsupported


@dataclass(frozen=True, slots=True)
class Profile:
    """Who is writing: the chat's language and the name to greet them by."""

    language: Language
    first_name: str = ""
