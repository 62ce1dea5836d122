"""Kill -9 during a batch at random points, then resume: nothing lost, nothing twice, nothing torn.

Each kill must land in the middle of a run: the test waits until the run has written a record of its
own, kills it after a short seeded random delay, and checks the results file was left partial. A
kill that came after the run finished would prove nothing.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from summarise.storage.store import Store
from tests.fake_server import fake_openai_server
from tests.helpers import ROOT, SEED

ITEMS = 40
KILLS = 4
# 0.2 s per answer, 2 in flight: about 10 records a second, so a kill within 0.3 s of a run's first
# record leaves most of the batch undone, even after four kills
DELAY = 0.2
CONCURRENCY = 2


def complete_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def kill_mid_run(command: list[str], env: dict[str, str], out: Path, rng: random.Random) -> tuple[int, int]:
    """Start a run, wait for its first record, kill -9 it; the complete lines before and after."""
    before = complete_lines(out)
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        waited_until = time.monotonic() + 60
        while complete_lines(out) == before:  # past start-up, into the batch
            assert proc.poll() is None, "the run ended before it wrote a record"
            assert time.monotonic() < waited_until, "the run wrote no record in 60 s"
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.3))
        assert proc.poll() is None, "the run finished before the kill: nothing was interrupted"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()  # a no-op after the kill above; stops the child if an assertion failed first
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return before, complete_lines(out)


def test_kill_9_then_resume_loses_nothing(tmp_path: Path) -> None:
    text = SEED.read_text()
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "text": f"{text} ({i})"}) + "\n" for i in range(ITEMS)))
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "SUMMARISE_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    rng = random.Random(7)
    with fake_openai_server(delay=DELAY) as (url, _):
        command = [sys.executable, "-m", "summarise.cli", "batch", str(src), "--out", str(out),
                   "--model", "openai/local", "--base-url", url, "--strategy", "single-pass", "--max-retries", "0",
                   "--concurrency", str(CONCURRENCY)]
        for _ in range(KILLS):
            before, after = kill_mid_run(command, env, out, rng)
            assert before < after < ITEMS  # the killed run had made progress and left the file partial
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    lines = out.read_bytes().split(b"\n")
    assert lines[-1] == b""  # ends with a complete line
    records = [json.loads(line) for line in lines[:-1]]  # every line parses: none torn
    ids = [r["id"] for r in records]
    assert sorted(ids) == sorted(f"r{i}" for i in range(ITEMS))  # none lost, none twice
    assert all(r["ok"] for r in records)
    assert Store(tmp_path / "home" / "summarise.db").integrity_ok()
