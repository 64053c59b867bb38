"""Conversation throughput: many reporters filing whole reports against the bot as its own process.

The fake Bot API server and the load driver run in this process; the bot runs as `python -m lapor`
(or a bare PTB echo bot, the baselines: with PTB's defaults, and on our own transport and
processor, the floor of our stack) against the server over loopback HTTP. Every simulated
reporter files one whole report: /lapor, buttons, a typed description, typed province and
regency, a photo, review, send. Each reporter waits for the bot's answer before its next step, as
a person does; `--concurrency` reporters are active at once.

Measured per run: updates handled per second, reply latency (from the update being queued at the
server to the bot's reply arriving there: the first reply, and the complete answer the reporter
waits for), CPU seconds of the bot per filed report, the bot's peak RSS, and the driver's own CPU
use (near 100% means the harness, not the bot, is the limit), and the bot's message calls (sends
and edits) per report with the reports per hour one bot token carries at Telegram's 30 messages
a second. A run at half the peak rate gives the latency under ordinary load. `--memory N`
instead leaves N reporters mid-report and measures the bot's RSS growth per report in progress
and the bytes of each stored draft.

    python bench/conversation.py                      # make bench: 2,000 reports, 200 at once
    python bench/conversation.py --quick              # make bench-quick
    python bench/conversation.py --memory 10000       # 10,000 reports in progress
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import io
import os
import random
import resource
import signal
import socket
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from PIL import Image  # noqa: E402

from bench.common import fresh_database, percentiles, postgres_server, write_report  # noqa: E402
from sandbox.fake_api import JSON, FakeTelegram  # noqa: E402
from sandbox.fake_users import FakeUser, asks_code, buttons  # noqa: E402

TOKEN = "424242:bench-token"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
TELEGRAM_MESSAGES_PER_SECOND = 30  # what Telegram lets one bot send, all chats together
CATEGORIES = ["state_facilities", "political_expression", "mobilisation", "campaign_role"]
PERSONS = ["asn", "village", "state_official", "unknown"]
# (typed province, typed regency, regency code)
PLACES = [("banten", "kota serang", "36.73"), ("bali", "denpasar", "51.71"),
          ("jawa timur", "kota malang", "35.73"), ("DIY", "sleman", "34.04")]  # fmt: skip


@dataclass(frozen=True)
class Step:
    """One thing a reporter does, and the question code of the answer it waits for.

    kind: "text", "press" (callback data; a data ending in ":" takes the button with that
    prefix), "choose" (press the button if the bot offers it, else type `fallback`) or "photo".
    """

    kind: str
    value: str
    waits_for: str
    fallback: str = ""


def script(index: int, photo: bool = True) -> list[Step]:
    """The steps of one whole report, varied by `index`."""
    rng = random.Random(index)
    province, regency, code = rng.choice(PLACES)
    steps = [
        Step("text", "/lapor", "c"),
        Step("press", "c:yes", "k"),
        Step("press", f"k:{rng.choice(CATEGORIES)}", "d"),
        Step("text", f"Laporan {index}: kepala dinas berkampanye memakai mobil dinas.", "p"),
        Step("press", f"p:{rng.choice(PERSONS)}", "pd"),
        Step("press", "pd:^skip", "pv"),
        Step("text", province, "rg"),
        Step("choose", f"rg:{code}", "pl", fallback=regency),
        Step("press", "pl:^skip", "ed"),
        Step("press", "ed:today", "ps"),
        Step("press", "ps:no", "ev"),
    ]
    if photo:
        steps.append(Step("photo", "", "ev"))
    steps += [
        Step("press", "ev:done" if photo else "ev:none", "id"),
        Step("press", "id:anonymous", "rv"),
        Step("press", "rv:send:", "ticket"),
    ]
    return steps


def asks(message: JSON, code: str) -> bool:
    """Whether a bot message is the answer a step waits for."""
    if code == "ticket":
        return "Nomor tiket: " in str(message.get("text") or "")
    return asks_code(message, code)


@dataclass
class Waiter:
    """What one reporter waits for: the predicate, when it started and when the first reply came."""

    matches: Callable[[JSON], bool]
    queued_at: float
    done: asyncio.Future[JSON]
    first_at: float | None = None


@dataclass
class Driver:
    """The simulated reporters' side: sends updates, sees the bot's messages, times the replies."""

    fake: FakeTelegram
    echo: bool
    waiting: dict[int, Waiter] = field(default_factory=dict)
    keyboards: dict[int, JSON] = field(default_factory=dict)
    first_latency: list[float] = field(default_factory=list)
    full_latency: list[float] = field(default_factory=list)
    by_step: dict[str, list[float]] = field(default_factory=dict)
    updates: int = 0
    sent_by_bot: int = 0
    writes: Counter[str] = field(default_factory=Counter)  # the bot's message calls by kind
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.fake.listeners.append(self.on_bot_write)

    def on_bot_write(self, kind: str, message: JSON) -> None:
        """Called by the fake server for every message the bot sends or edits."""
        now = time.perf_counter()
        self.sent_by_bot += 1
        self.writes[kind] += 1
        chat_id = int(message["chat"]["id"])
        if buttons(message) or self.echo:
            self.keyboards[chat_id] = message
        waiter = self.waiting.get(chat_id)
        if waiter is None or waiter.done.done():
            return
        if waiter.first_at is None:
            waiter.first_at = now
        if waiter.matches(message):
            waiter.done.set_result(message)

    async def do(self, user: FakeUser, step: Step, timeout: float = 60.0) -> JSON:
        """Perform one step and wait for the answer it expects (any message for the echo bot)."""
        chat_id = user.chat_id
        loop = asyncio.get_running_loop()
        matches: Callable[[JSON], bool] = (
            (lambda m: True) if self.echo else (lambda m: asks(m, step.waits_for))
        )
        keyboard = self.keyboards.get(chat_id, {"message_id": 0})
        offered = [data for _, data in buttons(keyboard)]
        if step.kind == "text":
            user.send(step.value)
        elif step.kind == "photo":
            user.send_photo(_photo(chat_id))
        elif step.kind == "choose" and step.value not in offered:
            user.send(step.fallback)
        else:
            data = step.value
            if data.endswith(":"):
                data = next((d for d in offered if d.startswith(data)), data + "0")
            user.press(keyboard, data, forge=True)
        self.updates += 1
        # Registered right after queueing: the bot's answer can only come after an await.
        waiter = Waiter(matches, time.perf_counter(), loop.create_future())
        self.waiting[chat_id] = waiter
        try:
            answer = await asyncio.wait_for(waiter.done, timeout)
        except TimeoutError:
            said = [str(m.get("text"))[:60] for m in user.bot_messages()[-2:]]
            problem = f"chat {chat_id}: no answer to {step} in {timeout}s: {said}"
            raise RuntimeError(problem) from None
        finally:
            self.waiting.pop(chat_id, None)
        done_at = time.perf_counter()
        assert waiter.first_at is not None
        self.first_latency.append(waiter.first_at - waiter.queued_at)
        self.full_latency.append(done_at - waiter.queued_at)
        self.by_step.setdefault(f"{step.kind} -> {step.waits_for}", []).append(
            done_at - waiter.queued_at
        )
        return answer


@functools.cache
def _photos() -> list[bytes]:
    """Eight photos as Telegram delivers them: 1280 x 960 JPEG of 130-240 KB, no EXIF."""
    found = []
    for seed in range(8):
        noise = Image.effect_noise((1280, 960), 40 + seed * 5).convert("RGB")
        tint = Image.new("RGB", (1280, 960), (seed * 30 % 256, 110, 160))
        out = io.BytesIO()
        Image.blend(noise, tint, 0.85).save(out, format="JPEG", quality=75)
        found.append(out.getvalue())
    return found


def _photo(seed: int) -> bytes:
    return _photos()[seed % 8]


class Pacer:
    """Lets actions through at an even `rate` per second, whoever asks (None: no limit)."""

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.next_at = 0.0

    async def wait(self) -> None:
        if self.rate is None:
            return
        now = time.perf_counter()
        slot = max(now, self.next_at)
        self.next_at = slot + 1 / self.rate
        if slot > now:
            await asyncio.sleep(slot - now)


class BotUnderTest:
    """The bot process: Lapor Netral (`python -m lapor`) or the echo bot, and its CPU and memory."""

    def __init__(
        self,
        fake: FakeTelegram,
        workdir: Path,
        echo: bool,
        env: dict[str, str],
        args: list[str] | None = None,
        our_stack: bool = False,
    ) -> None:
        self.fake, self.workdir, self.echo, self.env = fake, workdir, echo, env
        self.our_stack = our_stack  # the echo bot on our transport and processor
        self.args = args  # another command of the bot (`ingress`, `worker`); default: `run`
        self.process: asyncio.subprocess.Process | None = None
        self.profile: Path | None = None

    async def start(
        self, profile: bool = False, *, ready: Callable[[], bool] | None = None
    ) -> None:
        args = (
            [str(ROOT / "bench" / "echo_bot.py"), TOKEN, self.fake.base_url]
            + (["--our-stack"] if self.our_stack else [])
            if self.echo
            else ["-m", "lapor", *(self.args or [])]
        )
        command = [sys.executable, *args]
        if profile:
            self.profile = self.workdir / "profile.txt"
            spy = Path(sys.executable).with_name("py-spy")
            command = [str(spy), "record", "--format", "raw", "--rate", "1000", "--threads",
                       "--gil", "--nonblocking", "--output", str(self.profile), "--",
                       *command]  # fmt: skip
        log = (self.workdir / "bot.log").open("ab")
        self.process = await asyncio.create_subprocess_exec(
            *command, cwd=self.workdir, env=self.env, stdout=log, stderr=log
        )
        log.close()
        ready = ready or (lambda: self.fake.polls_started > 0)
        for _ in range(300):  # ready when it polls (or, an ingress, when it set its webhook)
            if ready():
                return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"the bot did not start; see {self.workdir / 'bot.log'}")

    @property
    def pid(self) -> int:
        """The process whose CPU and memory are measured (py-spy's child when profiling)."""
        assert self.process is not None
        if self.profile is None:
            return self.process.pid
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return int(children.read_text().split()[0])

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def memory_kb(self, field_name: str = "VmRSS") -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
        raise RuntimeError(f"no {field_name}")

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        if self.profile is not None:
            os.kill(self.pid, signal.SIGTERM)  # py-spy writes its output when its child ends
        else:
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 60)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def bot_env(workdir: Path, fake: FakeTelegram, concurrent_chats: int) -> dict[str, str]:
    """Production settings, but for the fake server and Telegram's send limiter switched off."""
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url,
        DATA_KEY=Fernet.generate_key().decode(), DATABASE_PATH=str(workdir / "lapor.db"),
        SENDS_PER_SECOND="0", CONCURRENT_CHATS=str(concurrent_chats), LOG_LEVEL="WARNING",
        NEW_REPORTS_PER_MINUTE="1000000",  # the bot's own capacity is measured, not the budget
        PYTHONPATH=str(ROOT),
    )  # fmt: skip
    return env


