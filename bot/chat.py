"""The Telegram chat behind the services' ChatPort: replies as HTML messages with inline
keyboards, an answered button edited in place, files through the Bot API."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import MaybeInaccessibleMessage, Message
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.evidence import download
from bot.render import clear_buttons, edit_in_place, send_replies
from bot.retry import with_retries
from conversations.events import Attachment
from conversations.messages import Language
from conversations.replies import Reply
from service.chat import ChannelError
from service.services import telegram_address

log = logging.getLogger(__name__)


class TelegramChat:
    """One private chat with the bot (`pressed`: the message whose button brought us here)."""

    def __init__(
        self, bot: ExtBot[None], chat_id: int, pressed: MaybeInaccessibleMessage | None = None
    ) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._pressed = pressed

    @property
    def address(self) -> str:
        """The chat's address ("telegram:<chat id>")."""
        return telegram_address(self._chat_id)

    async def send(self, replies: Sequence[Reply], language: Language) -> None:
        """Send the replies in order, retrying failures on the way."""
        await send_replies(self._bot, self._chat_id, replies, language)

    async def send_document(self, data: bytes, filename: str, caption: str) -> None:
        """Send a file with an HTML caption."""

        async def send() -> Message:
            return await self._bot.send_document(
                self._chat_id, data, filename=filename, caption=caption, parse_mode=ParseMode.HTML
            )

        await with_retries(send, "sending a document")

    async def settle_press(self, first: Reply | None, language: Language) -> bool:
        """Edit the pressed message into `first` when the core shows it in place, else take
        the pressed message's buttons off, so the chat keeps no buttons of an answered
        question and still reads in order (once per press)."""
        pressed, self._pressed = self._pressed, None
        if pressed is None:
            return False
        if (
            first is not None
            and first.in_place
            and isinstance(pressed, Message)
            and await edit_in_place(self._bot, pressed, first, language)
        ):
            return True
        if isinstance(pressed, Message) and pressed.reply_markup:
            try:
                await clear_buttons(self._bot, pressed)
            except TelegramError as exc:  # cosmetic: a failure changes nothing else
                log.debug("removing the buttons failed: %s", type(exc).__name__)
        return False

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The attachment through the Bot API."""
        try:
            return await download(self._bot, attachment, max_bytes)
        except TelegramError as exc:
            raise ChannelError(type(exc).__name__) from exc
