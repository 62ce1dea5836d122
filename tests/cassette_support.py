"""vcrpy set-up shared by the end-to-end tests, and the server used to (re-)record them.

Replay is the default (record mode ``none``: CI never records). ``SUMMARISE_RECORD=1`` re-records
against the embedded model's real OpenAI-compatible server (``summarise serve``), which the
``llama_server`` fixture starts on 127.0.0.1:8765 and kills afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import vcr

from tests.helpers import ROOT

CASSETTES = ROOT / "cassettes"
PORT = 8765
BASE_URL = f"http://127.0.0.1:{PORT}/v1"
SECRET_HEADERS = ["authorization", "api-key", "x-api-key", "openai-organization", "openai-project",
                  "cookie", "set-cookie"]


def recording() -> bool:
    return os.environ.get("SUMMARISE_RECORD") == "1"


def make_vcr() -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if recording() else "none",
        # vcrpy ignores the body by default: every chat request would replay the first answer
        match_on=["method", "scheme", "host", "port", "path", "body"],
        filter_headers=SECRET_HEADERS,
        decode_compressed_response=True,
    )


def _wait_ready(proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("summarise serve exited early")
        try:
            with urllib.request.urlopen(f"{BASE_URL}/models", timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise RuntimeError("summarise serve did not become ready")


@pytest.fixture(scope="session")
def llama_server() -> Iterator[None]:
    """While recording: the real server for the embedded model. While replaying: nothing."""
    if not recording():
        yield
        return
    proc = subprocess.Popen([sys.executable, "-m", "summarise.cli", "serve", "--port", str(PORT)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        _wait_ready(proc, time.monotonic() + 300)
        yield
    finally:
        proc.terminate()  # it finishes a running generation before obeying SIGTERM
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cassette_path(name: str) -> Path:
    return CASSETTES / f"{name}.yaml"
