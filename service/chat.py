"""What the application layer needs of a face to talk with one person's chat: send the core's
replies, send a document, answer a pressed button, download an attachment. The Telegram adapter
implements it (`bot.chat.TelegramChat`); every messaging adapter does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from conversations.events import Attachment
from conversations.messages import Language
from conversations.replies import Reply


class ChannelError(Exception):
    """The channel failed on the way (network, server): what was asked did not happen."""


class ChatPort(Protocol):
    """One chat of a messaging channel, as the services talk to it."""

    @property
    def chat_id(self) -> int:
        """The channel's id of the chat (its address)."""

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
