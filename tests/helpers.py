"""Test helpers: a reporter who taps buttons by their label and types answers, whole reports
filed over HTTP, staff members added."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite
from PIL import Image

from bot.application import AnyApplication
from bot.botdata import SERVICES_KEY
from sandbox.fake_api import JSON
from sandbox.fake_users import FakeUser, asks_code, buttons
from service.services import Services
from service.settings import Settings
from storage import staff as staff_store
from storage.crypto import DataCipher


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


async def rows(where: Settings | Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Query the bot's real database from the test: the settings' engine (PostgreSQL when they
    name one), or a SQLite file given by its path."""
    if isinstance(where, Settings) and where.database_url_text:
        import asyncpg

        from storage.postgres import adapt

        conn = await asyncpg.connect(where.database_url_text)
        try:
            return [tuple(r) for r in await conn.fetch(adapt(sql), *args)]
        finally:
            await conn.close()
    path = where.database_path if isinstance(where, Settings) else where
    async with aiosqlite.connect(path) as sqlite:
        async with sqlite.execute(sql, args) as cursor:
            found = [tuple(r) for r in await cursor.fetchall()]
        await sqlite.commit()  # a test's UPDATE counts
        return found


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


def header(step: int, language: str) -> str:
    """The step line of a question in the user's language."""
    return f"Langkah {step} dari 9" if language == "id" else f"Step {step} of 9"


async def press_data(user: FakeUser, data: str, expect: str) -> JSON:
    """Press the newest button carrying this callback data and wait for `expect`."""
    for message in reversed(user.bot_messages()):
        if any(d == data for _, d in buttons(message)):
            user.press(message, data)
            return await user.expect(expect)
    raise AssertionError(f"no button with data {data!r}")


def asks(code: str) -> Callable[[JSON], bool]:
    """A message that asks the question with this callback code (has one of its buttons)."""

    def check(message: JSON) -> bool:
        return asks_code(message, code)

    return check


async def answer(user: FakeUser, action: str, next_code: str) -> JSON:
    """Press (`!data`) or type an answer and wait for the question with `next_code`."""
    if action.startswith("!"):
        for message in reversed(user.bot_messages()):
            if any(d == action[1:] for _, d in buttons(message)):
                user.press(message, action[1:])
                break
        else:
            raise AssertionError(f"no button with data {action[1:]!r}")
    else:
        user.send(action)
    return await user.expect(asks(next_code))


async def to_evidence(
    user: FakeUser,
    description: str = "Camat memasang baliho calon di depan kantor kecamatan kemarin.",
    *,
    category: str = "other",
    details: str | None = None,
) -> None:
    """Walk a report (an ASN in Kota Denpasar, today, no public service) to the evidence
    question by pressing buttons and typing."""
    await answer(user, "/lapor" if user.language_code == "id" else "/report", "c")
    await answer(user, "!c:yes", "k")
    await answer(user, f"!k:{category}", "d")
    await answer(user, description, "p")
    await answer(user, "!p:asn", "pd")
    await answer(user, details or "!pd:^skip", "pv")
    await answer(user, "bali", "rg")
    await answer(user, "denpasar", "pl")
    await answer(user, "!pl:^skip", "ed")
    await answer(user, "!ed:today", "ps")
    await answer(user, "!ps:no", "ev")


