"""The baseline: a bare python-telegram-bot echo bot with PTB's default settings.

It answers every update with one message (the text back, "photo" for a photo, the button's
data for a button after acknowledging it), one update at a time as PTB does by default. The
throughput benchmark runs it as its own process against the same fake server and driver as
Lapor Netral.

    python bench/echo_bot.py TOKEN BASE_URL
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters


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
    application = Application.builder().token(token).base_url(base_url).build()
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(button))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