async def file_reports(
    driver: Driver,
    first_index: int,
    count: int,
    concurrency: int,
    pacer: Pacer,
    steps_of: Callable[[int], list[Step]] = script,
    stagger: float = 0.0,
) -> int:
    """`count` reporters, `concurrency` at a time, each doing its steps; how many finished.
    The k-th of the concurrent reporters starts `k * stagger` seconds after the first."""
    indexes = iter(range(first_index, first_index + count))
    finished = 0

    async def worker(number: int) -> None:
        nonlocal finished
        await asyncio.sleep(number * stagger)
        for index in indexes:
            user = FakeUser(driver.fake, 500_000 + index, f"Warga {index}", "id")
            try:
                for step in steps_of(index):
                    await pacer.wait()
                    await driver.do(user, step)
            except RuntimeError as exc:
                driver.failures.append(str(exc))
                continue
            finished += 1

    await asyncio.gather(*(worker(number) for number in range(concurrency)))
    return finished


@dataclass
class Run:
    """One measured run's figures."""

    name: str
    figures: dict[str, Any]


class Deployment:
    """An ingress and `workers` worker processes on PostgreSQL, measured as one bot."""

    def __init__(
        self, fake: FakeTelegram, workdir: Path, env: dict[str, str], workers: int, lanes: int
    ) -> None:
        port = _free_port()
        env = env | {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}", "WEBHOOK_PORT": str(port),
            "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_SECRET": "bench-" + "0" * 30,
            "DATABASE_POOL_SIZE": str(lanes + 4), "WEB_PORT": "0",
        }  # fmt: skip
        self.fake = fake
        self.ingress = BotUnderTest(fake, workdir, False, env, ["ingress"])
        self.workers = [
            BotUnderTest(fake, workdir, False, env, ["worker", "--lanes", str(lanes)])
            for _ in range(workers)
        ]
        self.profile: Path | None = None

    async def start(self, profile: bool = False) -> None:
        await self.ingress.start(ready=lambda: bool(self.fake.webhook_url))
        for worker in self.workers:
            await worker.start(ready=lambda: True)

    def cpu_seconds(self) -> float:
        return sum(p.cpu_seconds() for p in (self.ingress, *self.workers))

    def memory_kb(self, field_name: str = "VmRSS") -> int:
        return sum(p.memory_kb(field_name) for p in (self.ingress, *self.workers))

    async def stop(self) -> None:
        for process in (*self.workers, self.ingress):
            await process.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def throughput_run(
    name: str,
    *,
    echo: bool,
    reports: int,
    concurrency: int,
    concurrent_chats: int = 32,
    rate: float | None = None,
    lockstep: bool = False,
    warmup: int = 20,
    profile: bool = False,
    database_url: str | None = None,
    workers: int = 0,
    our_stack: bool = False,
) -> Run:
    """Start a bot (or an ingress and `workers` workers on `database_url`), warm it up, then
    time `reports` whole reports."""
    _photos()  # made before anything is timed
    workdir = Path(tempfile.mkdtemp(prefix="lapor-bench-conv-"))
    fake = FakeTelegram(TOKEN)
    await fake.start()
    env = bot_env(workdir, fake, concurrent_chats)
    if database_url:
        env["DATABASE_URL"] = database_url
    bot: BotUnderTest | Deployment = (
        Deployment(fake, workdir, env, workers, lanes=concurrent_chats)
        if workers
        else BotUnderTest(fake, workdir, echo, env, our_stack=our_stack)
    )
    try:
        await bot.start(profile=profile)
        driver = Driver(fake, echo)
        await file_reports(driver, 0, warmup, min(concurrency, warmup), Pacer(None))
        if driver.failures:
            raise RuntimeError(driver.failures[0])
        driver.first_latency.clear()
        driver.full_latency.clear()
        driver.by_step.clear()
        driver.updates = driver.sent_by_bot = 0
        driver.writes.clear()
        cpu_before, own_before = bot.cpu_seconds(), _own_cpu()
        # The fake server keeps every message and call; the driver's own full collections over
        # that growing heap would stall the server and show up as the bot's latency.
        gc.collect()
        gc.disable()
        began = time.perf_counter()
        try:
            # At a paced rate the reporters start one report's steps apart, spread over the
            # length of one report, so the mix of steps is steady, as when people come one by
            # one; started together (`lockstep`), all of them reach the photo within a second.
            stagger = 0.0 if rate is None or lockstep else len(script(0)) / rate
            done = await file_reports(
                driver, warmup, reports, concurrency, Pacer(rate), stagger=stagger
            )
        finally:
            gc.enable()
        wall = time.perf_counter() - began
        cpu = bot.cpu_seconds() - cpu_before
        own = _own_cpu() - own_before
        peak_kb = bot.memory_kb("VmHWM")
        if echo:
            filed = None
        elif database_url:
            filed = await _cases_postgres(database_url) - warmup
        else:
            filed = _cases(workdir / "lapor.db") - warmup
        figures: dict[str, Any] = {
            "reports": done,
            "cases_in_database": filed,
            "updates": driver.updates,
            "seconds": round(wall, 2),
            "updates_per_second": round(driver.updates / wall, 1),
            "bot_messages_per_second": round(driver.sent_by_bot / wall, 1),
            # sends and edits (the calls Telegram's ~30 a second per bot counts) per report
            "message_calls_per_report": round(driver.sent_by_bot / max(1, done), 2),
            "message_calls_by_kind": {
                kind: round(count / max(1, done), 2) for kind, count in driver.writes.items()
            },
            "telegram_limited_reports_per_hour": int(
                TELEGRAM_MESSAGES_PER_SECOND * 3600 / max(1.0, driver.sent_by_bot / max(1, done))
            ),
            "first_reply": percentiles(driver.first_latency, (50, 95, 99)),
            "complete_reply": percentiles(driver.full_latency, (50, 95, 99)),
            "complete_reply_by_step": {
                step: percentiles(samples, (50, 99)) for step, samples in driver.by_step.items()
            },
            "bot_cpu_seconds_per_report": round(cpu / max(1, done), 4),
            "bot_cpu_ms_per_update": round(cpu * 1000 / max(1, driver.updates), 3),
            "bot_cpu_share": round(cpu / wall, 2),
            "driver_cpu_share": round(own / wall, 2),
            "bot_peak_rss_mb": round(peak_kb / 1024, 1),
            "failures": len(driver.failures),
        }
        if driver.failures:
            figures["first_failure"] = driver.failures[0]
    finally:
        await bot.stop()
        await fake.stop()
    if bot.profile is not None and bot.profile.exists():
        figures["profile"] = summarise_profile(bot.profile)
    return Run(name, figures)


