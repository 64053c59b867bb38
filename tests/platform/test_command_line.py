"""The bot as a process: against any Bot API server given by URL, the sandbox, clean shutdown."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from tests.conftest import TOKEN
from tests.console import LINK, browser_session, free_port, sign_in


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    # the web console stays off unless a test gives it a port
    env.update({"DATABASE_PATH": str(tmp_path / "db" / "lapor.db"), "WEB_PORT": "0", **extra})
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
        "lapor",
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
        "lapor",
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


async def test_the_sandbox_opens_a_whatsapp_chat_too(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lapor", cwd=tmp_path, env=child_env(tmp_path),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    seen = b""

    async def until(marker: bytes) -> None:
        nonlocal seen
        while marker not in seen:
            chunk = await asyncio.wait_for(process.stdout.read(4096), 30)  # type: ignore[union-attr]
            assert chunk, seen.decode()
            seen += chunk

    await until(b"Type /start")
    for line, marker in (
        (b"/as whatsapp", b"a citizen on WhatsApp"),
        (b"lapor", b"Sebelum mulai"),  # a word, no slash: the report starts
        (b"1", b"Apa yang terjadi?"),  # a number presses the reply button
        (b"3", b"Ceritakan kejadiannya"),  # and a list row
    ):
        process.stdin.write(line + b"\n")
        await process.stdin.drain()
        await until(marker)
    text = seen.decode()
    assert "🟢" in text and "nomor WhatsApp Anda" in text
    assert "[10] ➡️ Lainnya" in text  # the nine categories with Back and Cancel: nine and more
    process.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    assert b"Traceback" not in err + out


async def test_the_sandbox_serves_the_console_and_web_signs_in(tmp_path: Path) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lapor", cwd=tmp_path, env=child_env(tmp_path, WEB_PORT=str(port)),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"/as staff\n/web\n")
    await process.stdin.drain()
    seen = b""
    while b"/login/" not in seen or not seen.rstrip().endswith(b"siapa pun."):
        chunk = await asyncio.wait_for(process.stdout.read(4096), 30)
        assert chunk, seen.decode()
        seen += chunk
    text = seen.decode()
    assert f"Web console on http://127.0.0.1:{port}" in text
    found = LINK.search(text)
    assert found
    try:
        async with browser_session() as browser:
            answer = await sign_in(browser, found.group(1))
            assert answer.status == 303
            async with browser.get(f"http://127.0.0.1:{port}/") as page:
                assert page.status == 200
                assert "Ringkasan laporan — nasional" in await page.text()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0 and b"Traceback" not in err + out


async def test_the_sandbox_moves_its_console_off_a_port_another_program_holds(
    tmp_path: Path,
) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lapor", cwd=tmp_path, env=child_env(tmp_path, WEB_PORT=str(port)),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(b"/as staff\n/web\n")
        await process.stdin.drain()
        seen = b""
        while b"/login/" not in seen:
            chunk = await asyncio.wait_for(process.stdout.read(4096), 30)
            assert chunk, seen.decode()
            seen += chunk
        text = seen.decode()
        moved = re.search(
            rf"\(port {port} is taken by another program: the console uses (\d+)\)", text
        )
        assert moved, text
        found = LINK.search(text)
        assert found and found.group(1).startswith(f"http://127.0.0.1:{moved.group(1)}/login/")
        assert f":{port}/" not in text  # no link to the program that holds the port
        async with browser_session() as browser:
            assert (await sign_in(browser, found.group(1))).status == 303
    finally:
        holder.close()
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0 and b"Traceback" not in err + out


async def test_migrate_command(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "lapor",
        "migrate",
        cwd=tmp_path,
        env=child_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert b"applied migrations: [1" in out


def run_cli(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "lapor", *args],
        cwd=tmp_path,
        env=child_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def test_explain_prints_the_decision(tmp_path: Path) -> None:
    code, out, err = run_cli(
        tmp_path,
        "explain",
        "--category",
        "service_conditioning",
        "--person",
        "asn",
        "--public-service",
        "yes",
        "--province",
        "36",
        "--regency",
        "36.73",
        "--event-date",
        "2024-02-10",
        "--report-date",
        "2024-02-12",
    )
    assert code == 0, err
    assert "Lembaga berwenang: Bawaslu Kota Serang; Ombudsman RI Perwakilan Banten" in out
    assert "17 Februari 2024" in out
    assert "<b>" not in out


def test_explain_accepts_names_and_refuses_ambiguity(tmp_path: Path) -> None:
    code, out, _ = run_cli(
        tmp_path,
        "explain",
        "--category",
        "state_facilities",
        "--person",
        "village",
        "--province",
        "jabar",
        "--regency",
        "kota bekasi",
        "--event-date",
        "2024-11-01",
        "--report-date",
        "2024-11-02",
        "--language",
        "en",
    )
    assert code == 0
    assert "Handled by: Bawaslu Kota Bekasi; Ombudsman RI Perwakilan Jakarta Raya" in out
    code, _, err = run_cli(
        tmp_path,
        "explain",
        "--category",
        "state_facilities",
        "--person",
        "asn",
        "--province",
        "jabar",
        "--regency",
        "bekasi",
        "--event-date",
        "2024-11-01",
    )
    assert code == 2
    assert "Kabupaten Bekasi (32.16)" in err and "Kota Bekasi (32.75)" in err


def test_a_bad_elections_file_stops_start_up(tmp_path: Path) -> None:
    bad = tmp_path / "pemilu.toml"
    bad.write_text(
        '[[elections]]\nname = "Pilkada Ulang"\nkind = "pilkades"\n'
        "start = 2025-01-01\nvoting_day = 2025-02-01\nend = 2025-03-01\n"
    )
    code, _, err = run_cli(tmp_path, "migrate", ELECTIONS_FILE=str(bad))
    assert code == 2
    assert err.count("\n") == 1
    assert "elections[0] (Pilkada Ulang).kind" in err


def test_an_added_election_window_changes_the_decision(tmp_path: Path) -> None:
    extra = tmp_path / "pemilu.toml"
    extra.write_text(
        '[[elections]]\nname = "Pilkada 2029"\nkind = "pilkada"\n'
        "start = 2026-11-01\nvoting_day = 2027-02-01\nend = 2027-06-01\n"
        'source = "PKPU (tahapan Pilkada 2029), for this test"\n'
    )
    args = (
        "explain",
        "--category",
        "political_expression",
        "--person",
        "asn",
        "--province",
        "36",
        "--event-date",
        "2026-11-25",
        "--report-date",
        "2026-11-28",
    )
    _, without, _ = run_cli(tmp_path, *args)
    _, with_window, _ = run_cli(tmp_path, *args, ELECTIONS_FILE=str(extra))
    assert "Lembaga berwenang: Badan Kepegawaian Negara (BKN)\n" in without
    assert "Bawaslu tidak dapat menanganinya" in without
    assert (
        "Lembaga berwenang: Bawaslu Provinsi Banten; Badan Kepegawaian Negara (BKN)" in with_window
    )
    for text in (without, with_window):
        assert "Pratinjau keputusan" in text and "sudah tercatat" not in text
        assert "Nomor tiket" not in text


def test_elections_check_prints_the_calendar_and_what_is_missing(tmp_path: Path) -> None:
    code, out, _ = run_cli(tmp_path, "elections", "check")
    assert code == 0
    assert "Pemilu 2024 [pemilu, confirmed]" in out and "source: PKPU 3/2022" in out
    assert "Pemilu 2029 [pemilu, EXPECTED (warns only)]" in out
    assert "warning: Pemilu 2029: dates expected, not confirmed" in out
