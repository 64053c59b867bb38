"""The bot as a process: against any Bot API server given by URL, the sandbox, clean shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from bot.sandbox.fake_api import FakeTelegram
from bot.sandbox.fake_users import FakeUser
from tests.conftest import TOKEN


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    env.update({"DATABASE_PATH": str(tmp_path / "db" / "lapor.db"), **extra})
    return env


async def test_runs_against_a_bot_api_server_given_by_url(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    env = child_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        DATA_KEY=Fernet.generate_key().decode(),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        user = FakeUser(fake, 4242, "Ani", "id")
        user.send("/start")
        await user.expect("Selamat datang di Lapor Netral, Ani.", timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    log = err.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    assert "stopped cleanly" in log
    assert (tmp_path / "db" / "lapor.db").exists()


async def test_sandbox_answers_start_and_leaves_cleanly(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=child_env(tmp_path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"/start\n")
    await process.stdin.drain()
    seen = b""
    while b"[5]" not in seen:
        chunk = await asyncio.wait_for(process.stdout.read(4096), 30)
        assert chunk, seen.decode()
        seen += chunk
    text = seen.decode()
    assert "Selamat datang di Lapor Netral" in text
    assert "[1] 📝 Buat laporan" in text
    process.send_signal(signal.SIGINT)  # Ctrl-C
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert b"Traceback" not in err + out
    assert b"Sandbox stopped." in out
    assert (tmp_path / "db" / "sandbox.key").exists()


async def test_migrate_command(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "migrate",
        cwd=tmp_path,
        env=child_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert b"applied migrations: [1" in out