async def memory_run(reporters: int, concurrency: int) -> Run:
    """Leave `reporters` reports in progress (four steps each) and measure what the bot keeps."""
    workdir = Path(tempfile.mkdtemp(prefix="lapor-bench-mem-"))
    fake = FakeTelegram(TOKEN)
    await fake.start()
    bot = BotUnderTest(fake, workdir, False, bot_env(workdir, fake, 32))

    def halfway(index: int) -> list[Step]:
        return script(index)[:4]

    try:
        await bot.start()
        driver = Driver(fake, False)
        warm = min(500, reporters // 10 or 1)
        await file_reports(driver, 0, warm, concurrency, Pacer(None), halfway)
        await asyncio.sleep(1)
        driver.updates = 0
        before_kb = bot.memory_kb()
        began = time.perf_counter()
        done = await file_reports(driver, warm, reporters, concurrency, Pacer(None), halfway)
        wall = time.perf_counter() - began
        await asyncio.sleep(1)
        after_kb = bot.memory_kb()
        database = workdir / "lapor.db"
        with sqlite3.connect(database) as conn:
            drafts, state_bytes = conn.execute(
                "SELECT COUNT(*), SUM(LENGTH(state)) FROM drafts"
            ).fetchone()
            page_bytes = conn.execute(
                "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE '%draft%'"
            ).fetchone()[0]
        figures = {
            "reports_in_progress": done,
            "drafts_in_database": drafts,
            "updates": driver.updates,
            "seconds": round(wall, 1),
            "rss_before_mb": round(before_kb / 1024, 1),
            "rss_after_mb": round(after_kb / 1024, 1),
            "rss_growth_bytes_per_report": round((after_kb - before_kb) * 1024 / max(1, done)),
            "draft_state_bytes": round(state_bytes / max(1, drafts)),
            "draft_table_bytes_with_indexes": round((page_bytes or 0) / max(1, drafts)),
            "failures": len(driver.failures),
        }
    finally:
        await bot.stop()
        await fake.stop()
    return Run("memory", figures)


def summarise_profile(path: Path, top: int = 15) -> dict[str, list[list[Any]]]:
    """From py-spy's raw stacks (GIL holder only): where the time went.

    "by_package": the innermost frame's package (self time), "our_code": the project's
    functions on the stack (inclusive). Async stacks come out partial, so package self time is
    the sturdier of the two.
    """
    packages: dict[str, int] = {}
    ours: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        leaf = frames[-1]
        where = leaf.rsplit("(", 1)[-1].split(":", 1)[0] if "(" in leaf else leaf
        package = where.split("/", 1)[0] if "/" in where else where.removesuffix(".py")
        packages[package] = packages.get(package, 0) + count
        for frame in {f for f in frames if f.rsplit("(", 1)[-1].startswith(_OWN_CODE)}:
            name = frame.split(" (", 1)[0] + " (" + frame.rsplit("(", 1)[-1].split(":", 1)[0] + ")"
            ours[name] = ours.get(name, 0) + count

    def ranked(counts: dict[str, int]) -> list[list[Any]]:
        best = sorted(counts.items(), key=lambda item: -item[1])[:top]
        return [[round(100 * n / max(1, total), 1), name] for name, n in best]

    return {"by_package": ranked(packages), "our_code": ranked(ours)}


_OWN_CODE = ("bot/", "conversations/", "storage/")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cases(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0])


