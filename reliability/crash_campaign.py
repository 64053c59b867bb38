"""Crash campaign: the bot in its own processes, reporters talking to it, SIGKILL at random.

The fake Bot API server and the simulated reporters live in this process. By default the bot
is one `python -m lapor` on SQLite (or on PostgreSQL with `--database-url`), killed with SIGKILL
at random moments and restarted at once on the same database. With `--workers N` it is an
ingress (`python -m lapor ingress`, the fake server delivering updates to it by webhook) and N
workers (`python -m lapor worker`) on PostgreSQL; each kill hits one of them at random, which
comes back two seconds later (as `Restart=always`, `RestartSec=2` in deploy/) while the others
go on. Without `--database-url` a PostgreSQL server is started from the pgserver wheel.

At the end it checks that every report whose reporter saw a ticket is in the database exactly
once with its fields and evidence, that reporters who stopped half-way find their draft at the
step they were at, that no outbox row was lost (and counts re-sends: rows cut off after
Telegram accepted them), that every update the webhook answered 200 for was handled (workers),
and SQLite's integrity check. It reports the longest any reporter waited for an answer, prints
the counts and exits non-zero when anything was lost or doubled.

    python reliability/crash_campaign.py --kills 100 --reporters 40
    python reliability/crash_campaign.py --kills 100 --reporters 40 --workers 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from bench.common import fresh_database, postgres_server  # noqa: E402
from conversations.draft import Draft  # noqa: E402
from conversations.questions import QUESTIONS  # noqa: E402
from reliability import whatsapp_reporters  # noqa: E402
from sandbox.fake_api import JSON, FakeTelegram  # noqa: E402
from sandbox.fake_users import FakeUser, buttons  # noqa: E402
from sandbox.fake_whatsapp import FakeWhatsApp  # noqa: E402
from storage.crypto import DataCipher  # noqa: E402
from storage.database import fetch_all, fetch_one, open_database  # noqa: E402

TOKEN = "424242:crash-campaign-token"
STAFF_ID = 777
PLACES = [("banten", "kota serang", "36", "36.73"), ("bali", "denpasar", "51", "51.71"),
          ("jatim", "kota malang", "35", "35.73"), ("DIY", "sleman", "34", "34.04")]  # fmt: skip
CATEGORIES = [
    "state_facilities",
    "service_conditioning",
    "political_expression",
    "mobilisation",
    "other",
]
PERSONS = ["asn", "village", "unknown", "state_official"]
QUITS_AT = ["pv", "ed", "ev", "id"]
RESTART_SECONDS = 2.0  # a killed ingress or worker comes back after this (deploy/*.service)
WEBHOOK_SECRET = "crash-campaign-" + "0" * 24


@dataclass
class Plan:
    """What one simulated reporter will answer."""

    index: int
    category: str
    person: str
    place: tuple[str, str, str, str]
    description: str
    photo: bytes | None
    quit_at: str | None
    public: str = "no"


@dataclass
class Reporter:
    """A simulated reporter and what it saw."""

    plan: Plan
    user: FakeUser
    ticket: str | None = None
    reached_review: bool = False
    photo_confirmed: bool = False
    stopped_at: str | None = None
    actions: int = 0
    longest_wait: float = 0.0  # seconds from acting to the bot's next message, worst seen
    log: list[str] = field(default_factory=list)


def question_of(message: JSON) -> str | None:
    """The question code a bot message asks (from its buttons' callback data)."""
    codes = {data.split(":", 1)[0] for _, data in buttons(message) if ":" in data}
    for code in (
        "rv",
        "x",
        "dr",
        "c",
        "k",
        "d",
        "p",
        "pd",
        "pv",
        "rg",
        "pl",
        "ed",
        "ld",
        "ps",
        "sn",
        "cp",
        "ev",
        "id",
        "rn",
    ):
        if code in codes:
            return code
    return "m" if "m" in codes else None


def current_question(user: FakeUser) -> tuple[str | None, JSON | None]:
    for message in reversed(user.bot_messages()):
        code = question_of(message)
        if code is not None:
            return code, message
    return None, None


def act(reporter: Reporter) -> str | None:
    """Do what a person would do now; return the question answered (None: nothing to do)."""
    user, plan = reporter.user, reporter.plan
    for recent in reversed(user.bot_messages()[-3:]):
        text = str(recent.get("text") or "")
        if "Nomor tiket: " in text:
            reporter.ticket = text.split("Nomor tiket: ")[1].split("\n")[0]
            return None
        if any(mark in text for mark in ("Bukti 1 diterima", "sudah Anda kirim", "Sudah 1 bukti")):
            reporter.photo_confirmed = True  # the confirmation itself may have been cut off
    code, message = current_question(user)
    if code is None or message is None:
        user.send("/lapor")
        return "start"
    if plan.quit_at is not None and code == plan.quit_at:
        reporter.stopped_at = code
        return None

    def press(data: str) -> None:
        user.press(message, data, forge=True)

    data = {d for _, d in buttons(message)}
    if code == "m":
        if reporter.reached_review:
            mine = [
                d
                for m in reversed(user.bot_messages())
                for _, d in buttons(m)
                if d.startswith("st:")
            ]
            if mine:
                reporter.ticket = mine[0].removeprefix("st:")
                return None
            press("m:status")
        else:
            press("m:report")
    elif code == "dr":
        press("dr:continue")
    elif code == "x":
        press("x:no")
    elif code == "c":
        press("c:yes")
    elif code == "k":
        press(f"k:{plan.category}")
    elif code == "d":
        user.send(plan.description)
    elif code == "p":
        press(f"p:{plan.person}")
    elif code == "pd":
        press("pd:^skip")
    elif code == "pv":
        wanted = f"pv:{plan.place[2]}"
        press(wanted) if wanted in data else user.send(plan.place[0])
    elif code == "rg":
        wanted = f"rg:{plan.place[3]}"
        press(wanted) if wanted in data else user.send(plan.place[1])
    elif code == "pl":
        press("pl:^skip")
    elif code == "ed":
        press("ed:today")
    elif code == "ld":
        press("ld:today")
    elif code == "ps":
        press(f"ps:{plan.public}")
    elif code == "sn":
        press("sn:^skip")
    elif code == "cp":
        press("cp:no")
    elif code == "ev":
        if plan.photo is not None and not reporter.photo_confirmed:
            user.send_photo(plan.photo)
        else:
            press("ev:done" if "ev:done" in data else "ev:none")
    elif code == "id":
        press("id:anonymous")
    elif code == "rv":
        reporter.reached_review = True
        press(next(d for d in data if d.startswith("rv:send:")))
    reporter.actions += 1
    return code


async def drive(reporter: Reporter, deadline: float) -> None:
    """Keep answering until a ticket is seen, the planned stop is reached, or time runs out."""
    waiting_since: float | None = None  # when the reporter last acted without an answer yet
    while time.monotonic() < deadline and reporter.ticket is None and reporter.stopped_at is None:
        before = reporter.user.server.activity
        reporter.user.mark()
        if act(reporter) is None and (reporter.ticket or reporter.stopped_at):
            return
        waiting_since = waiting_since or time.monotonic()
        # When nothing comes, the bot is down or restarting: look again and act again. People
        # are patient for a few seconds; an impatient crowd would only measure its own retries
        # against Telegram's 30 messages a second.
        with contextlib.suppress(AssertionError):
            await reporter.user.expect(lambda m: True, timeout=8.0)
            waited = time.monotonic() - waiting_since
            reporter.longest_wait = max(reporter.longest_wait, waited)
            waiting_since = None
        await asyncio.sleep(random.uniform(0.2, 1.0))
        if reporter.user.server.activity == before:
            await asyncio.sleep(0.2)


class BotProcess:
    """`python -m lapor [command]` against the fake server, killed and restarted on demand."""

    def __init__(
        self, env: dict[str, str], workdir: Path, name: str = "bot", args: tuple[str, ...] = ()
    ) -> None:
        self.env = env
        self.workdir = workdir
        self.name = name
        self.args = args
        self.process: asyncio.subprocess.Process | None = None
        self.starts = 0

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> None:
        self.starts += 1
        log = (self.workdir / f"{self.name}-{self.starts}.log").open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "lapor", *self.args, cwd=self.workdir, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        log.close()

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def stop(self) -> float | None:
        """SIGTERM and wait; the seconds a clean stop took, or None when it had to be killed."""
        if self.process is None or self.process.returncode is not None:
            return 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            await self.kill()
            return None
        return time.monotonic() - started


class Fleet:
    """The processes under test: one bot restarted at once after each kill, or an ingress and
    workers each restarted `RESTART_SECONDS` after its kill while the others go on."""

    def __init__(self, processes: list[BotProcess], restart_after: float) -> None:
        self.processes = processes
        self.restart_after = restart_after
        self.restarts: set[asyncio.Task[None]] = set()
        self.killed: dict[str, int] = {p.name: 0 for p in processes}

    @property
    def starts(self) -> int:
        return sum(p.starts for p in self.processes)

    async def start(self) -> None:
        for process in self.processes:
            await process.start()

    async def kill_one(self, rng: random.Random) -> None:
        running = [p for p in self.processes if p.alive]
        if not running:
            return
        victim = rng.choice(running)
        await victim.kill()
        self.killed[victim.name] += 1
        if not self.restart_after:
            await victim.start()
            return
        task = asyncio.create_task(self._restart(victim))
        self.restarts.add(task)
        task.add_done_callback(self.restarts.discard)

    async def _restart(self, process: BotProcess) -> None:
        await asyncio.sleep(self.restart_after)
        await process.start()

    async def stop(self) -> float | None:
        """Stop them all (SIGTERM); the longest clean stop, None when one had to be killed."""
        await asyncio.gather(*self.restarts)
        times = [await p.stop() for p in reversed(self.processes)]
        return None if None in times else max(t for t in times if t is not None)


def make_plans(seed: int) -> Iterator[Plan]:
    """An endless supply of varied reports (some with a photo, some given up half-way)."""
    import io

    from PIL import Image

    rng = random.Random(seed)
    index = 0
    while True:
        photo = None
        if rng.random() < 0.4:
            out = io.BytesIO()
            Image.new("RGB", (32, 24), (rng.randrange(256), 40, 90)).save(out, format="JPEG")
            photo = out.getvalue()
        yield Plan(
            index=index,
            category=rng.choice(CATEGORIES),
            person=rng.choice(PERSONS),
            place=rng.choice(PLACES),
            description=f"Laporan uji {index}: pejabat berkampanye memakai fasilitas kantor.",
            photo=photo,
            quit_at=rng.choice(QUITS_AT) if rng.random() < 0.2 else None,
        )
        index += 1


async def reporter_worker(
    fake: FakeTelegram,
    plans: Iterator[Plan],
    reporters: list[Reporter],
    stop: asyncio.Event,
    deadline: float,
) -> None:
    """One person after another, each filing (or starting) one report, until the kills are done."""
    while not stop.is_set() and time.monotonic() < deadline:
        plan = next(plans)
        reporter = Reporter(plan, FakeUser(fake, 300000 + plan.index, f"Warga {plan.index}", "id"))
        reporters.append(reporter)
        await drive(reporter, deadline)


@contextlib.asynccontextmanager
async def database_for(
    workdir: Path, database_url: str | None, workers: int
) -> AsyncIterator[str | None]:
    """The PostgreSQL URL to use (a fresh database on a server started here when workers are
    asked for without one), or None for SQLite."""
    if database_url or not workers:
        yield database_url
        return
    with postgres_server(workdir / "postgres") as server:
        yield await fresh_database(server)


async def campaign(
    reporters_count: int,
    kills: int,
    seed: int,
    time_limit: float,
    database_url: str | None = None,
    workers: int = 0,
    whatsapp: int = 0,
) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="lapor-crash-"))
    async with database_for(workdir, database_url, workers) as url:
        return await _campaign(
            workdir, reporters_count, kills, seed, time_limit, url, workers, whatsapp
        )


