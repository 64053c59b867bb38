"""The ports a messaging face implements for the application layer: `ChatPort`, to talk with
one person's chat (send the core's replies, a document, settle a pressed button, download an
attachment), and `Sender`, to send what the outbox queued, with the failures it may report.
The Telegram adapter implements both (`bot.chat`, `bot.outbox`); every messaging adapter does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from conversations.events import Attachment
from conversations.messages import Language
from conversations.replies import Reply
from storage import crypto
from storage.crypto import ChatRef

TELEGRAM = crypto.TELEGRAM  # the channels, as chat addresses begin
WHATSAPP = crypto.WHATSAPP

# the chat a queued message goes to: its keyed hash and its address (`telegram_id` on Telegram)
Recipient = ChatRef


class ChannelError(Exception):
    """The channel failed on the way (network, server): what was asked did not happen."""


class ChatPort(Protocol):
    """One chat of a messaging channel, as the services talk to it."""

    @property
    def address(self) -> str:
        """The chat's channel-qualified address ("telegram:123", "whatsapp:6281…"): sealed and
        hashed before storage, never logged."""

    async def send(self, replies: Sequence[Reply], language: Language) -> None:
        """Send the replies in order (text, buttons as the channel shows them)."""

    async def send_document(self, data: bytes, filename: str, caption: str) -> None:
        """Send a file with an HTML caption."""

    async def settle_press(self, first: Reply | None, language: Language) -> bool:
        """The person pressed a button of an earlier message: show `first` in its place (True)
        where the channel can edit messages, else take its buttons away (False). False when no
        button was pressed."""

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The attachment's bytes, never more than `max_bytes` (EvidenceRefusedError past
        them, ChannelError when the channel fails)."""


class RetryLaterError(Exception):
    """The channel asked us to wait (`seconds`) before sending again (a 429)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class RecipientBlockedError(Exception):
    """The recipient blocked the bot: the message is given up."""


class RefusedError(Exception):
    """The channel refused the message for good (`reason`): sending it again would be refused."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Sender(Protocol):
    """How one channel sends a queued payload to the address of a row's chat; a failure on the
    way raises OSError (or another exception: retried with back-off), the others above."""

    async def send(self, chat: Recipient, payload: dict[str, Any]) -> None:
        """Send one queued message: text with buttons, a document or a photo."""
