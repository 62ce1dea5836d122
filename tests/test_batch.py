from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarise import Summariser, summarise
from summarise.cli import main
from summarise.storage.jsonl import done_ids
from tests.fakes import FakeChat
from tests.helpers import TEXT, answer, claim, fake_client


def responder(messages: list[dict[str, str]]) -> str:
    return answer(claim())


@pytest.fixture
def chat(fake_provider: FakeChat) -> FakeChat:
    fake_provider.responder = responder
    return fake_provider


def client(chat: FakeChat, **options: Any) -> Summariser:
    options.setdefault("cache", True)
    return fake_client(chat, **options)


def texts(n: int) -> list[dict[str, Any]]:
    return [{"id": f"a{i}", "text": f"{TEXT} Item {i}."} for i in range(n)]


def test_one_result_per_input_and_errors_do_not_stop_the_job(chat: FakeChat) -> None:
    items: list[Any] = [*texts(5), {"id": "empty", "text": "   "}, {"id": "no-text"}]
    results = {r.id: r for r in client(chat).batch(items, concurrency=3)}
    assert set(results) == {"a0", "a1", "a2", "a3", "a4", "empty", "no-text"}
    assert all(results[f"a{i}"].ok for i in range(5))
    assert results["empty"].error_class == "InputError" and not results["no-text"].ok
    record = results["a0"].to_record()
    assert record["ok"] and record["summary"]["casualty_claims"][0]["count"] == 22
    assert record["summary"]["model"] == "fake" and set(record) == {"id", "ok", "summary"}


def test_async_twin_yields_every_result(chat: FakeChat) -> None:
    async def collect() -> list[str]:
        return [r.id async for r in client(chat).abatch(texts(4), concurrency=4, rate_limit=120)]
    assert sorted(asyncio.run(collect())) == ["a0", "a1", "a2", "a3"]


def test_rate_limiter_is_honoured_with_a_fake_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    from aiolimiter import AsyncLimiter

    now = [0.0]
    loop = asyncio.new_event_loop()
    monkeypatch.setattr(loop, "time", lambda: now[0])
    limiter = AsyncLimiter(60, 60)  # 60 per minute
    admitted = []

    async def take(i: int) -> None:
        await limiter.acquire()
        admitted.append((i, now[0]))

    async def scenario() -> None:
        tasks = [asyncio.ensure_future(take(i)) for i in range(70)]
        for _ in range(200):
            await asyncio.sleep(0)
            now[0] += 0.1
        for t in tasks:
            t.cancel()

    loop.run_until_complete(scenario())
    loop.close()
    assert len(admitted) == 70
    for n, (_, t) in enumerate(admitted, start=1):
        assert n <= 60 + t + 1  # a burst of 60, then one per second
    assert admitted[-1][1] >= 9  # the last 10 had to wait about 10 (fake) seconds


def test_cli_batch_writes_records_and_resumes(chat: FakeChat, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(t) for t in texts(6)) + "\n")
    out = tmp_path / "out.jsonl"
    first = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--strategy", "single-pass"])
    assert first.exit_code == 0, first.output
    lines = out.read_text().splitlines()
    assert len(lines) == 6 and all(json.loads(line)["ok"] for line in lines)
    # a crash left a torn line and two records are missing
    out.write_text("\n".join(lines[:4]) + "\n" + lines[4][: len(lines[4]) // 2])
    calls_before = len(chat.requests)
    again = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--strategy", "single-pass",
                                      "--no-cache"])
    assert again.exit_code == 0, again.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["id"] for r in records) == [f"a{i}" for i in range(6)]  # no duplicate, none lost
    assert len(chat.requests) - calls_before == 2
    assert "4 already in" in again.stderr


