"""Kill -9 during a batch at random points, then resume: nothing lost, nothing twice, nothing torn."""

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


def test_kill_9_then_resume_loses_nothing(tmp_path: Path) -> None:
    text = SEED.read_text()
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "text": f"{text} ({i})"}) + "\n" for i in range(40)))
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "SUMMARISE_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    rng = random.Random(7)
    with fake_openai_server(delay=0.05) as (url, _):
        command = [sys.executable, "-m", "summarise.cli", "batch", str(src), "--out", str(out),
                   "--model", "openai/local", "--base-url", url, "--strategy", "single-pass", "--max-retries", "0",
                   "--concurrency", "4"]
        kills = 0
        for _ in range(4):
            proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(1.0, 2.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert kills >= 1
    lines = out.read_bytes().split(b"\n")
    assert lines[-1] == b""  # ends with a complete line
    records = [json.loads(line) for line in lines[:-1]]  # every line parses: none torn
    ids = [r["id"] for r in records]
    assert sorted(ids) == sorted(f"r{i}" for i in range(40))  # none lost, none twice
    assert all(r["ok"] for r in records)
    assert Store(tmp_path / "home" / "summarise.db").integrity_ok()
