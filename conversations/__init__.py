"""The pure core: the report flow, messages in both languages and the jurisdiction rules.

Nothing here does I/O at decision time, reads the clock or imports Telegram or storage code.
"""
