"""The command line and the composition root: the one place that starts the Telegram bot, the
web console, the workers or the sandbox together."""
