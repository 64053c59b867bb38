"""Hostile-input campaign: the bot as its own process, fed what an attacker or an unlucky phone
sends. Image bombs (several at once), truncated and odd formats, sizes that lie, names that are
spreadsheet formulas, right-to-left tricks, and a crowd of chats all starting reports.

It checks that the bot never crashes, that every update gets a clear answer, that no oversized
file is kept, that the export never carries a formula, and that the bot's memory stays under
300 MB. `make reliability` runs it in full; the tests run a small one.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import free_port, listening  # noqa: E402
from bench.conversation import TOKEN, BotUnderTest, bot_env  # noqa: E402
from sandbox.fake_api import JSON, FakeTelegram  # noqa: E402
from sandbox.fake_users import FakeUser, asks_code, buttons  # noqa: E402
from sandbox.fake_whatsapp import FakeWhatsApp, Media, text_of  # noqa: E402
from sandbox.fake_whatsapp import to_evidence as wa_to_evidence  # noqa: E402

MEMORY_LIMIT_MB = 300
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def image_bomb() -> bytes:
    """A 9,400 x 9,400 PNG of about 300 KB: 88 million pixels once decoded."""
    out = io.BytesIO()
    Image.new("1", (9400, 9400)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def odd_files() -> list[tuple[str, bytes, str, str]]:
    """(what, bytes, file name, mime type) of damaged and unusual files."""
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (6.0, 7.0, 30.0), 3: "E", 4: (106.0, 9.0, 0.0)}
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(jpeg, format="JPEG", exif=exif)
    gif = io.BytesIO()
    Image.new("P", (20, 20)).save(gif, format="GIF", comment=b"pelapor rahasia")
    return [
        ("truncated JPEG with GPS", jpeg.getvalue()[:-200], "rusak.jpg", "image/jpeg"),
        ("GIF with a comment", gif.getvalue(), "a.gif", "image/gif"),
        ("corrupt WEBP", b"RIFF\x20\x00\x00\x00WEBPVP8X" + b"\xff" * 60, "x.webp", "image/webp"),
        ("corrupt PDF", b"%PDF-1.7\n" + os.urandom(400), "surat.pdf", "application/pdf"),
        ("random bytes", os.urandom(5000), "data.bin", "application/octet-stream"),
        ("empty-looking PNG", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "kosong.png", "image/png"),
    ]


async def answered(user: FakeUser, timeout: float = 60.0) -> JSON:
    """The bot's next message to this user (any)."""
    return await user.expect(lambda message: True, timeout)


async def to_evidence(user: FakeUser, description: str, name: str | None = None) -> None:
    """Walk a report up to the evidence question by pressing buttons and typing."""

    async def step(action: str, code: str) -> JSON:
        if action.startswith("!"):
            message = next(
                m
                for m in reversed(user.bot_messages())
                if any(d == action[1:] for _, d in buttons(m))
            )
            user.press(message, action[1:])
        else:
            user.send(action)
        return await user.expect(lambda m: asks_code(m, code), 60)

    await step("/lapor", "c")
    await step("!c:yes", "k")
    await step("!k:other", "d")
    await step(description, "p")
    await step("!p:asn", "pd")
    await step(name or "!pd:^skip", "pv")
    await step("bali", "rg")
    await step("denpasar", "pl")
    await step("!pl:^skip", "ed")
    await step("!ed:today", "ps")
    await step("!ps:no", "ev")


