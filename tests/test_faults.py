"""Faults from a real local HTTP server (tests/fake_server.py): retried, reported, never a hang."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarise import BackendUnavailable, ExtractionFailed, SummariseError, Summariser, summarise
from tests.fake_server import Fault, fake_openai_server
from tests.helpers import ROOT, SEED

TEXT = SEED.read_text()


def run(base_url: str, **options: object) -> object:
    defaults: dict[str, object] = {"model": "openai/local", "base_url": base_url, "strategy": "single-pass",
                                   "max_retries": 0, "timeout": 2.0, "cache": False}
    return summarise(TEXT, **{**defaults, **options})  # type: ignore[arg-type]


@pytest.mark.parametrize("fault", [
    Fault("status", 429, retry_after="0"),
    Fault("status", 429),
    Fault("status", 500), Fault("status", 502), Fault("status", 503, retry_after="1"),
    Fault("stall", seconds=3.0),
    Fault("reset"),
])
def test_transient_faults_are_retried(fault: Fault) -> None:
    with fake_openai_server(script=[fault]) as (url, state):
        result = run(url)
    assert state.requests == 2
    assert result is not None


def test_a_server_that_keeps_failing_gives_a_clear_error_within_the_deadline() -> None:
    started = time.monotonic()
    with fake_openai_server(script=[Fault("status", 503) for _ in range(20)]) as (url, _), \
            pytest.raises(BackendUnavailable, match="HTTP 503 after retries"):
        run(url, timeout=1.0)
    assert time.monotonic() - started < 10


def test_cut_off_completion_fails_fast() -> None:
    with fake_openai_server(script=[Fault("length")]) as (url, state), \
            pytest.raises(ExtractionFailed, match="hit the budget"):
        run(url, max_retries=2)
    assert state.requests == 1


def test_a_retry_after_past_the_deadline_fails_at_once() -> None:
    # the deadline is 3x the timeout (6 s): a 20 s Retry-After is not slept, the usual error comes at once
    started = time.monotonic()
    with fake_openai_server(script=[Fault("status", 429, retry_after="20")]) as (url, state), \
            pytest.raises(BackendUnavailable, match="HTTP 429 after retries"):
        run(url)
    assert state.requests == 1
    assert time.monotonic() - started < 5


def cli(base_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``summarise run`` on the seed article in a child process: what a user's terminal would show."""
    command = [sys.executable, "-m", "summarise.cli", "run", str(SEED), "--json", "--model", "openai/local",
               "--base-url", base_url, "--strategy", "single-pass", "--max-retries", "0", "--timeout", "2"]
    env = {**os.environ, "SUMMARISE_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("fault", "error", "exit_code"), [(Fault("malformed"), BackendUnavailable, 4),
                                                           (Fault("empty"), ExtractionFailed, 5)])
def test_broken_bodies_give_a_clear_error(fault: Fault, error: type[SummariseError], exit_code: int,
                                          tmp_path: Path) -> None:
    with fake_openai_server(script=[fault, fault, fault]) as (url, _), pytest.raises(error) as info:
        run(url)
    assert str(info.value)
    with fake_openai_server(script=[fault, fault, fault]) as (url, _):
        result = cli(url, tmp_path)
    # the README's exit code (4: backend unavailable, 5: extraction failed), and one line of message on
    # stderr: no traceback, nothing on stdout
    assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.startswith("summarise: error: ")
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_a_model_that_never_produces_valid_output() -> None:
    # a different refusal each time (an answer repeated word for word is not asked about a third time)
    faults = [Fault("content", content=text) for text in ("I cannot help with that.", "No.", "Sorry, no.")]
    with fake_openai_server(script=faults) as (url, state), pytest.raises(ExtractionFailed, match="after 3 attempt"):
        run(url, max_retries=2)
    assert state.requests == 3


def test_a_batch_records_the_failure_and_goes_on() -> None:
    items = [{"id": f"a{i}", "text": TEXT + f" ({i})"} for i in range(4)]
    script = [Fault("status", 400)]  # a client error is not retried: that item fails
    with fake_openai_server(script=script) as (url, _):
        client = Summariser("openai/local", base_url=url, strategy="single-pass", max_retries=0, timeout=2.0)
        results = {r.id: r for r in client.batch(items, concurrency=1)}
    assert len(results) == 4
    failed = [r for r in results.values() if not r.ok]
    assert len(failed) == 1 and failed[0].error_class == "BackendUnavailable"
