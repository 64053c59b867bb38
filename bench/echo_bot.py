"""The baselines: a bare python-telegram-bot echo bot, with PTB's defaults or on our stack.

It answers every update with one message (the text back, "photo" for a photo, the button's
data for a button after acknowledging it). With PTB's defaults it takes one update at a time;
with `--our-stack` it runs on what Lapor Netral runs on (the `AiohttpRequest` transport, the
`ChatOrderedProcessor` with 32 chats at once, the same long-poll settings): the floor of our
own stack, everything but our own work. The throughput benchmark runs it as its own process
against the same fake server and driver as Lapor Netral.

    python bench/echo_bot.py TOKEN BASE_URL [--our-stack]
"""

from __future__ import annotations

import sys
from pathlib import Path

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the message's text back (or say what it was)."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(message.text or ("photo" if message.photo else "ok"))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Acknowledge the button and send its data back."""
    query = update.callback_query
    if query is not None and update.effective_chat is not None:
        await query.answer()
        await context.bot.send_message(update.effective_chat.id, query.data or "?")


def main() -> None:
    """Run the echo bot until SIGINT/SIGTERM."""
    token, base_url = sys.argv[1], sys.argv[2]
    builder = Application.builder().token(token).base_url(base_url)
    polling: dict[str, float] = {}
    if "--our-stack" in sys.argv[3:]:
        from bot.http import AiohttpRequest
        from bot.processor import ChatOrderedProcessor

        builder = (
            builder.request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(connection_pool_size=1))
            .concurrent_updates(ChatOrderedProcessor(workers=32))
        )
        polling = {"timeout": 10, "poll_interval": 0.0}  # as bot/runtime.py polls
    application = builder.build()
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(button))
    application.run_polling(allowed_updates=Update.ALL_TYPES, **polling)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