async def _cases_postgres(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT COUNT(*) FROM cases"))
    finally:
        await conn.close()


async def workers_throughput(args: argparse.Namespace) -> dict[str, Any]:
    """The same reports through SQLite in one process, then through an ingress and 1, 2 and 4
    workers on PostgreSQL, and the echo bot, in one run."""
    folder = Path(tempfile.mkdtemp(prefix="lapor-bench-pg-"))
    runs: list[Run] = []
    common = {"reports": args.reports, "concurrency": args.concurrency}
    with contextlib.ExitStack() as stack:
        server_url = args.database_url or stack.enter_context(postgres_server(folder))
        runs.append(await throughput_run("PTB echo bot (defaults)", echo=True, **common))
        runs.append(await throughput_run("Lapor Netral, one process, SQLite", echo=False, **common))
        for count in (1, 2, 4):
            url = await fresh_database(server_url)
            runs.append(
                await throughput_run(
                    f"Lapor Netral, ingress + {count} worker(s), PostgreSQL",
                    echo=False,
                    database_url=url,
                    workers=count,
                    concurrent_chats=16,
                    **common,
                )
            )
    print_table(runs)
    return {"runs": {run.name: run.figures for run in runs}}


def print_table(runs: list[Run]) -> None:
    print(
        "| run | reports | updates/s | message calls/report | complete reply p50 / p95 / p99 ms |"
        " first reply p99 ms | bot CPU ms/update | bot CPU | driver CPU | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        f = run.figures
        full, first = f["complete_reply"], f["first_reply"]
        print(
            f"| {run.name} | {f['reports']} | {f['updates_per_second']} |"
            f" {f['message_calls_per_report']} |"
            f" {full['p50_ms']} / {full['p95_ms']} / {full['p99_ms']} | {first['p99_ms']} |"
            f" {f['bot_cpu_ms_per_update']} | {f['bot_cpu_share']:.0%} |"
            f" {f['driver_cpu_share']:.0%} | {f['bot_peak_rss_mb']} |"
        )


async def throughput(args: argparse.Namespace) -> dict[str, Any]:
    runs: list[Run] = []
    common = {"reports": args.reports, "concurrency": args.concurrency}
    server = args.database_url  # PostgreSQL: a fresh database on it for each run of our bot

    async def ours_on() -> dict[str, Any]:
        return {"database_url": await fresh_database(server)} if server else {}

    echo = await throughput_run("PTB echo bot (defaults)", echo=True, **common)
    runs.append(echo)
    floor = await throughput_run(
        "echo bot on our stack (AiohttpRequest, 32 chats at once)",
        echo=True,
        our_stack=True,
        **common,
    )
    runs.append(floor)
    ours = await throughput_run(
        "Lapor Netral, CONCURRENT_CHATS=32", echo=False, **common, **await ours_on()
    )
    runs.append(ours)
    sequential = await throughput_run(
        "Lapor Netral, CONCURRENT_CHATS=1 (one update at a time)",
        echo=False,
        concurrent_chats=1,
        **common,
        **await ours_on(),
    )
    runs.append(sequential)
    # This shared machine's speed drifts by 10-20% from one run to the next: the ratio to the
    # floor is taken from three pairs run one right after the other, and the median reported.
    pairs = [(floor, ours)]
    for number in (2, 3):
        again = await throughput_run(
            f"echo bot on our stack (pair {number})", echo=True, our_stack=True, **common
        )
        mine_again = await throughput_run(
            f"Lapor Netral, CONCURRENT_CHATS=32 (pair {number})",
            echo=False,
            **common,
            **await ours_on(),
        )
        runs += [again, mine_again]
        pairs.append((again, mine_again))
    floor_ratios = sorted(
        m.figures["updates_per_second"] / f.figures["updates_per_second"] for f, m in pairs
    )
    half = ours.figures["updates_per_second"] / 2
    at_half = await throughput_run(
        f"Lapor Netral at half its peak ({half:.0f} updates/s)",
        echo=False,
        rate=half,
        **common,
        **await ours_on(),
    )
    runs.append(at_half)
    in_lockstep = await throughput_run(
        f"Lapor Netral at half its peak, reporters in lockstep ({half:.0f} updates/s)",
        echo=False,
        rate=half,
        lockstep=True,
        **common,
        **await ours_on(),
    )
    runs.append(in_lockstep)
    if args.profile:
        profiled = await throughput_run(
            "Lapor Netral under py-spy", echo=False, profile=True, **common, **await ours_on()
        )
        runs.append(profiled)
    print_table(runs)
    mine = ours.figures
    ratio = mine["updates_per_second"] / echo.figures["updates_per_second"]
    ratio_floor = floor_ratios[1]  # the median of the three pairs
    half_p99 = at_half.figures["complete_reply"]["p99_ms"]
    print(f"\nLapor Netral / PTB echo bot (defaults), updates per second: {ratio:.2f}")
    print(f"Lapor Netral / echo bot on our stack, updates per second: {ratio_floor:.2f},"
          f" the median of three pairs ({', '.join(f'{r:.2f}' for r in floor_ratios)})"
          f" (target >= 0.5); bot CPU per update {mine['bot_cpu_ms_per_update']} ms"
          f" (target <= 1.4)")  # fmt: skip
    print(f"complete reply p99 at half peak: {half_p99} ms (target < 100); reporters in"
          f" lockstep: {in_lockstep.figures['complete_reply']['p99_ms']} ms")  # fmt: skip
    print(f"message calls per report: {mine['message_calls_per_report']} (target <= 16)"
          f" {mine['message_calls_by_kind']}")  # fmt: skip
    print(f"reports per hour one bot token carries at {TELEGRAM_MESSAGES_PER_SECOND} messages a"
          f" second: {mine['telegram_limited_reports_per_hour']} (target >= 6,750)")  # fmt: skip
    if args.profile:
        profile = runs[-1].figures.get("profile", {})
        print(
            "\nWhere the bot's time went (py-spy, GIL holder), by package of the innermost frame:"
        )
        for share, name in profile.get("by_package", []):
            print(f"  {share:5.1f}%  {name}")
        print("\nThe project's functions on the stack (inclusive; async stacks are partial):")
        for share, name in profile.get("our_code", []):
            print(f"  {share:5.1f}%  {name}")
    return {
        "ratio_to_echo": round(ratio, 2),
        "ratio_to_echo_on_our_stack": round(ratio_floor, 2),
        "ratios_to_echo_on_our_stack": [round(r, 3) for r in floor_ratios],
        "message_calls_per_report": mine["message_calls_per_report"],
        "telegram_limited_reports_per_hour": mine["telegram_limited_reports_per_hour"],
        "runs": {run.name: run.figures for run in runs},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="120 reports, 60 at once")
    parser.add_argument("--memory", type=int, metavar="N", help="N reports left in progress")
    parser.add_argument("--profile", action="store_true", help="one more run under py-spy")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgresql://.../postgres): our bot runs on a fresh database"
        " there for each run instead of SQLite (with --workers: instead of starting one)",
    )
    parser.add_argument(
        "--workers",
        action="store_true",
        help="SQLite in one process against an ingress and 1, 2, 4 workers on PostgreSQL",
    )
    args = parser.parse_args()
    if args.quick:
        args.reports, args.concurrency = 120, 60
    if args.memory:
        run = asyncio.run(memory_run(args.memory, args.concurrency))
        for name, value in run.figures.items():
            print(f"{name:<32} {value}")
        path = write_report(
            f"memory_{args.memory}", {"reporters": args.memory, "concurrency": args.concurrency},
            run.figures,
        )  # fmt: skip
        print(f"\nJSON: {path.relative_to(ROOT)}")
        return 1 if run.figures["failures"] else 0
    figures = asyncio.run(workers_throughput(args) if args.workers else throughput(args))
    settings = {"reports": args.reports, "concurrency": args.concurrency, "profile": args.profile}
    kind = "workers" if args.workers else "conversation"
    path = write_report(f"{kind}_{args.reports}", settings, figures)
    print(f"\nJSON: {path.relative_to(ROOT)}")
    failed = any(run["failures"] for run in figures["runs"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