def test_failed_items_give_exit_1_and_error_records(chat: FakeChat, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text(TEXT)
    (folder / "empty.txt").write_text("")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["batch", str(folder), "--out", str(out), "--strategy", "single-pass"])
    assert result.exit_code == 1
    records = {Path(r["id"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["good.txt"]["ok"] and records["empty.txt"]["error"]["class"] == "InputError"


def test_done_ids_cuts_a_torn_tail(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text('{"id": "x", "ok": true}\n{"id": "y", "ok": false}\n{"id": "z", "ok": tr')
    assert done_ids(out) == {"x", "y"}
    assert out.read_text() == '{"id": "x", "ok": true}\n{"id": "y", "ok": false}\n'


def test_progress_is_off_when_not_a_terminal(chat: FakeChat, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(t) for t in texts(3)) + "\n")
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(tmp_path / "o.jsonl"),
                                       "--strategy", "single-pass"])
    assert result.exit_code == 0
    assert "\x1b[" not in result.stderr and "━" not in result.stderr  # no bar drawn into a pipe
    assert "3 done (3 ok, 0 failed)" in result.stderr


def test_logs_command(chat: FakeChat) -> None:
    summarise(TEXT, strategy="single-pass")
    shown = CliRunner().invoke(main, ["logs", "--json"])
    rows = json.loads(shown.stdout)
    assert rows and rows[0]["outcome"] == "ok" and "authorization" not in shown.stdout.lower()
    assert CliRunner().invoke(main, ["logs", "--since", "1h"]).exit_code == 0
    assert CliRunner().invoke(main, ["logs", "--since", "yesterday"]).exit_code == 2


def test_summary_line_counts_articles_with_dropped_items(fake_provider: FakeChat, tmp_path: Path) -> None:
    bad = claim(quote="a sentence the article does not contain")
    fake_provider.responder = lambda messages: answer(claim(), bad)
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(t) for t in texts(2)) + "\n")
    out = tmp_path / "o.jsonl"
    result = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--strategy", "single-pass",
                                       "--concurrency", "1"])
    assert result.exit_code == 0, result.output
    assert "2 done (2 ok, 0 failed; 2 with items dropped by the checks" in result.stderr
    assert "dropped 1 item(s)" not in result.stderr  # one summary, not a warning per article
    assert all(len(json.loads(line)["summary"]["dropped"]) == 1 for line in out.read_text().splitlines())


def test_the_bar_total_counts_only_items_still_to_do(tmp_path: Path) -> None:
    from summarise.cli.batch import _count_in_background

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(t) for t in texts(5)) + "\n")
    got: list[int] = []
    finished = threading.Event()
    _count_in_background([str(src)], {"a0", "a3"}, lambda n: (got.append(n), finished.set()))
    assert finished.wait(10)
    assert got == [3]


class CountingLimiter:
    """A test double for aiolimiter's AsyncLimiter: admits at once and counts the acquisitions."""

    acquired = 0
    hang = False

    def __init__(self, max_rate: float, time_period: float = 60) -> None:
        assert (max_rate, time_period) == (30, 60)

    async def acquire(self) -> None:
        if CountingLimiter.hang:
            await asyncio.Event().wait()
        CountingLimiter.acquired += 1


def test_the_rate_limit_counts_model_requests_not_articles(monkeypatch: pytest.MonkeyPatch) -> None:
    import aiolimiter

    monkeypatch.setattr(aiolimiter, "AsyncLimiter", CountingLimiter)
    monkeypatch.setattr(CountingLimiter, "acquired", 0)
    fake = FakeChat("not JSON", answer(claim()), answer(claim()), answer(claim()))  # the first article is reasked
    first = list(client(fake).batch(texts(3), concurrency=1, rate_limit=30))
    assert all(r.ok for r in first) and len(fake.requests) == 4
    assert CountingLimiter.acquired == 4  # one per request, the reask included
    again = list(client(fake).batch(texts(3), concurrency=1, rate_limit=30))
    assert all(r.ok and r.result is not None and r.result.cached for r in again)
    assert CountingLimiter.acquired == 4  # cached articles make no request and wait for nothing


def test_stopping_a_batch_waiting_for_the_rate_limit_returns_promptly(chat: FakeChat,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import aiolimiter

    monkeypatch.setattr(aiolimiter, "AsyncLimiter", CountingLimiter)
    monkeypatch.setattr(CountingLimiter, "hang", True)

    async def first_result() -> None:
        batch = client(chat).abatch(texts(4), concurrency=2, rate_limit=30)
        try:
            await asyncio.wait_for(anext(batch), timeout=0.5)
        finally:
            await batch.aclose()

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        asyncio.run(first_result())
    assert time.monotonic() - started < 5  # the waiting workers gave up; no deadlock
    assert chat.requests == []


def test_closing_a_batch_stops_articles_between_their_model_calls() -> None:
    import time

    def slow(messages: list[dict[str, str]]) -> str:
        time.sleep(0.2)  # each model call takes 0.2 s; every article but the first is never valid
        return answer(claim()) if "Item 0." in messages[-1]["content"] else "not JSON"

    fake = FakeChat(responder=slow)
    batch = client(fake, max_retries=10, cache=False).batch(texts(6), concurrency=3)
    first = next(batch)
    assert first.id == "a0" and first.ok
    started = time.monotonic()
    batch.close()  # what Ctrl-C does to the CLI's loop
    assert time.monotonic() - started < 1.5  # not the 2.2 s (11 calls) the others would still take
    calls = len(fake.requests)
    time.sleep(0.5)
    assert len(fake.requests) == calls  # nothing runs on after the close
    assert calls < 12
