"""The sandbox: a fake Telegram Bot API server and a terminal chat, to try the bot offline."""