async def _campaign(
    workdir: Path,
    reporters_count: int,
    kills: int,
    seed: int,
    time_limit: float,
    database_url: str | None,
    workers: int,
    whatsapp: int = 0,
) -> dict[str, Any]:
    rng = random.Random(seed)
    key = Fernet.generate_key().decode()
    fake = FakeTelegram(TOKEN)
    await fake.start()
    env = {
        k: v
        for k, v in os.environ.items()
        if k in {"PATH", "HOME", "LANG", "SYSTEMROOT", "PYTHONPATH"}
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url, DATA_KEY=key,
        DATABASE_PATH=str(workdir / "lapor.db"),
        OUTBOX_POLL_SECONDS="0.2", OUTBOX_RETRY_SECONDS="0.1",
        MESSAGES_PER_MINUTE="100000", REPORTS_PER_DAY="1000", LOG_LEVEL="WARNING",
        NEW_REPORTS_PER_MINUTE="100000", WEB_PORT="0",
        PYTHONPATH=str(ROOT),
    )  # fmt: skip
    if database_url:
        env["DATABASE_URL"] = database_url
    if workers:
        port = _free_port()
        env.update(
            WEBHOOK_URL=f"http://127.0.0.1:{port}", WEBHOOK_PORT=str(port),
            WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_SECRET=WEBHOOK_SECRET,
        )  # fmt: skip
    cloud = whatsapp_reporters.retrying(FakeWhatsApp())
    await cloud.start()
    if whatsapp:  # reporters on WhatsApp too: one process's webhook, or the ingress's
        wa_port = int(env["WEBHOOK_PORT"]) if workers else _free_port()
        cloud.webhook_url = f"http://127.0.0.1:{wa_port}/whatsapp"
        env.update(
            WHATSAPP_TOKEN=cloud.token, WHATSAPP_PHONE_NUMBER_ID=cloud.phone_id,
            WHATSAPP_APP_SECRET=cloud.app_secret, WHATSAPP_VERIFY_TOKEN=cloud.verify_token,
            WHATSAPP_API_BASE_URL=cloud.base_url, WHATSAPP_PORT="0" if workers else str(wa_port),
        )  # fmt: skip
    staff = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "lapor", "staff", "add", str(STAFF_ID), "ombudsman",
        cwd=workdir, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await staff.wait()
    FakeUser(fake, STAFF_ID, "Petugas", "id")
    fleet = (
        Fleet(
            [BotProcess(env, workdir, "ingress", ("ingress",))]
            + [
                BotProcess(env, workdir, f"worker-{n}", ("worker", "--lanes", "4"))
                for n in range(1, workers + 1)
            ],
            RESTART_SECONDS,
        )
        if workers
        else Fleet([BotProcess(env, workdir)], 0.0)
    )
    await fleet.start()
    answers: list[float] = []  # when the bot wrote anything to anyone (sent or edited)
    fake.listeners.append(lambda kind, message: answers.append(time.monotonic()))
    plans = make_plans(seed)
    reporters: list[Reporter] = []
    deadline = time.monotonic() + time_limit
    stop = asyncio.Event()
    crowd = [
        asyncio.create_task(reporter_worker(fake, plans, reporters, stop, deadline))
        for _ in range(reporters_count)
    ]
    wa_reporters: list[whatsapp_reporters.WhatsAppReporter] = []

    async def whatsapp_worker(lane: int) -> None:
        for number in itertools.count():
            if stop.is_set() or time.monotonic() > deadline:
                return
            person = cloud.person(f"6281{lane:03d}{number:05d}", f"Warga WA {lane}")
            reporter = whatsapp_reporters.WhatsAppReporter(person)
            wa_reporters.append(reporter)
            await whatsapp_reporters.report(reporter, deadline)

    crowd += [asyncio.create_task(whatsapp_worker(lane)) for lane in range(whatsapp)]
    killed = 0
    kills_started = time.monotonic()
    while killed < kills and time.monotonic() < deadline:
        await asyncio.sleep(rng.uniform(0.5, 2.0))
        await fleet.kill_one(rng)
        killed += 1
    kills_ended = time.monotonic()
    # Kills done: the reporters finish the report they are in, then the outbox drains.
    stop.set()
    await asyncio.gather(*crowd)
    database = workdir / "lapor.db"
    drained = False
    for _ in range(150):
        tables = await read_tables(database, database_url, key)
        if not tables.open_outbox and not tables.open_updates:
            drained = True
            break
        await asyncio.sleep(0.2)
    stopped = await fleet.stop()
    await fake.stop()
    await cloud.stop()
    result = check(reporters, fake, tables, killed, fleet.starts, drained)
    if whatsapp:
        per_chat = Counter(row[1] for row in tables.cases.values())
        column = whatsapp_reporters.check(wa_reporters, dict(per_chat))
        result |= column
        result["failures"] += len(column["whatsapp_problems"])  # type: ignore[arg-type]
    result["clean_stop_seconds"] = round(stopped, 2) if stopped is not None else "killed after 30 s"
    result["longest_wait_seconds"] = round(max((r.longest_wait for r in reporters), default=0), 1)
    result["reporters_waiting_over_10_s"] = sum(1 for r in reporters if r.longest_wait > 10)
    # the crowd as a whole: the longest stretch in which nobody got any answer
    during = [kills_started, *(t for t in answers if kills_started < t < kills_ended), kills_ended]
    result["longest_silence_seconds"] = round(
        max(later - earlier for earlier, later in itertools.pairwise(during)), 1
    )
    if workers:
        result["kills_by_process"] = fleet.killed
        result["engine"] = f"PostgreSQL, ingress + {workers} workers"
    else:
        result["engine"] = "PostgreSQL, one process" if database_url else "SQLite, one process"
    return result


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Tables:
    """What the campaign checks, read from the database (either engine), decrypted."""

    integrity: str
    cases: dict[str, tuple[Any, ...]]
    drafts: dict[object, str]
    outbox: list[tuple[int, str, int]]  # id, status, resends
    updates: dict[int, tuple[bool, int]]  # update_id -> (done, attempts)

    @property
    def open_outbox(self) -> int:
        return sum(1 for row in self.outbox if row[1] in {"pending", "sending"})

    @property
    def open_updates(self) -> int:
        return sum(1 for done, _ in self.updates.values() if not done)


