"""Evidence files: download through the Bot API, strip identifying metadata, store, hash."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from telegram.ext import ExtBot

from bot.retry import with_retries
from conversations.draft import EvidenceItem
from conversations.session import Attachment
from storage.evidence import StoredEvidence
from storage.files import write_private

log = logging.getLogger(__name__)

_CLEANABLE = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "TIFF": "TIFF"}
# JPEG keeps EXIF, XMP and comments in segments before the pixels: opening reads them all.
_METADATA_BEFORE_PIXELS = {"JPEG", "MPO"}
_UNREADABLE = (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError)
_TEXT_INFO_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "parameters", "Description"}


def strip_image_metadata(data: bytes) -> tuple[bytes, bool]:
    """Remove EXIF (GPS position, camera, owner), XMP and comments from an image.

    Returns the bytes to store and whether anything was removed. Orientation is applied to the
    pixels first, so the picture still shows the right way up. Non-images pass unchanged.
    """
    try:
        image = Image.open(io.BytesIO(data))
        image_format = image.format or ""
        if image_format not in _METADATA_BEFORE_PIXELS:
            image.load()  # a PNG may keep its text after the pixels
    except _UNREADABLE:
        return data, False
    if image_format not in _CLEANABLE:
        return data, False
    exif = image.getexif()
    text_keys = {k for k in image.info if k in _TEXT_INFO_KEYS or isinstance(image.info[k], str)}
    if not exif and not text_keys:
        return data, False  # nothing to remove (Telegram's compressed photos): no decoding
    try:
        image.load()
    except _UNREADABLE:
        return data, False
    upright = ImageOps.exif_transpose(image) or image
    out = io.BytesIO()
    target = _CLEANABLE[image_format]
    options: dict[str, object] = {}
    if "icc_profile" in image.info:
        options["icc_profile"] = image.info["icc_profile"]  # colours, not identity
    if target in {"JPEG", "WEBP"}:
        options["quality"] = 95
        if upright.mode not in {"RGB", "L", "CMYK"}:
            upright = upright.convert("RGB")
    upright.save(out, format=target, **options)
    return out.getvalue(), True


def _extension(attachment: Attachment) -> str:
    suffix = Path(attachment.file_name).suffix.lower()
    if suffix and len(suffix) <= 6 and suffix[1:].isalnum():
        return suffix
    defaults = {"photo": ".jpg", "video": ".mp4", "voice": ".ogg", "audio": ".mp3"}
    return defaults.get(attachment.kind, ".bin")


async def fetch_evidence(
    bot: ExtBot[None], attachment: Attachment, folder: Path
) -> tuple[StoredEvidence, EvidenceItem]:
    """Download the file, clean images, write it under `folder`, and describe it."""
    telegram_file = await with_retries(lambda: bot.get_file(attachment.file_id), "getFile")
    data = bytes(await with_retries(telegram_file.download_as_bytearray, "downloading a file"))
    received = hashlib.sha256(data).hexdigest()
    stored_bytes, removed = await asyncio.to_thread(strip_image_metadata, data)
    stored = hashlib.sha256(stored_bytes).hexdigest()
    path = folder / f"{received[:20]}{_extension(attachment)}"
    await asyncio.to_thread(write_private, path, stored_bytes)
    log.info("evidence stored: %s bytes, metadata removed: %s", len(stored_bytes), removed)
    record = StoredEvidence(
        kind=attachment.kind,
        telegram_file_id=attachment.file_id,
        file_unique_id=attachment.file_unique_id,
        file_name=attachment.file_name,
        mime_type=attachment.mime_type,
        size_bytes=len(data),
        sha256_received=received,
        sha256_stored=stored,
        stored_path=str(path),
        url=None,
        metadata_removed=removed,
    )
    item = EvidenceItem(
        kind=attachment.kind,
        label=attachment.file_name,
        size_bytes=len(data),
        metadata_removed=removed,
        file_unique_id=attachment.file_unique_id,
    )
    return record, item


def remove_files(paths: list[str]) -> None:
    """Delete stored evidence files (missing ones are fine)."""
    for name in paths:
        try:
            Path(name).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not delete an evidence file: %s", exc.strerror)
