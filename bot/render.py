"""Turning the core's replies into Telegram messages with inline keyboards.

Texts are sent and edited as plain JSON through PTB's generic `do_api_request`, not through the
typed `send_message`: the typed methods build PTB objects for every keyboard and parse every
answer into a `Message` the bot never reads, which was about a sixth of the bot's CPU per update
(bench/RESULTS.md). PTB's rate limiter, retries and errors apply as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.retry import with_retries
from conversations.messages import Language
from conversations.replies import Reply
from conversations.textsplit import split_html
from service.outbox import ButtonSpec

JSONDict = dict[str, Any]
NOT_MODIFIED = "message is not modified"
NO_PREVIEW: JSONDict = {"is_disabled": True}  # links in messages never unfold into previews


def inline_markup(rows: Sequence[Sequence[ButtonSpec]] | None) -> InlineKeyboardMarkup | None:
    """Button specs (`{"text", "data"}`, as the outbox keeps them) as PTB markup
    (for the typed file uploads)."""
    keyboard = buttons_json(rows)
    return None if keyboard is None else InlineKeyboardMarkup.de_json(keyboard, None)


def buttons_json(rows: Sequence[Sequence[ButtonSpec]] | None) -> JSONDict | None:
    """Button specs as the Bot API's inline keyboard."""
    if not rows:
        return None
    return {"inline_keyboard": [[{"text": b["text"], "callback_data": b["data"]} for b in row]
                                for row in rows]}  # fmt: skip


def keyboard(reply: Reply, language: Language) -> JSONDict | None:
    """The reply's buttons as the Bot API's reply markup, or None."""
    if reply.request_contact:
        rows = [[{"text": reply.request_contact, "request_contact": True}]]
        if reply.keyboard_texts:
            rows.append([{"text": text} for text in reply.keyboard_texts])
        return {"keyboard": rows, "resize_keyboard": True, "one_time_keyboard": True}
    if reply.buttons:
        return {
            "inline_keyboard": [
                [{"text": b.label(language), "callback_data": b.data} for b in row]
                for row in reply.buttons
            ]
        }
    if reply.remove_keyboard:
        return {"remove_keyboard": True}
    return None


async def api_call(bot: ExtBot[None], method: str, params: JSONDict) -> Any:
    """One Bot API call with JSON parameters, answered with the plain JSON result. The method
    name goes lower-case (the Bot API's method names are case-insensitive): PTB then sends it
    as it is without warning that a typed method exists."""
    return await bot.do_api_request(method.lower(), api_kwargs=params)


def _html(chat_id: int, text: str, markup: JSONDict | None, **more: object) -> JSONDict:
    """The parameters of an HTML message (sent or edited) without link previews."""
    params: JSONDict = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": ParseMode.HTML.value,
        "link_preview_options": NO_PREVIEW,
        **more,
    }
    if markup is not None:
        params["reply_markup"] = markup
    return params


async def send_text(
    bot: ExtBot[None], chat_id: int, text: str, markup: JSONDict | None = None
) -> None:
    """One HTML message (within Telegram's length), sent once."""
    await api_call(bot, "sendMessage", _html(chat_id, text, markup))


async def send_replies(
    bot: ExtBot[None], chat_id: int, replies: Sequence[Reply], language: Language
) -> None:
    """Send the replies in order as HTML messages, retrying failures on the way."""
    for reply in replies:
        await send_html(bot, chat_id, reply.text(language), keyboard(reply, language))


async def send_html(
    bot: ExtBot[None], chat_id: int, text: str, markup: JSONDict | None = None
) -> None:
    """One HTML text as one or more messages within Telegram's length (the buttons go with
    the last), each retried on failures on the way."""
    parts = split_html(text)
    for number, part in enumerate(parts, start=1):
        buttons = markup if number == len(parts) else None

        async def send(part: str = part, buttons: JSONDict | None = buttons) -> None:
            await send_text(bot, chat_id, part, buttons)

        await with_retries(send, "sending a reply")


async def edit_in_place(
    bot: ExtBot[None], message: Message, reply: Reply, language: Language
) -> bool:
    """Edit a message of the bot into this reply (text and inline buttons), retrying failures
    on the way; False when it cannot be (too long for one message, gone, too old to edit):
    the caller sends the reply instead."""
    text = reply.text(language)
    markup = keyboard(reply, language)
    if len(split_html(text)) > 1 or (markup is not None and "inline_keyboard" not in markup):
        return False
    params = _html(message.chat_id, text, markup, message_id=message.message_id)

    async def edit() -> None:
        await api_call(bot, "editMessageText", params)

    try:
        await with_retries(edit, "editing a question")
    except BadRequest as refused:
        # a press delivered twice finds the message already edited: it shows the reply
        return NOT_MODIFIED in str(refused).lower()
    return True


async def clear_buttons(bot: ExtBot[None], message: Message) -> None:
    """Take the inline buttons off a message of the bot (once; the caller decides on errors)."""
    await api_call(
        bot,
        "editMessageReplyMarkup",
        {"chat_id": message.chat_id, "message_id": message.message_id},
    )
