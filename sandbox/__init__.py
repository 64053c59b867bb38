"""The sandbox: fake Telegram Bot API and WhatsApp Cloud API servers and a terminal chat, to try
both channels offline (and what every end-to-end test talks to)."""