async def file_report(
    user: FakeUser,
    *,
    category: str,
    person: str,
    province: str,
    regency: str | None,
    public: str = "no",
    identity: str = "anonymous",
    description: str = "Seorang pejabat terlihat berkampanye untuk salah satu calon di kantor.",
    details: str | None = None,
    name: str = "Rina Wati",
    phone: str = "081311112222",
) -> str:
    """File a whole report over HTTP by pressing buttons by their data; return the ticket."""
    language = "en" if user.language_code == "en" else "id"
    await answer(user, "/lapor", "c")
    await answer(user, "!c:yes", "k")
    await answer(user, f"!k:{category}", "d")
    await answer(user, description, "p")
    await answer(user, f"!p:{person}", "pd")
    await answer(user, details or "!pd:^skip", "pv")
    await answer(user, province, "rg")
    await answer(user, "!rg:^unknown" if regency is None else regency, "pl")
    await answer(user, "!pl:^skip", "ed")
    await answer(user, "!ed:today", "ps")
    if public == "yes":
        await answer(user, "!ps:yes", "sn")
        await answer(user, "!sn:^skip", "cp")
        await answer(user, "!cp:no", "ev")
    else:
        await answer(user, f"!ps:{public}", "ev")
    await answer(user, "!ev:none", "id")
    if identity == "anonymous":
        review = await answer(user, "!id:anonymous", "rv")
    else:
        user.press(user.bot_messages()[-1], f"id:{identity}")
        await user.expect("Nama lengkap" if language == "id" else "full name")
        await say(user, name, "HP" if language == "id" else "phone")
        user.send(phone)
        review = await user.expect(asks("rv"))
    send = next(data for _, data in buttons(review) if data.startswith("rv:send:"))
    user.press(review, send)
    marker = "Nomor tiket: " if language == "id" else "Ticket number: "
    filed = await user.expect(marker)
    return str(filed["text"]).split(marker)[1].split("\n")[0]


def opened(settings: Settings, token: bytes | None) -> str | None:
    """A value the bot stored encrypted, read back with the test's data key."""
    assert settings.data_key is not None
    return DataCipher(settings.data_key.get_secret_value()).decrypt_optional(token)


def opened_file(settings: Settings, path: str | Path) -> bytes:
    """An evidence file the bot stored encrypted, read back with the test's data key."""
    assert settings.data_key is not None
    return DataCipher(settings.data_key.get_secret_value()).decrypt_bytes(Path(path).read_bytes())


def svc_of(app: AnyApplication) -> Services:
    return app.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]


async def add(app: AnyApplication, user_id: int, agency: str, scope: str = "") -> None:
    svc = svc_of(app)
    await staff_store.upsert(svc.db, user_id, agency, scope, None, svc.now())


async def file_full_report(user: FakeUser) -> JSON:
    """A Dukcapil officer in Kota Serang holds back ID cards; the reporter is open, with a
    compressed photo and a phone photo sent as a file (GPS in it), during the Pilkada stages."""
    await answer(user, "/lapor", "c")
    await answer(user, "!c:yes", "k")
    await answer(user, "!k:service_conditioning", "d")
    await answer(
        user,
        "Petugas loket Disdukcapil menahan KTP warga yang memasang stiker paslon nomor 2."
        " Warga diminta mencabut stiker dulu baru KTP diberikan.",
        "p",
    )
    await answer(user, "!p:asn", "pd")
    await answer(user, "Pak Rudi, petugas loket, Disdukcapil Kota Serang", "pv")
    await answer(user, "banten", "rg")
    await answer(user, "kota serang", "pl")
    await answer(user, "Kantor Disdukcapil, Jl. Jenderal Sudirman", "ed")
    await answer(user, "!ed:yesterday", "ps")
    await answer(user, "!ps:yes", "sn")
    await answer(user, "pembuatan KTP", "cp")
    await answer(user, "!cp:yes", "ev")
    user.send_photo(plain_jpeg())
    await user.expect("Bukti 1 diterima")
    user.send_document(jpeg_with_gps(), "IMG_2024.jpg", "image/jpeg")
    await user.expect("Bukti 2 diterima")
    await answer(user, "!ev:done", "id")
    user.press(user.bot_messages()[-1], "id:open")
    await user.expect("Nama lengkap")
    await say(user, "Siti Aminah", "HP")
    user.send("081311112222")
    review = await user.expect(asks("rv"))
    send = next(data for _, data in buttons(review) if data.startswith("rv:send:"))
    user.press(review, send)
    return await user.expect("Nomor tiket: ")
