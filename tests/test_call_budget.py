"""Issue 14's time budget: every logged call says why it was made and, where the server reports it,
how many prompt tokens it processed past the cached prefix and how long prefill and decode took."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from openai.types.chat import ChatCompletion

from summarise.cli import main
from summarise.storage.store import Store
from tests.fakes import FakeChat, completion
from tests.helpers import ANCHORED_TEXT, TEXT, answer, claim, fake_client
from tests.helpers import anchored_responder as responder


def _timed(content: str, processed: int, prefill_ms: float, decode_ms: float) -> ChatCompletion:
    """A completion as a llama.cpp server sends it, with its ``timings`` (a test double's answer)."""
    data = completion(content, prompt_tokens=900, completion_tokens=40).model_dump()
    data["timings"] = {"prompt_n": processed, "prompt_ms": prefill_ms, "predicted_n": 40, "predicted_ms": decode_ms}
    return ChatCompletion.model_validate(data)


def test_a_reask_is_logged_as_one_with_its_prefill_and_decode(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    bad = answer(claim(count_text="23"))  # "23" is not in the quote: the answer fails and is asked again
    chat = FakeChat(_timed(bad, 850, 4200.0, 2600.0), _timed(answer(claim()), 60, 310.0, 2500.0))
    fake_client(chat, store=store).summarise(TEXT)
    rows = list(reversed(list(store.calls())))
    assert [r["why"] for r in rows] == ["summary", "reask:summary"]
    assert [(r["prefill_tokens"], r["prefill_ms"], r["decode_ms"]) for r in rows] == [(850, 4200, 2600),
                                                                                     (60, 310, 2500)]
    assert [r["outcome"] for r in rows] == ["invalid", "ok"]


def test_the_anchored_calls_are_logged_by_kind(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    fake_client(FakeChat(responder=responder()), strategy="anchored", store=store).summarise(ANCHORED_TEXT)
    whys = {r["why"] for r in store.calls()}
    assert {"overview", "figure", "select", "section"} <= whys
    assert all(r["prefill_ms"] is None and r["decode_ms"] is None for r in store.calls())  # no timings reported


def test_logs_budget_splits_an_articles_time() -> None:
    from summarise.storage.store import open_store

    chat = FakeChat(_timed(answer(claim(count_text="23")), 850, 4200.0, 2600.0),
                    _timed(answer(claim()), 60, 310.0, 2500.0))
    fake_client(chat, store=open_store()).summarise(TEXT)
    shown = CliRunner().invoke(main, ["logs", "budget", "--json"])
    assert shown.exit_code == 0, shown.output
    (budget,) = json.loads(shown.stdout)
    assert budget["total"]["calls"] == 2 and budget["total"]["processed_tokens"] == 910
    assert budget["total"]["prefill_ms"] == 4510 and budget["total"]["decode_ms"] == 5100
    assert set(budget["by_why"]) == {"summary", "reask:summary"}
    table = CliRunner().invoke(main, ["logs", "budget"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "reask:summary" in table.stdout and "prefill s" in table.stdout