async def campaign(
    chats: int, bombs: int, workdir: Path, database_url: str | None = None
) -> dict[str, Any]:
    fake = FakeTelegram(TOKEN)
    await fake.start()
    cloud = FakeWhatsApp()
    await cloud.start()
    whatsapp_port = free_port()
    cloud.webhook_url = f"http://127.0.0.1:{whatsapp_port}/whatsapp"
    env = bot_env(workdir, fake, concurrent_chats=32)
    env.update(MAX_EVIDENCE_MB="2", NEW_REPORTS_PER_MINUTE="600", MESSAGES_PER_MINUTE="60")
    env.update(
        WHATSAPP_TOKEN=cloud.token, WHATSAPP_PHONE_NUMBER_ID=cloud.phone_id,
        WHATSAPP_APP_SECRET=cloud.app_secret, WHATSAPP_VERIFY_TOKEN=cloud.verify_token,
        WHATSAPP_API_BASE_URL=cloud.base_url, WHATSAPP_PORT=str(whatsapp_port),
    )  # fmt: skip
    if database_url:
        env["DATABASE_URL"] = database_url
    bot = BotUnderTest(fake, workdir, echo=False, env=env)
    problems: list[str] = []
    counts: dict[str, Any] = {}
    began = time.monotonic()
    await bot.start()
    for _ in range(200):  # the WhatsApp webhook listens too
        if listening(whatsapp_port):
            break
        await asyncio.sleep(0.05)
    try:
        ids = iter(range(700_000, 800_000))
        # Several image bombs at the same time, from different chats.
        bomb = image_bomb()
        senders = [FakeUser(fake, next(ids), "Bom", "id") for _ in range(bombs)]
        await asyncio.gather(
            *(to_evidence(u, "Poster kampanye di kantor camat kemarin.") for u in senders)
        )
        for user in senders:
            user.send_document(bomb, "poster.png", "image/png")
        replies = await asyncio.gather(*(answered(u) for u in senders))
        counts["image bombs refused"] = sum("terlalu besar" in str(r.get("text")) for r in replies)
        # Damaged and odd formats, and a size that lies (declared 1 KB, 3 MB sent).
        files = [
            *odd_files(),
            ("lying size", os.urandom(3 * 1024 * 1024), "rekam.bin", "application/octet-stream"),
        ]
        for what, data, name, mime in files:
            user = FakeUser(fake, next(ids), "Berkas", "id")
            await to_evidence(user, "Camat memasang baliho calon di depan kantor desa.")
            declared = 1000 if what == "lying size" else None
            user.send_document(data, name, mime, declared_size=declared)
            reply = str((await answered(user)).get("text"))
            if not any(
                word in reply for word in ("Bukti 1", "terlalu besar", "belum bisa", "tidak bisa")
            ):
                problems.append(f"{what}: unclear answer {reply[:80]!r}")
        counts["odd and damaged files answered"] = len(files)
        # Formula names and right-to-left tricks in reports filed with open identity.
        evil_names = ['=HYPERLINK("http://x.example","klik")', "+6281234", "-2+3", "@SUM(A1)"]
        for evil in evil_names:
            user = FakeUser(fake, next(ids), "Formula", "id")
            await to_evidence(user, "Teks \u202egpj.exe\u202c di kantor " + "z\u0301" * 50, evil)
            message = next(m for m in reversed(user.bot_messages()) if asks_code(m, "ev"))
            user.press(message, "ev:none")
            await user.expect(lambda m: asks_code(m, "id"), 60)
            user.press(user.bot_messages()[-1], "id:open")
            await user.expect("Nama lengkap", 60)
            user.send(evil)
            await user.expect("HP", 60)
            user.send("081234567890")
            review = await user.expect(lambda m: asks_code(m, "rv"), 60)
            user.press(review, next(d for _, d in buttons(review) if d.startswith("rv:send:")))
            await user.expect("Nomor tiket", 60)
        export = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lapor", "export", cwd=workdir, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(export.communicate(), 120)
        cells = [cell for row in csv.reader(io.StringIO(out.decode("utf-8-sig"))) for cell in row]
        formulas = [cell for cell in cells if cell.startswith(FORMULA_START)]
        if export.returncode != 0 or formulas:
            problems.append(f"export: code {export.returncode}, formula cells {formulas[:3]}")
        counts["formula cells in the export"] = len(formulas)
        # A crowd of chats all starting reports at once.
        crowd = [FakeUser(fake, next(ids), "Warga", "id") for _ in range(chats)]
        for user in crowd:
            user.send("/lapor")
        deadline = time.monotonic() + max(120, chats / 5)
        waiting = set(range(chats))
        while waiting and time.monotonic() < deadline:
            waiting = {i for i in waiting if not fake.bot_messages(crowd[i].chat_id)}
            await asyncio.sleep(0.5)
        started = sum(
            "Langkah 1" in str(fake.bot_messages(u.chat_id)[-1].get("text"))
            for u in crowd
            if fake.bot_messages(u.chat_id)
        )
        counts["crowd chats"] = chats
        counts["crowd chats answered"] = chats - len(waiting)
        counts["reports started / asked to come back"] = (
            f"{started} / {chats - len(waiting) - started}"
        )
        if waiting:
            problems.append(f"{len(waiting)} chats of the crowd got no answer")
        await whatsapp_column(cloud, chats // 10, counts, problems)
        if bot.process is None or bot.process.returncode is not None:
            problems.append("the bot process ended")
        peak_mb = round(bot.memory_kb("VmHWM") / 1024, 1)
        counts["bot peak memory (MB)"] = peak_mb
        if peak_mb > MEMORY_LIMIT_MB:
            problems.append(f"peak memory {peak_mb} MB over {MEMORY_LIMIT_MB} MB")
        log = (workdir / "bot.log").read_text(errors="replace")
        crashes = log.count("Traceback")
        counts["tracebacks in the log"] = crashes
        if crashes:
            problems.append(f"{crashes} tracebacks in the bot's log")
    finally:
        await bot.stop()
        await cloud.stop()
        await fake.stop()
    counts["seconds"] = round(time.monotonic() - began, 1)
    counts["failures"] = len(problems)
    counts["problems"] = problems
    return counts


async def whatsapp_column(
    cloud: FakeWhatsApp, crowd: int, counts: dict[str, Any], problems: list[str]
) -> None:
    """The same over WhatsApp: an image bomb, damaged files and a lying size by media id, a
    number flooding the bot, and a crowd of new WhatsApp chats at once."""
    numbers = iter(range(10_000, 99_999))
    files = [
        ("image bomb", image_bomb(), "poster.png", "image/png"),
        *odd_files(),
        ("lying size", os.urandom(3 * 1024 * 1024), "rekam.bin", "application/octet-stream"),
    ]
    answered_files = 0
    for what, data, name, mime in files:
        person = cloud.person(f"62857{next(numbers)}")
        await wa_to_evidence(person)
        person.mark()
        if what == "lying size":
            media_id = cloud._new_id("media")
            cloud.media[media_id] = Media(data, mime, declared_size=1000)
            document = {"id": media_id, "filename": name, "mime_type": mime}
            await person._send({"type": "document", "document": document})
        else:
            await person.send_document(data, name, mime)
        try:
            reply = text_of(await person.expect("", 60))
        except AssertionError:
            reply = ""
        if any(word in reply for word in ("Bukti 1", "terlalu besar", "belum bisa", "tidak bisa")):
            answered_files += 1
        else:
            problems.append(f"whatsapp {what}: unclear answer {reply[:80]!r}")
    counts["whatsapp odd, damaged and oversized files answered"] = (
        f"{answered_files} / {len(files)}"
    )
    flooder = cloud.person(f"62857{next(numbers)}")
    for _ in range(150):
        await flooder.say("halo")
    warned = sum("terlalu cepat" in text_of(m) for m in flooder.messages())
    counts["whatsapp flood: messages sent / answered / warned"] = (
        f"150 / {len(flooder.messages())} / {warned}"
    )
    if warned != 1 or len(flooder.messages()) > 80:
        problems.append(f"whatsapp flood: {len(flooder.messages())} answers, {warned} warnings")
    people = [cloud.person(f"62858{next(numbers)}") for _ in range(crowd)]
    await asyncio.gather(*(person.say("lapor") for person in people))
    started = sum(
        1 for person in people if any("Langkah 1" in text_of(m) for m in person.messages())
    )
    counts["whatsapp crowd: chats / reports started or asked to come back"] = (
        f"{crowd} / {sum(1 for person in people if person.messages())}"
    )
    if sum(1 for person in people if person.messages()) < crowd:
        problems.append("whatsapp crowd: some chats got no answer")
    counts["whatsapp crowd reports started"] = started
    if cloud.refused:
        problems.append(f"the Cloud API refused {len(cloud.refused)} messages: {cloud.refused[:3]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--chats", type=int, default=2000, help="chats in the crowd")
    parser.add_argument("--bombs", type=int, default=4, help="image bombs sent at once")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--database-url", help="an empty PostgreSQL database; default SQLite")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="lapor-hostile-"))
    result = asyncio.run(campaign(args.chats, args.bombs, workdir, args.database_url))
    print("\n| hostile-input measure | value |\n|---|---|")
    for name, value in result.items():
        if name != "problems":
            print(f"| {name} | {value} |")
    for problem in result["problems"]:
        print(f"problem: {problem}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if result["failures"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
