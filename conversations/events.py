"""The events that reach the pure core: what a person sent or pressed, and what became of it."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.draft import EvidenceItem, EvidenceKind


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
    """An inline button press with its callback data, and the button's label as the message
    showed it (None when the message could not be read)."""

    data: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Location:
    """A shared map location."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Contact:
    """A shared contact; `user_id` is the contact's Telegram id when it is a Telegram user."""

    phone: str
    user_id: int | None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the reporter sent (not downloaded yet)."""

    kind: EvidenceKind
    file_id: str
    file_unique_id: str
    size_bytes: int
    file_name: str
    mime_type: str | None


@dataclass(frozen=True, slots=True)
class EvidenceStored:
    """The shell downloaded and stored an attachment."""

    item: EvidenceItem


@dataclass(frozen=True, slots=True)
class EvidenceFailed:
    """The shell could not take an attachment: "download" failed, the bytes received were
    "too_big" (`size`), an image had too many pixels ("image_too_large"), or a document too many
    pages or objects to check ("document_too_complex")."""

    reason: str = "download"
    size: int = 0


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Something the bot cannot use where it came (a sticker, a poll, an edited message)."""

    kind: str


Event = (
    Command
    | Text
    | Press
    | Location
    | Contact
    | Attachment
    | EvidenceStored
    | EvidenceFailed
    | Unsupported
)
