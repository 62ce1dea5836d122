"""No API key, authorization header or cookie in logs, the store, error messages or -v output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.fake_server import Fault, fake_openai_server
from tests.helpers import ROOT, SEED

KEY = "sk-proj-TESTSECRET0123456789abcdefXYZ"


def test_key_never_leaves_the_request(tmp_path: Path) -> None:
    env = {**os.environ, "SUMMARISE_HOME": str(tmp_path / "home"), "OPENAI_API_KEY": KEY, "PYTHONPATH": str(ROOT)}
    outputs = []
    with fake_openai_server(script=[Fault("status", 503), Fault("status", 401)]) as (url, _):
        for args in (["--max-retries", "0"], []):
            run = subprocess.run([sys.executable, "-m", "summarise.cli", str(SEED), "--json", "-vv", "--model",
                                  "openai/local", "--base-url", url, "--timeout", "2", *args],
                                 env=env, capture_output=True, text=True, timeout=120)
            outputs.append(run.stdout + run.stderr)
    assert "HTTP 401" in outputs[0] or "rejected the API key" in outputs[0]
    for text in outputs:
        assert KEY not in text and "Bearer" not in text
    db = (tmp_path / "home" / "summarise.db").read_bytes()
    assert KEY.encode() not in db and b"Bearer" not in db
    for wal in (tmp_path / "home").glob("*-wal"):
        assert KEY.encode() not in wal.read_bytes()
