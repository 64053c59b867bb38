"""Data lifecycle: online backup and restore, retention of closed cases, /hapus."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from bot.application import AnyApplication
from bot.botdata import SERVICES_KEY
from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from service.jobs import purge_old_cases
from service.services import Services
from service.settings import Settings
from tests.conftest import Clock, make_app
from tests.helpers import answer, file_report, jpeg_with_gps, rows, say, tap


async def test_backup_while_running_and_restore(
    settings: Settings,
    fake: FakeTelegram,
    clock: Clock,
    people: Callable[..., FakeUser],
    tmp_path: Path,
) -> None:
    from tests.platform.test_command_line import child_env

    user = people("id")
    backup = tmp_path / "backups" / "lapor-copy.db"
    async with running(make_app(settings, fake, clock), settings):
        ticket = await file_report(
            user, category="other", person="asn", province="bali", regency="denpasar"
        )
        env = child_env(
            tmp_path,
            DATABASE_PATH=str(settings.database_path),
            DATA_KEY=settings.data_key.get_secret_value(),
        )  # type: ignore[union-attr]
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lapor", "backup", str(backup), cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
    with sqlite3.connect(backup) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    restored = settings.model_copy(update={"database_path": backup})
    async with running(make_app(restored, fake, clock), restored):
        status = await say(user, f"/status {ticket}", "Status laporan")
        assert "Dirujuk" in str(status["text"])


async def test_retention_anonymises_old_closed_cases(
    bot: AnyApplication,
    fake: FakeTelegram,
    people: Callable[..., FakeUser],
    settings: Settings,
    clock: Clock,
) -> None:
    svc: Services = bot.bot_data[SERVICES_KEY]
    closed = await file_report(
        people("id"),
        category="other",
        person="asn",
        province="bali",
        regency="denpasar",
        identity="confidential",
        name="Made Rahasia",
    )
    still_open = await file_report(
        people("id"),
        category="other",
        person="asn",
        province="bali",
        regency="denpasar",
        identity="confidential",
        name="Ketut Terbuka",
    )
    await svc.db.execute("UPDATE cases SET status = 'selesai' WHERE ticket = ?", (closed,))
    # taken over by staff and still being handled: kept whole, however old
    await svc.db.execute("UPDATE cases SET status = 'diverifikasi' WHERE ticket = ?", (still_open,))
    await svc.db.execute(
        "INSERT INTO evidence (case_id, kind, stored_path, created_at) SELECT id, 'photo', ?, 'x' FROM cases WHERE ticket = ?",
        (str(settings.evidence_path / "old.jpg"), closed),
    )
    settings.evidence_path.mkdir(parents=True, exist_ok=True)
    (settings.evidence_path / "old.jpg").write_bytes(jpeg_with_gps())
    clock.now += dt.timedelta(days=366)
    dry = await purge_old_cases(svc, dry_run=True)
    assert dry.cases == 1 and len(dry.evidence_files) == 1
    assert (settings.evidence_path / "old.jpg").exists()
    done = await purge_old_cases(svc, dry_run=False)
    assert done.cases == 1 and not (settings.evidence_path / "old.jpg").exists()
    found = await rows(
        settings,
        "SELECT ticket, reporter_name_enc IS NULL, anonymised_at IS NOT NULL FROM cases ORDER BY id",
    )
    assert found == [(closed, 1, 1), (still_open, 0, 0)]
    assert (await purge_old_cases(svc, dry_run=True)).cases == 0


async def test_a_reporter_deletes_their_data(
    bot: AnyApplication, fake: FakeTelegram, people: Callable[..., FakeUser], settings: Settings
) -> None:
    svc: Services = bot.bot_data[SERVICES_KEY]
    user = people("id")
    first = await file_report(
        user, category="other", person="asn", province="bali", regency="denpasar"
    )
    acted = await file_report(
        user, category="other", person="asn", province="bali", regency="denpasar"
    )
    await svc.db.execute("UPDATE cases SET status = 'diverifikasi' WHERE ticket = ?", (acted,))
    other = await file_report(
        people("id"), category="other", person="asn", province="bali", regency="denpasar"
    )
    await answer(user, "/lapor", "c")  # a draft in progress too
    confirm = await say(user, "/hapus", "Hapus data Anda?")
    assert first in str(confirm["text"]) and acted in str(confirm["text"])
    # a report staff are verifying is not offered for deletion, and the reporter is told why
    deletable, kept = str(confirm["text"]).split("tidak dihapus")
    assert first in deletable and acted not in deletable and acted in kept
    assert "agar penanganannya tidak terputus" in kept
    await tap(user, "↩️ Tidak", "Dibatalkan")
    await say(user, "/hapus", "Hapus data Anda?")
    await tap(user, "🗑 Ya, hapus data saya", "Data Anda sudah dihapus (1 laporan)")
    left = await rows(settings, "SELECT ticket FROM cases ORDER BY id")
    assert left == [(acted,), (other,)]
    assert await rows(settings, "SELECT COUNT(*) FROM drafts") == [(0,)]
    await say(user, "/hapus", "Tidak ada data laporan Anda yang bisa dihapus")
