"""Reports over WhatsApp: the bot (`python -m lapor`, SQLite) against the fake Cloud API, whole
reports with a photo, N at once; its CPU per update beside Telegram's figure, the messages it
sends per report and the reports an hour one number carries at the Cloud API's default
throughput (80 messages a second).

    python bench/whatsapp.py --reports 200 --concurrency 50     # make bench
    python bench/whatsapp.py --quick                            # make bench-quick
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import free_port, listening, write_report  # noqa: E402
from bench.conversation import TOKEN, BotUnderTest, bot_env  # noqa: E402
from sandbox.fake_api import FakeTelegram  # noqa: E402
from sandbox.fake_whatsapp import FakeWhatsApp, walk  # noqa: E402

CLOUD_THROUGHPUT = 80  # messages a second per business number (Meta's default)


@dataclass
class Run:
    """What one run measured."""

    figures: dict[str, Any]


async def whatsapp_run(reports: int, concurrency: int, warmup: int = 2) -> Run:
    """File `reports` whole reports with a photo over WhatsApp, `concurrency` at a time."""
    telegram = FakeTelegram(TOKEN)
    await telegram.start()
    cloud = FakeWhatsApp()
    await cloud.start()
    port = free_port()
    cloud.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
    with tempfile.TemporaryDirectory(prefix="lapor-bench-wa-") as folder:
        workdir = Path(folder)
        env = bot_env(workdir, telegram, concurrent_chats=32)
        env.update(
            WHATSAPP_TOKEN=cloud.token, WHATSAPP_PHONE_NUMBER_ID=cloud.phone_id,
            WHATSAPP_APP_SECRET=cloud.app_secret, WHATSAPP_VERIFY_TOKEN=cloud.verify_token,
            WHATSAPP_API_BASE_URL=cloud.base_url, WHATSAPP_PORT=str(port), WEB_PORT="0",
            MESSAGES_PER_MINUTE="100000", REPORTS_PER_DAY="100000",
        )  # fmt: skip
        bot = BotUnderTest(telegram, workdir, echo=False, env=env)
        try:
            await bot.start(ready=lambda: listening(port))
        except RuntimeError:
            sys.stderr.write((workdir / "bot.log").read_text()[-3000:])
            raise
        failures = 0
        try:
            for index in range(warmup):
                await walk(cloud.person(f"62810{index:07d}"), photo=True)
            numbers = iter(range(reports))
            sent_before = sum(len(m) for m in cloud.sent.values())
            updates_before = cloud.delivered
            cpu_before, started = bot.cpu_seconds(), time.perf_counter()

            async def reporter() -> None:
                nonlocal failures
                for number in numbers:
                    try:
                        await walk(cloud.person(f"62811{number:07d}"), photo=True)
                    except AssertionError:
                        failures += 1

            await asyncio.gather(*(reporter() for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
            cpu = bot.cpu_seconds() - cpu_before
            updates = cloud.delivered - updates_before
            sent = sum(len(m) for m in cloud.sent.values()) - sent_before
            peak_kb = bot.memory_kb("VmHWM")
        finally:
            await bot.stop()
            await cloud.stop()
            await telegram.stop()
    per_report = sent / max(1, reports - failures)
    figures = {
        "reports": reports,
        "failures": failures,
        "updates": updates,
        "updates_per_second": round(updates / elapsed, 1),
        "bot_cpu_ms_per_update": round(1000 * cpu / max(1, updates), 3),
        "messages_sent_per_report": round(per_report, 2),
        "updates_per_report": round(updates / max(1, reports - failures), 2),
        "reports_per_hour_at_80_messages_per_second": int(CLOUD_THROUGHPUT * 3600 / per_report),
        "refused_by_the_cloud_api": len(cloud.refused),
        "peak_rss_mb": round(peak_kb / 1024, 1),
    }
    return Run(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--quick", action="store_true", help="40 reports, 20 at once")
    args = parser.parse_args()
    reports, concurrency = (40, 20) if args.quick else (args.reports, args.concurrency)
    run = asyncio.run(whatsapp_run(reports, concurrency))
    settings = {"reports": reports, "concurrency": concurrency}
    path = write_report(f"whatsapp_{reports}", settings, run.figures)
    for name, value in run.figures.items():
        print(f"{name}: {value}")
    print(f"JSON: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
