"""Turning the core's replies into Telegram messages with inline keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.retry import with_retries
from conversations.messages import Language
from conversations.replies import Reply
from conversations.staffviews import ButtonSpec
from conversations.textsplit import split_html

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
NOT_MODIFIED = "message is not modified"


def inline_markup(rows: Sequence[Sequence[ButtonSpec]] | None) -> InlineKeyboardMarkup | None:
    """Button specs (`{"text", "data"}`, as staff views and the outbox keep them) as markup."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["text"], callback_data=b["data"]) for b in row] for row in rows]
    )


def keyboard(reply: Reply, language: Language) -> Markup | None:
    """The reply's buttons as Telegram markup, or None."""
    if reply.request_contact:
        rows = [[KeyboardButton(reply.request_contact, request_contact=True)]]
        if reply.keyboard_texts:
            rows.append([KeyboardButton(text) for text in reply.keyboard_texts])
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    if reply.buttons:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b.label(language), callback_data=b.data) for b in row]
                for row in reply.buttons
            ]
        )
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


async def send_replies(
    bot: ExtBot[None], chat_id: int, replies: Sequence[Reply], language: Language
) -> list[Message]:
    """Send the replies in order as HTML messages, retrying failures on the way."""
    sent = []
    for reply in replies:
        sent += await send_html(bot, chat_id, reply.text(language), keyboard(reply, language))
    return sent


async def send_html(
    bot: ExtBot[None], chat_id: int, text: str, markup: Markup | None = None
) -> list[Message]:
    """One HTML text as one or more messages within Telegram's length (the buttons go with
    the last), each retried on failures on the way."""
    parts = split_html(text)
    sent = []
    for number, part in enumerate(parts, start=1):
        last = number == len(parts)

        async def send(
            part: str = part, markup: Markup | None = markup if last else None
        ) -> Message:
            return await bot.send_message(
                chat_id, part, parse_mode=ParseMode.HTML, reply_markup=markup
            )

        sent.append(await with_retries(send, "sending a reply"))
    return sent


async def edit_in_place(
    bot: ExtBot[None], message: Message, reply: Reply, language: Language
) -> bool:
    """Edit a message of the bot into this reply (text and inline buttons), retrying failures
    on the way; False when it cannot be (too long for one message, gone, too old to edit):
    the caller sends the reply instead."""
    text = reply.text(language)
    markup = keyboard(reply, language)
    if len(split_html(text)) > 1 or not isinstance(markup, InlineKeyboardMarkup | None):
        return False

    async def edit() -> object:
        return await bot.edit_message_text(
            text,
            chat_id=message.chat_id,
            message_id=message.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )

    try:
        await with_retries(edit, "editing a question")
    except BadRequest as refused:
        # a press delivered twice finds the message already edited: it shows the reply
        return NOT_MODIFIED in str(refused).lower()
    return True
