"""`make reliability`: the full crash, fault, fuzz and hostile-input campaigns, then one summary
table (the hostile-input campaign prints its own table first)."""

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
    crash = subprocess.run(
        [sys.executable, str(ROOT / "reliability" / "crash_campaign.py"), "--kills", "100",
         "--reporters", "40", "--time-limit", "1500", "--json", str(crash_json)],
        cwd=ROOT, check=False,
    )  # fmt: skip
    env = {**os.environ, "FUZZ_EXAMPLES": str(FUZZ_EXAMPLES)}
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "timeout=3000"]
    fuzz = subprocess.run([*pytest, "tests/test_fuzz.py"], cwd=ROOT, env=env, check=False)
    faults = subprocess.run(
        [*pytest, "tests/test_faults.py", "tests/test_overload.py"], cwd=ROOT, check=False
    )
    hostile_json = folder / "hostile.json"
    hostile = subprocess.run(
        [sys.executable, str(ROOT / "reliability" / "hostile_campaign.py"), "--chats", "2000",
         "--bombs", "4", "--json", str(hostile_json)],
        cwd=ROOT, check=False,
    )  # fmt: skip
    result = json.loads(crash_json.read_text()) if crash_json.exists() else {}
    rows = [
        ("kills (SIGKILL)", result.get("kills", "-")),
        ("reports filed", result.get("reports_filed", "-")),
        ("reports lost", result.get("reports_lost", "-")),
        ("reports duplicated", result.get("reports_duplicated", "-")),
        ("reporters resumed mid-report", result.get("drafts_resumed", "-")),
        ("drafts lost", result.get("drafts_lost", "-")),
        ("outbox sent", result.get("outbox_sent", "-")),
        ("outbox re-sent in a kill window", result.get("outbox_resent_in_kill_window", "-")),
        ("outbox lost", result.get("outbox_lost", "-")),
        ("fuzz updates", FUZZ_EXAMPLES * 15),
        (
            "failures",
            result.get("failures", 1)
            + int(fuzz.returncode != 0)
            + int(faults.returncode != 0)
            + int(hostile.returncode != 0),
        ),
    ]
    print("\n| campaign measure | count |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    codes = (crash.returncode, fuzz.returncode, faults.returncode, hostile.returncode)
    return 0 if not any(codes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
