"""`make reliability`: the full crash (one process on SQLite, and an ingress with 3 workers on
PostgreSQL), fault, fuzz and hostile-input campaigns, then one summary table (the hostile-input
campaign prints its own table first)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUZZ_EXAMPLES = 340  # x 15 updates = 5,100 generated updates


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="lapor-reliability-"))
    crash_json = folder / "crash.json"
    crash_command = [sys.executable, str(ROOT / "reliability" / "crash_campaign.py"), "--kills",
                     "100", "--reporters", "40", "--whatsapp", "8",
                     "--time-limit", "1500"]  # fmt: skip
    crash = subprocess.run([*crash_command, "--json", str(crash_json)], cwd=ROOT, check=False)
    # the same crowd and kills against an ingress and 3 workers on PostgreSQL
    workers_json = folder / "crash-workers.json"
    workers = subprocess.run(
        [*crash_command, "--workers", "3", "--json", str(workers_json)], cwd=ROOT, check=False
    )
    env = {**os.environ, "FUZZ_EXAMPLES": str(FUZZ_EXAMPLES)}
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "timeout=3000"]
    fuzz = subprocess.run(
        [*pytest, "tests/reliability/test_fuzz.py"], cwd=ROOT, env=env, check=False
    )
    faults = subprocess.run(
        [*pytest, "tests/reliability/test_faults.py", "tests/reliability/test_overload.py"],
        cwd=ROOT,
        check=False,
    )
    hostile_json = folder / "hostile.json"
    hostile = subprocess.run(
        [sys.executable, str(ROOT / "reliability" / "hostile_campaign.py"), "--chats", "2000",
         "--bombs", "4", "--json", str(hostile_json)],
        cwd=ROOT, check=False,
    )  # fmt: skip
    single = json.loads(crash_json.read_text()) if crash_json.exists() else {}
    several = json.loads(workers_json.read_text()) if workers_json.exists() else {}
    measures = [
        ("kills (SIGKILL)", "kills"),
        ("reports filed", "reports_filed"),
        ("reports lost", "reports_lost"),
        ("reports duplicated", "reports_duplicated"),
        ("reporters resumed mid-report", "drafts_resumed"),
        ("drafts lost", "drafts_lost"),
        ("outbox sent", "outbox_sent"),
        ("outbox re-sent in a kill window", "outbox_resent_in_kill_window"),
        ("outbox lost", "outbox_lost"),
        ("webhook updates accepted (200)", "webhook_updates_accepted"),
        ("webhook updates lost", "webhook_updates_lost"),
        ("updates handled again after a kill", "updates_handled_again"),
        ("longest any reporter waited for an answer (s)", "longest_wait_seconds"),
        ("WhatsApp reports filed", "whatsapp_reports_filed"),
        ("WhatsApp reports lost", "whatsapp_reports_lost"),
        ("WhatsApp reports duplicated", "whatsapp_reports_duplicated"),
        ("longest a WhatsApp reporter waited (s)", "whatsapp_longest_wait_seconds"),
        ("longest nobody got any answer (s)", "longest_silence_seconds"),
    ]
    print("\n| campaign measure | one process, SQLite | ingress + 3 workers, PostgreSQL |")
    print("|---|---|---|")
    for name, key in measures:
        print(f"| {name} | {single.get(key, '-')} | {several.get(key, '-')} |")
    print(f"| fuzz updates | {FUZZ_EXAMPLES * 15} | |")
    failures = (
        single.get("failures", 1)
        + several.get("failures", 1)
        + int(fuzz.returncode != 0)
        + int(faults.returncode != 0)
        + int(hostile.returncode != 0)
    )
    print(f"| failures | {failures} | |")
    codes = (crash.returncode, workers.returncode, fuzz.returncode, faults.returncode,
             hostile.returncode)  # fmt: skip
    return 0 if not any(codes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
