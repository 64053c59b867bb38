"""The benchmarks still run: a few reports through the conversation benchmark and its baseline.

Nothing here is timed; `make bench` measures. This keeps the load driver, the echo bot and the
memory run working as the conversation changes.
"""

from __future__ import annotations

from pathlib import Path

from bench.conversation import memory_run, throughput_run


async def test_the_conversation_benchmark_files_whole_reports() -> None:
    run = await throughput_run("smoke", echo=False, reports=3, concurrency=3, warmup=1)
    assert run.figures["failures"] == 0
    assert run.figures["reports"] == 3 and run.figures["cases_in_database"] == 3
    assert run.figures["updates"] == 3 * 15
    assert run.figures["complete_reply_by_step"]["press -> ticket"]["p50_ms"] > 0


async def test_the_echo_baseline_answers_the_same_updates() -> None:
    run = await throughput_run("smoke", echo=True, reports=2, concurrency=2, warmup=1)
    assert run.figures["failures"] == 0 and run.figures["updates"] == 2 * 15


async def test_the_whatsapp_benchmark_files_whole_reports() -> None:
    from bench.whatsapp import whatsapp_run

    run = await whatsapp_run(reports=2, concurrency=2, warmup=1)
    assert run.figures["failures"] == 0 and run.figures["refused_by_the_cloud_api"] == 0
    assert run.figures["updates"] == 2 * 15 and run.figures["messages_sent_per_report"] <= 16


async def test_the_memory_run_leaves_reports_in_progress() -> None:
    run = await memory_run(20, 10)
    assert run.figures["failures"] == 0
    assert run.figures["reports_in_progress"] == 20
    assert run.figures["drafts_in_database"] == 22  # and the two warm-up reporters


async def test_the_console_benchmark_serves_every_list(tmp_path: Path) -> None:
    from bench.console_list import QUERIES, STAFF, measure
    from bench.storage_scale import generate
    from storage.database import connect
    from storage.migrator import migrate

    path = tmp_path / "bench.db"
    conn = await connect(path)
    await migrate(conn)
    await conn.close()
    generate(path, 300, seed=1)
    figures = await measure(path, rounds=1, settle=False)
    assert len(figures) == len(STAFF) * len(QUERIES)  # every page answered 200 (asserted inside)


async def test_the_storage_benchmark_runs_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    from bench.storage_scale import generate_postgres, measure
    from storage.database import open_database
    from storage.migrator import migrate

    conn = await open_database(tmp_path / "unused.db", postgres_url)
    await migrate(conn)
    await conn.close()
    _, tickets = await generate_postgres(postgres_url, 300, seed=1)
    figures = await measure(tmp_path / "unused.db", tickets, 1, postgres_url)
    export = figures["export"]
    assert isinstance(export, dict) and export["rows"] == 300  # 300 cases, 30 s apart
