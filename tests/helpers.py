"""Test helpers: a reporter who taps buttons by their label and types answers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import aiosqlite
from PIL import Image

from bot.sandbox.fake_api import JSON
from bot.sandbox.fake_users import FakeUser, buttons


def with_button(user: FakeUser, label: str) -> JSON:
    """The newest bot message in the chat that has a button with this label."""
    for message in reversed(user.bot_messages()):
        if any(text == label for text, _ in buttons(message)):
            return message
    shown = [buttons(m) for m in user.bot_messages()[-2:]]
    raise AssertionError(f"no button {label!r}; last buttons: {shown}")


async def tap(user: FakeUser, label: str, expect: str, timeout: float = 10.0) -> JSON:
    """Press the button with this label on the newest message that has it; wait for `expect`."""
    user.press(with_button(user, label), label=label)
    return await user.expect(expect, timeout)


async def say(user: FakeUser, text: str, expect: str, timeout: float = 10.0) -> JSON:
    """Type a message and wait for a reply containing `expect`."""
    user.send(text)
    return await user.expect(expect, timeout)


async def rows(path: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Query the bot's real database file from the test."""
    async with aiosqlite.connect(path) as conn, conn.execute(sql, args) as cursor:
        return [tuple(r) for r in await cursor.fetchall()]


def jpeg_with_gps() -> bytes:
    """A small JPEG carrying a camera model and a GPS position, as phones write them."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x8825] = {1: "S", 2: (6.0, 7.0, 30.0), 3: "E", 4: (106.0, 9.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def plain_jpeg() -> bytes:
    """A small JPEG without metadata (Telegram's compressed photos look like this)."""
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (20, 120, 20)).save(out, format="JPEG")
    return out.getvalue()