def chat_of(address: str) -> object:
    """A Telegram chat by its id (as the reporters know it), a WhatsApp chat by its address."""
    channel, _, chat_id = address.partition(":")
    return int(chat_id) if channel == "telegram" else address


async def read_tables(path: Path, url: str | None, key: str) -> Tables:
    cipher = DataCipher(key)
    db = await open_database(path, url, pool_size=2)

    def text(value: Any) -> str:
        return cipher.decrypt(bytes(value) if not isinstance(value, str) else value.encode())

    try:
        if db.engine == "sqlite":
            row = await fetch_one(db, "PRAGMA integrity_check")
            integrity = str(row["integrity_check"]) if row else "?"
        else:
            integrity = "n/a (PostgreSQL)"
        cases = {
            str(r["ticket"]): (
                r["ticket"],
                chat_of(text(r["reporter_chat_enc"])),
                r["category"],
                r["person_kind"],
                r["province_code"],
                r["regency_code"],
                text(r["description_enc"]),
                r["evidence"],
            )
            for r in await fetch_all(
                db,
                "SELECT ticket, reporter_chat_enc, category, person_kind, province_code,"
                " regency_code, description_enc,"
                " (SELECT COUNT(*) FROM evidence e WHERE e.case_id = cases.id) AS evidence"
                " FROM cases",
            )
        }
        drafts = {
            chat_of(text(r["chat_enc"])): text(r["state"])
            for r in await fetch_all(db, "SELECT chat_enc, state FROM drafts")
        }
        # a delivered row keeps neither its message nor its chat: what reached the staff member
        # is read from the fake's record of their chat instead
        outbox = [
            (int(r["id"]), str(r["status"]), int(r["resends"]))
            for r in await fetch_all(db, "SELECT id, status, resends FROM outbox")
        ]
        updates = {
            int(r["update_id"]): (r["done_at"] is not None, int(r["attempts"]))
            for r in await fetch_all(db, "SELECT update_id, done_at, attempts FROM updates")
        }
    finally:
        await db.close()
    return Tables(integrity, cases, drafts, outbox, updates)


