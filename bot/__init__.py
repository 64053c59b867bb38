"""The Telegram adapter: PTB wiring, updates into core events, replies rendered as Telegram
messages with inline keyboards, the staff commands' chat side, and the Bot API sender."""

import os

# Opt in to PTB's future behaviour now: durations (RetryAfter.retry_after) are timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "true")
