"""The Telegram adapter: PTB wiring, handlers, keyboards, staff commands, jobs and the CLI."""

import os

# Opt in to PTB's future behaviour now: durations (RetryAfter.retry_after) are timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "true")
