"""``summarise batch --via openai-batch``: against a local Batch API server (a test double) whose
completions were recorded from the real embedded-model server. Every input id ends with exactly one
record, whatever the batch did; every answer is checked like a live one and reasked when it fails."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from summarise import Summariser
from summarise.cli import main
from summarise.contract.grounding import ArticleIndex
from summarise.contract.models import ArticleSummary
from summarise.storage.store import open_store
from summarise.strategies.single_pass import check_received
from tests.batch_api_server import FABRICATED, FIXED, BatchScript, batch_api_server, completion
from tests.helpers import SEED

KEY = "sk-test-0123456789abcdefSECRET"
IDS = ["a0", "a1", "a2"]


def _text(i: int) -> str:
    return SEED.read_text(encoding="utf-8") + f"\n\nItem {i}."


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from summarise import backends

    monkeypatch.setenv("OPENAI_API_KEY", KEY)  # sent to the server, never written anywhere
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps({"id": ident, "text": _text(i)}) + "\n" for i, ident in enumerate(IDS)))
    yield path
    for backend in backends._cache.values():  # their HTTP connections, before the test's server is gone
        backend.close()


def batch(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["batch", *args, "--model", "openai/test", "--base-url", url,
                                     "--poll-seconds", "0.01"])


def records(out: Path) -> dict[str, dict[str, Any]]:
    """The records by id, asserting that every id has exactly one."""
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    counts = Counter(r["id"] for r in lines)
    assert all(n == 1 for n in counts.values()), counts
    return {r["id"]: r for r in lines}


def stored(batch_id: str | None = None) -> list[dict[str, Any]]:
    return open_store().provider_batches(batch_id)


def without_timing(record: dict[str, Any]) -> dict[str, Any]:
    summary = dict(record["summary"])
    summary.pop("seconds")
    return {**record, "summary": summary}


def test_the_request_file_is_the_single_pass_request_with_a_strict_schema(inputs: Path, tmp_path: Path) -> None:
    requests = tmp_path / "requests.jsonl"
    with batch_api_server() as (url, state):
        result = batch(url, str(inputs), "--via", "openai-batch", "--write-requests", str(requests))
        assert result.exit_code == 0, result.output
        Summariser("openai/test", base_url=url, cache=False).summarise(_text(0))  # the ordinary path, live
    lines = [json.loads(line) for line in requests.read_text().splitlines()]
    assert [line["custom_id"] for line in lines] == IDS
    assert {(line["method"], line["url"]) for line in lines} == {("POST", "/v1/chat/completions")}
    body = lines[0]["body"]
    live = state.chat_requests[0]
    assert body["messages"] == live["messages"] and body["max_tokens"] == live["max_tokens"]
    assert body["model"] == live["model"] == "test" and body["temperature"] == 0
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["name"] == "ArticleSummary"

    def strict(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node["additionalProperties"] is False
                assert sorted(node["required"]) == sorted(node["properties"])
            assert "default" not in node
            for value in node.values():
                strict(value)
        elif isinstance(node, list):
            for value in node:
                strict(value)

    strict(response_format["json_schema"]["schema"])
    assert KEY not in requests.read_text() and not state.uploads  # written, not uploaded


def test_happy_path_gives_the_records_of_the_ordinary_path(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with batch_api_server() as (url, state):
        result = batch(url, str(inputs), "--out", str(out), "--via", "openai-batch")
        assert result.exit_code == 0, result.output
        assert not state.chat_requests  # every answer came from the batch and passed the checks
        got = records(out)
        ordinary = {r.id: r.to_record() for r in Summariser("openai/test", base_url=url, cache=False).batch(
            [{"id": ident, "text": _text(i)} for i, ident in enumerate(IDS)])}
    assert set(got) == set(IDS)
    for ident in IDS:
        assert got[ident]["ok"] and got[ident]["summary"]["attempts"] == 1
        assert without_timing(got[ident]) == without_timing(ordinary[ident])
    assert "in_progress" in result.output or "completed" in result.output  # progress while it waited
    [row] = stored()
    assert row["status"] == "collected" and row["article_ids"] == IDS
    assert row["detail"] == "completed: 3 ok, 0 failed (3 valid as received)"
    assert KEY.encode() not in (Path(os.environ["SUMMARISE_HOME"]) / "summarise.db").read_bytes()
    assert KEY.encode() not in state.uploads[0] and b'"strict": true' in state.uploads[0]
    assert any(KEY in headers for headers in state.headers_seen)  # the key did reach the server


def test_an_answer_that_fails_the_checks_is_reasked_through_the_api_and_fixed(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with batch_api_server(BatchScript(contents={"a1": FABRICATED})) as (url, state):
        result = batch(url, str(inputs), "--out", str(out), "--via", "openai-batch")
        assert result.exit_code == 0, result.output
    got = records(out)
    assert got["a1"]["ok"] and got["a1"]["summary"]["attempts"] == 2 and got["a1"]["summary"]["dropped"] == []
    assert got["a1"]["summary"]["usage"]["prompt_tokens"] == 2 * completion()["usage"]["prompt_tokens"]
    [reask] = state.chat_requests
    request = json.loads(state.uploads[0].decode().splitlines()[1])["body"]
    assert reask["messages"][:2] == request["messages"]  # the same question, the batch's answer, its errors
    assert reask["messages"][2] == {"role": "assistant", "content": FABRICATED}
    assert "'22 people are dead and 4 are injured' is not in the article" in reask["messages"][3]["content"]
    assert "1 reasked after failing the checks" in stored()[0]["detail"]


@pytest.mark.parametrize(("script", "through_api", "reason"), [
    (BatchScript(status="expired", answered=1), 2, "the batch expired before answering it"),
    (BatchScript(status="failed"), 3, "the batch failed: invalid_request: scripted failure"),
    (BatchScript(answered=2), 1, "no answer in the output file"),
    (BatchScript(malformed=["a1"]), 1, "output file line 2 is not JSON"),
    (BatchScript(errors=["a2"]), 1, "the batch answered HTTP 500: scripted server error"),
    (BatchScript(status="cancelled", answered=0), 3, "the batch was cancelled before answering it"),
], ids=["expired", "failed", "partial", "malformed", "error-file", "cancelled"])
def test_a_batch_that_went_wrong_still_gives_every_article_one_record(
        inputs: Path, tmp_path: Path, script: BatchScript, through_api: int, reason: str) -> None:
    out = tmp_path / "out.jsonl"
    with batch_api_server(script) as (url, state):
        result = batch(url, str(inputs), "--out", str(out), "--via", "openai-batch")
        assert result.exit_code == 0, result.output
    got = records(out)
    assert set(got) == set(IDS) and all(r["ok"] for r in got.values())
    assert len(state.chat_requests) == through_api  # the articles without a usable answer, through the API
    [row] = stored()
    assert row["status"] == "collected" and row["detail"].startswith(script.status)
    assert reason in row["detail"] and reason in result.output


def test_when_the_api_fails_too_the_articles_get_error_records(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with batch_api_server(BatchScript(status="expired", answered=1)) as (url, state):
        state.chat = [400, 400]
        result = batch(url, str(inputs), "--out", str(out), "--via", "openai-batch", "--max-retries", "0")
    assert result.exit_code == 1, result.output
    got = records(out)
    assert got["a0"]["ok"] and not got["a1"]["ok"] and not got["a2"]["ok"]
    assert got["a1"]["error"]["class"] == "BackendUnavailable" and "HTTP 400" in got["a1"]["error"]["message"]
    assert stored()[0]["detail"].startswith("expired: 1 ok, 2 failed")


def test_no_wait_then_collect_finishes_once(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with batch_api_server(BatchScript(polls=3)) as (url, state):
        submitted = batch(url, str(inputs), "--out", str(out), "--via", "openai-batch", "--no-wait")
        assert submitted.exit_code == 0, submitted.output
        [row] = stored()
        batch_id = row["batch_id"]
        assert f"summarise batch --collect {batch_id}" in submitted.output
        assert not out.exists() or not out.read_text()
        early = batch(url, "--collect", batch_id, "--no-wait")
        assert early.exit_code == 0 and "in_progress" in early.output, early.output
        assert stored(batch_id)[0]["status"] == "in_progress"
        done = batch(url, "--collect", batch_id)
        assert done.exit_code == 0, done.output
        assert set(records(out)) == set(IDS) and stored(batch_id)[0]["status"] == "collected"
        again = batch(url, "--collect", batch_id)
        rerun = batch(url, str(inputs), "--out", str(out), "--via", "openai-batch")
        assert again.exit_code == 0 and rerun.exit_code == 0, again.output + rerun.output
        assert "collected already (completed: 3 ok, 0 failed (3 valid as received))" in again.output
        assert "nothing to submit" in rerun.output and len(state.batches) == 1
    assert set(records(out)) == set(IDS)  # no duplicates after collecting twice and rerunning


def test_a_rerun_collects_the_batch_an_earlier_run_left(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with batch_api_server(BatchScript(polls=1)) as (url, state):
        assert batch(url, str(inputs), "--out", str(out), "--via", "openai-batch", "--no-wait").exit_code == 0
        rerun = batch(url, str(inputs), "--out", str(out), "--via", "openai-batch")
        assert rerun.exit_code == 0, rerun.output
    assert set(records(out)) == set(IDS) and len(state.batches) == 1


def test_an_output_file_made_offline_is_checked_and_reasked(inputs: Path, tmp_path: Path) -> None:
    requests, results, out = tmp_path / "requests.jsonl", tmp_path / "results.jsonl", tmp_path / "out.jsonl"
    with batch_api_server() as (url, state):
        assert batch(url, str(inputs), "--via", "openai-batch", "--write-requests", str(requests)).exit_code == 0
        lines = [json.loads(line) for line in requests.read_text().splitlines()]
        answers = {"a0": FIXED, "a1": FABRICATED}  # a2: no line, as when vllm run-batch was stopped early
        results.write_text("".join(json.dumps({"id": f"r{i}", "custom_id": line["custom_id"], "error": None,
                                               "response": {"status_code": 200, "request_id": f"r{i}",
                                                            "body": completion(answers[line["custom_id"]])}}) + "\n"
                                   for i, line in enumerate(lines) if line["custom_id"] in answers))
        result = batch(url, str(inputs), "--out", str(out), "--collect-file", str(results))
        assert result.exit_code == 0, result.output
    got = records(out)
    assert all(r["ok"] for r in got.values()) and got["a1"]["summary"]["attempts"] == 2
    assert len(state.chat_requests) == 2  # the reask of a1 and a2 from the start
    assert "1 valid as received" in result.output and "1 reasked" in result.output


def test_check_received_uses_the_same_checks_as_a_live_answer() -> None:
    text = SEED.read_text(encoding="utf-8")
    context = {"article": ArticleIndex(text), "repairs": []}
    valid = check_received(completion(FIXED), context, 1000)
    assert isinstance(valid.value, ArticleSummary)
    assert valid.usage.prompt_tokens == completion()["usage"]["prompt_tokens"]
    wrong = check_received(completion(FABRICATED), context, 1000)
    assert wrong.value is None and any("is not in the article" in e for e in wrong.errors)
    cut = check_received(completion(FIXED[:50], finish_reason="length"), context, 1000)
    assert cut.truncated and cut.errors == ["output cut off at 1000 tokens"]


def test_bad_requests_are_refused_in_one_line(inputs: Path, tmp_path: Path) -> None:
    with batch_api_server() as (url, _):
        unknown = batch(url, "--collect", "batch-404")
        local = CliRunner().invoke(main, ["batch", str(inputs), "--out", str(tmp_path / "o.jsonl"), "--via",
                                          "openai-batch", "--model", "local"])
        both = batch(url, str(inputs), "--out", str(tmp_path / "o.jsonl"), "--collect", "x", "--collect-file",
                     str(inputs))
    assert unknown.exit_code == 2 and "no batch 'batch-404'" in unknown.output
    assert local.exit_code == 3 and "openai/<model>" in local.output
    assert both.exit_code == 2 and "cannot be used together" in both.output
    assert not (tmp_path / "o.jsonl").exists()


def test_articles_beyond_one_batch_go_in_several_each_collected(inputs: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from summarise.client import provider_batch

    monkeypatch.setattr(provider_batch, "MAX_REQUESTS", 2)  # OpenAI's limit is 50,000 requests a batch
    out = tmp_path / "out.jsonl"
    with batch_api_server(BatchScript(), BatchScript(status="expired", answered=0)) as (url, state):
        result = batch(url, str(inputs), "--out", str(out), "--via", "openai-batch")
        assert result.exit_code == 0, result.output
    assert [row["article_ids"] for row in stored()] == [["a0", "a1"], ["a2"]]
    assert [row["status"] for row in stored()] == ["collected", "collected"]
    assert set(records(out)) == set(IDS) and len(state.chat_requests) == 1  # a2: its batch expired