def check(
    reporters: list[Reporter],
    fake: FakeTelegram,
    tables: Tables,
    kills: int,
    starts: int,
    drained: bool,
) -> dict[str, Any]:
    problems: list[str] = []
    cases, drafts, outbox, integrity = tables.cases, tables.drafts, tables.outbox, tables.integrity
    per_chat: dict[object, int] = {}
    for row in cases.values():
        per_chat[row[1]] = per_chat.get(row[1], 0) + 1
    filed = lost = duplicated = resumed = not_resumed = unfinished = 0
    for reporter in reporters:
        plan, chat = reporter.plan, reporter.user.chat_id
        if reporter.ticket is not None:
            filed += 1
            found = cases.get(reporter.ticket)
            if found is None:
                lost += 1
                problems.append(
                    f"reporter {plan.index}: ticket {reporter.ticket} not in the database"
                )
                continue
            if per_chat.get(chat, 0) != 1:
                duplicated += 1
                problems.append(f"reporter {plan.index}: {per_chat.get(chat)} cases")
            expected = (
                plan.category,
                plan.person,
                plan.place[2],
                plan.place[3],
                plan.description,
                1 if plan.photo else 0,
            )
            if tuple(found[2:8]) != expected:
                problems.append(f"reporter {plan.index}: fields {found[2:8]} != {expected}")
        elif reporter.stopped_at is not None:
            state = drafts.get(chat)
            if state is None:
                not_resumed += 1
                problems.append(
                    f"reporter {plan.index}: draft lost (stopped at {reporter.stopped_at})"
                )
                continue
            draft = Draft.model_validate_json(state)
            code, _ = current_question(reporter.user)
            if QUESTIONS[draft.question].code == code == reporter.stopped_at:
                resumed += 1
            else:
                not_resumed += 1
                problems.append(
                    f"reporter {plan.index}: draft at {draft.question}, chat shows {code}"
                )
        else:
            unfinished += 1
            last = [str(m.get("text"))[:80] for m in reporter.user.bot_messages()[-2:]]
            problems.append(f"reporter {plan.index}: neither a ticket nor the planned stop: {last}")
    sent = sum(1 for row in outbox if row[1] == "sent")
    outbox_lost = sum(1 for row in outbox if row[1] in {"pending", "sending"})
    resends = sum(int(row[2]) for row in outbox)
    # Only the outbox writes to the staff member (alerts and digests, each a message of its
    # own, one or more parts): each row sent is at least one message there, and a text seen
    # twice was delivered twice.
    delivered = Counter(str(m.get("text") or m.get("caption")) for m in fake.bot_messages(STAFF_ID))
    if sum(delivered.values()) < sent:
        outbox_lost += sent - sum(delivered.values())
        problems.append(f"{sent} outbox rows marked sent, {sum(delivered.values())} delivered")
    delivered_twice = sum(copies - 1 for copies in delivered.values() if copies > 1)
    if delivered_twice > resends:
        problems.append(
            f"{delivered_twice} duplicate deliveries but only {resends} rows were cut off mid-send"
        )
    updates_lost = [u for u in fake.webhook_delivered if not tables.updates.get(u, (False, 0))[0]]
    for update_id in updates_lost[:5]:
        problems.append(f"update {update_id}: the webhook answered 200 but it was not handled")
    handled_again = sum(1 for _, attempts in tables.updates.values() if attempts > 1)
    if integrity not in {"ok", "n/a (PostgreSQL)"}:
        problems.append(f"integrity_check: {integrity}")
    if not drained:
        problems.append("the outbox did not drain")
    return {
        "kills": kills, "bot_starts": starts, "reporters": len(reporters), "reports_filed": filed,
        "reports_lost": lost, "reports_duplicated": duplicated, "drafts_resumed": resumed,
        "drafts_lost": not_resumed, "unfinished": unfinished, "outbox_sent": sent,
        "outbox_resent_in_kill_window": delivered_twice, "outbox_rows_cut_off": resends,
        "outbox_lost": outbox_lost, "webhook_updates_accepted": len(fake.webhook_delivered),
        "webhook_updates_lost": len(updates_lost), "updates_handled_again": handled_again,
        "integrity": integrity, "failures": len(problems),
        "problems": problems[:20],
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--reporters", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=900.0, help="seconds")
    parser.add_argument("--json", type=Path, help="also write the counts here")
    parser.add_argument("--database-url", help="PostgreSQL (postgresql://...); default SQLite")
    parser.add_argument(
        "--workers", type=int, default=0,
        help="an ingress and this many workers on PostgreSQL instead of one process",
    )  # fmt: skip
    parser.add_argument(
        "--whatsapp", type=int, default=0,
        help="this many reporters on WhatsApp too (the fake Cloud API), one report after another",
    )  # fmt: skip
    args = parser.parse_args(argv)
    result = asyncio.run(
        campaign(
            args.reporters,
            args.kills,
            args.seed,
            args.time_limit,
            args.database_url,
            args.workers,
            args.whatsapp,
        )
    )
    width = max(len(k) for k in result)
    for name, value in result.items():
        if name not in {"problems", "whatsapp_problems"}:
            print(f"{name:<{width}}  {value}")
    for problem in [*result["problems"], *result.get("whatsapp_problems", [])]:
        print(f"problem: {problem}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    bad = (
        result["reports_lost"]
        + result["reports_duplicated"]
        + result["drafts_lost"]
        + result["outbox_lost"]
        + result["webhook_updates_lost"]
        + result.get("whatsapp_reports_lost", 0)
        + result.get("whatsapp_reports_duplicated", 0)
        + result["failures"]
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
