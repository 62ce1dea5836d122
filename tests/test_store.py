from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from summarise import summarise
from summarise.storage.store import MIGRATIONS, CacheKey, Store, open_store
from tests.fakes import FakeChat
from tests.helpers import TEXT, answer, claim


def key(**over: str) -> CacheKey:
    parts = {"article_id": "a1", "model": "m", "prompt_version": "p1", "schema_version": "1", "strategy": "s"}
    return CacheKey(**{**parts, **over})


def test_migrations_are_numbered_and_idempotent(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    assert store.version == len(MIGRATIONS)
    store.close()
    again = Store(tmp_path / "s.db")
    assert again.version == len(MIGRATIONS) and again.integrity_ok()
    mode = sqlite3.connect(tmp_path / "s.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


@pytest.mark.parametrize("part", ["article_id", "model", "prompt_version", "schema_version", "strategy"])
def test_every_part_of_the_key_matters(tmp_path: Path, part: str) -> None:
    store = Store(tmp_path / "s.db")
    store.put(key(), {"headline": "x"})
    assert store.get(key()) == {"headline": "x"}
    assert store.get(key(**{part: "other"})) is None


def test_call_log_rows(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    store.log_call(model="m", backend="B", prompt_version="p", latency_ms=5, outcome="ok", prompt_tokens=3)
    store.log_call(model="m", backend="B", prompt_version="p", latency_ms=7, outcome="error", error_class="X")
    rows = list(store.calls())
    assert [r["outcome"] for r in rows] == ["error", "ok"]
    assert [r["outcome"] for r in store.calls(errors_only=True)] == ["error"]


@pytest.fixture
def chat(fake_provider: FakeChat) -> FakeChat:
    return fake_provider


def test_a_cached_rerun_makes_no_model_call(chat: FakeChat) -> None:
    chat.enqueue(answer(claim()))
    first = summarise(TEXT, strategy="single-pass")
    second = summarise(TEXT, strategy="single-pass")
    assert len(chat.requests) == 1
    assert second.cached and not first.cached
    assert second.model_dump(mode="json", exclude={"cached"}) == first.model_dump(mode="json", exclude={"cached"})


def test_no_cache_and_other_strategy_ask_again(chat: FakeChat) -> None:
    for _ in range(2):
        chat.enqueue(answer(claim()))
    summarise(TEXT, strategy="single-pass")
    summarise(TEXT, strategy="single-pass", cache=False)
    assert len(chat.requests) == 2


def test_every_model_call_is_logged_without_secrets(chat: FakeChat, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secretsecretsecret1234")
    chat.enqueue(answer(claim(quote="killing 23 people")))
    chat.enqueue(answer(claim()))
    summarise(TEXT, strategy="single-pass")
    rows = list(open_store().calls())
    assert [r["outcome"] for r in rows] == ["ok", "invalid"]
    assert rows[0]["prompt_tokens"] == 100 and rows[0]["model"] == "fake"
    dump = open_store().path.read_bytes()
    assert b"sk-secret" not in dump
