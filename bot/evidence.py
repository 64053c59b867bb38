"""Evidence from a Telegram chat: the file downloaded through the Bot API, within its size."""

from __future__ import annotations

from telegram.ext import ExtBot

from bot.http import AiohttpRequest, FileTooLargeError
from bot.retry import with_retries
from conversations.events import Attachment
from service.evidence import EvidenceRefusedError


async def download(bot: ExtBot[None], attachment: Attachment, max_bytes: int) -> bytes:
    """The file's bytes (never more than `max_bytes`, whatever size it declared)."""
    telegram_file = await with_retries(lambda: bot.get_file(attachment.file_id), "getFile")
    if telegram_file.file_size and telegram_file.file_size > max_bytes:
        raise EvidenceRefusedError("too_big", telegram_file.file_size)
    request = bot.request
    try:
        if isinstance(request, AiohttpRequest) and telegram_file.file_path:
            url = telegram_file.file_path
            data = await with_retries(lambda: request.download(url, max_bytes), "downloading")
        else:
            data = bytes(
                await with_retries(telegram_file.download_as_bytearray, "downloading a file")
            )
    except FileTooLargeError as exc:
        raise EvidenceRefusedError("too_big", exc.received) from None
    if len(data) > max_bytes:
        raise EvidenceRefusedError("too_big", len(data))
    return data
