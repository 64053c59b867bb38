"""Evidence files: strip identifying metadata, store sealed, hash (the channel downloads them)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject

from conversations.draft import EvidenceItem
from conversations.events import Attachment
from storage.crypto import DataCipher
from storage.evidence import StoredEvidence
from storage.files import write_private

log = logging.getLogger(__name__)
pillow_heif.register_heif_opener()  # iPhones send HEIC photos as files

_CLEANABLE = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "TIFF": "TIFF"}
# JPEG keeps EXIF, XMP and comments in segments before the pixels: opening reads them all.
_METADATA_BEFORE_PIXELS = {"JPEG", "MPO"}
_TEXT_INFO_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "parameters", "Description"}
# A 9,400 x 9,400 PNG of 336 KB decodes to 265 MB per copy: images are refused above this many
# pixels (Pillow's own guard is at 89 million), and decoded one or two at a time.
MAX_PIXELS = 40_000_000
_PDF = b"%PDF-"
_JPEG = b"\xff\xd8\xff"
# Files up to this size are checked and written on the event loop when that is quick (a JPEG's
# headers, a write to the page cache: well under a millisecond). Under load a hop to a thread
# waited for the interpreter lock for 90 ms (`bench/RESULTS.md`), longer than the work.
ON_LOOP_BYTES = 2 * 1024 * 1024


# A PDF is rewritten to drop its metadata; one of 80,000 pages took 7.7 s of CPU. Past these
# bounds it is refused (read from its cross-reference table and page tree, before any work).
MAX_PDF_PAGES = 500
MAX_PDF_OBJECTS = 100_000


class EvidenceRefusedError(Exception):
    """A file the bot will not keep: `reason` is "too_big", "image_too_large" or
    "document_too_complex" (a PDF past MAX_PDF_PAGES or MAX_PDF_OBJECTS)."""

    def __init__(self, reason: str, size: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.size = size


@dataclass(frozen=True)
class Cleaned:
    """What is stored of a file: its bytes, whether identifying data was removed, and whether
    some may remain (the reporter is told before filing and may drop the file)."""

    data: bytes
    removed: bool
    may_remain: bool


def clean_file(data: bytes, kind: str, mime_type: str | None) -> Cleaned:
    """Remove what a maintained library can remove: EXIF/XMP/comments of images (HEIC
    included, stored as JPEG), GIF comments, PDF author and document information. Anything
    that fails is caught per file: the file is kept as it came and declared."""
    try:
        if data.startswith(_PDF):
            return _clean_pdf(data)
        return _clean_image(data, kind, mime_type)
    except EvidenceRefusedError:
        raise
    except Exception as exc:  # a damaged file must not take the bot down (e.g. WEBP's EXIF)
        log.info("evidence kept as sent: %s", type(exc).__name__)
        return Cleaned(data, removed=False, may_remain=True)


def _clean_image(data: bytes, kind: str, mime_type: str | None) -> Cleaned:
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError):
        # not an image: videos, voice notes and other documents may carry a place and a device
        return Cleaned(
            data, removed=False, may_remain=kind in _MEDIA_KINDS or not _plain(mime_type)
        )
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise EvidenceRefusedError("image_too_large", width * height)
    image_format = image.format or ""
    if image_format == "GIF":
        return _clean_gif(image, data)
    heif = image_format in {"HEIF", "HEIC", "AVIF"}
    if image_format not in _CLEANABLE and not heif:
        return Cleaned(data, removed=False, may_remain=True)
    if image_format not in _METADATA_BEFORE_PIXELS:
        image.load()  # a PNG may keep its text after the pixels
    if not heif and not _identifying(image):
        return Cleaned(data, removed=False, may_remain=False)  # nothing to remove: no decoding
    image.load()
    upright = ImageOps.exif_transpose(image) or image
    out = io.BytesIO()
    target = "JPEG" if heif else _CLEANABLE[image_format]
    options: dict[str, object] = {}
    if "icc_profile" in image.info:
        options["icc_profile"] = image.info["icc_profile"]  # colours, not identity
    if target in {"JPEG", "WEBP"}:
        options["quality"] = 95
        if upright.mode not in {"RGB", "L", "CMYK"}:
            upright = upright.convert("RGB")
    upright.save(out, format=target, **options)
    return Cleaned(out.getvalue(), removed=True, may_remain=False)


def _identifying(image: Image.Image) -> bool:
    """Whether the opened image carries EXIF, XMP, comments or other text."""
    info = image.info
    return bool(image.getexif()) or any(
        k in _TEXT_INFO_KEYS or isinstance(info[k], str) for k in info
    )


def glance(data: bytes) -> Cleaned | None:
    """A small JPEG with nothing to remove, told from its headers alone (every photo Telegram
    delivers: it re-encodes them without EXIF), quick enough for the event loop; None when
    the file needs `clean_file`, in a thread."""
    if len(data) > ON_LOOP_BYTES or not data.startswith(_JPEG):
        return None
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if (
            image.format not in _METADATA_BEFORE_PIXELS
            or width * height > MAX_PIXELS
            or _identifying(image)
        ):
            return None
    except Exception:  # damaged or unusual: `clean_file` decides, and says why
        return None
    return Cleaned(data, removed=False, may_remain=False)


def _clean_gif(image: Image.Image, data: bytes) -> Cleaned:
    if "comment" not in image.info and not image.getexif():
        return Cleaned(data, removed=False, may_remain=False)
    image.info.pop("comment", None)
    frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    for frame in frames:
        frame.info.pop("comment", None)
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=len(frames) > 1, append_images=frames[1:], loop=0)
    return Cleaned(out.getvalue(), removed=True, may_remain=False)


def _clean_pdf(data: bytes) -> Cleaned:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        return Cleaned(data, removed=False, may_remain=True)
    objects = reader.trailer.get("/Size", 0)
    if not isinstance(objects, int) or objects > MAX_PDF_OBJECTS:
        raise EvidenceRefusedError("document_too_complex", len(data))
    tree = reader.root_object["/Pages"].get_object()
    pages = tree.get("/Count", 0) if isinstance(tree, DictionaryObject) else 0
    if not isinstance(pages, int) or pages > MAX_PDF_PAGES:
        raise EvidenceRefusedError("document_too_complex", len(data))
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None  # author, creator, producer, title, dates
    if "/Metadata" in writer.root_object:  # the XMP packet repeats them
        del writer.root_object["/Metadata"]
    out = io.BytesIO()
    writer.write(out)
    return Cleaned(out.getvalue(), removed=True, may_remain=False)


_MEDIA_KINDS = {"video", "voice", "audio"}


def _plain(mime_type: str | None) -> bool:
    return bool(mime_type) and str(mime_type).startswith("text/")


def strip_image_metadata(data: bytes) -> tuple[bytes, bool]:
    """An image without its EXIF, XMP and comments, and whether anything was removed."""
    cleaned = clean_file(data, "photo", "image/jpeg")
    return cleaned.data, cleaned.removed


def _extension(attachment: Attachment) -> str:
    suffix = Path(attachment.file_name).suffix.lower()
    if suffix and len(suffix) <= 6 and suffix[1:].isalnum():
        return suffix
    defaults = {"photo": ".jpg", "video": ".mp4", "voice": ".ogg", "audio": ".mp3"}
    return defaults.get(attachment.kind, ".bin")


async def store_evidence(
    data: bytes,
    attachment: Attachment,
    folder: Path,
    *,
    decoder: asyncio.Semaphore,
    cipher: DataCipher,
) -> tuple[StoredEvidence, EvidenceItem]:
    """Clean a received file (one decoder at a time: `decoder`), write it sealed under
    `folder`, and describe it (each channel downloads the file its own way first)."""
    received = hashlib.sha256(data).hexdigest()
    cleaned = glance(data)
    if cleaned is None:
        async with decoder:
            cleaned = await asyncio.to_thread(
                clean_file, data, attachment.kind, attachment.mime_type
            )
    stored = received if cleaned.data is data else hashlib.sha256(cleaned.data).hexdigest()
    path = folder / f"{received[:20]}{_extension(attachment)}"
    sealed = cipher.encrypt_bytes(cleaned.data)  # the evidence folder alone reveals nothing
    if len(sealed) <= ON_LOOP_BYTES:
        write_private(path, sealed)
    else:
        await asyncio.to_thread(write_private, path, sealed)
    log.info(
        "evidence stored: %s bytes, metadata removed: %s, may remain: %s",
        len(cleaned.data), cleaned.removed, cleaned.may_remain,
    )  # fmt: skip
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
        metadata_removed=cleaned.removed,
    )
    item = EvidenceItem(
        kind=attachment.kind,
        label=attachment.file_name,
        size_bytes=len(data),
        metadata_removed=cleaned.removed,
        metadata_may_remain=cleaned.may_remain,
        file_unique_id=attachment.file_unique_id,
    )
    return record, item


def remove_files(paths: list[str]) -> None:
    """Delete stored evidence files (missing ones are fine), and each folder they leave empty:
    a folder is named by a draft or a case, and nothing of a deleted report may stay."""
    for name in paths:
        path = Path(name)
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not delete an evidence file: %s", exc.strerror)
        with contextlib.suppress(OSError):  # not empty (other files of the report), or gone
            path.parent.rmdir()
