"""The client's seams: an injected backend and store, hooks, options that reach every strategy, and what
an article carries reaching its result. All on a fake chat endpoint (a test double)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarise import Article, ConfigError, Hooks, Summariser
from summarise.storage.store import Store
from summarise.strategies import NAMES
from tests.fakes import FakeChat, fake_backend
from tests.helpers import ANCHORED_TEXT, SEED, TEXT, anchored_responder, answer, claim, fake_client

SEED_TEXT = SEED.read_text(encoding="utf-8")


def responder_for(strategy: str) -> Any:
    """Answers for any strategy: the anchored questions by type, the single-pass schema whole."""
    anchored = anchored_responder()
    return anchored if strategy.startswith("anchored") else (lambda messages: answer(claim()))


@pytest.mark.parametrize("strategy", NAMES)
def test_max_tokens_reaches_every_call_of_every_strategy(strategy: str) -> None:
    chat = FakeChat(responder=responder_for(strategy))
    text = ANCHORED_TEXT if strategy.startswith("anchored") else TEXT
    fake_client(chat, strategy=strategy, max_tokens=333).summarise(text)
    assert chat.requests and {r["max_tokens"] for r in chat.requests} == {333}


@pytest.mark.parametrize("strategy", NAMES)
def test_an_articles_warnings_reach_the_result(strategy: str, tmp_path: Path) -> None:
    text = ANCHORED_TEXT if strategy.startswith("anchored") else TEXT
    article = Article(text=text, title="t", source="a.txt", warnings=("a.txt: 1 invalid UTF-8 byte(s) replaced",))
    result = fake_client(FakeChat(responder=responder_for(strategy)), strategy=strategy).summarise(article)
    assert result.warnings[0] == "a.txt: 1 invalid UTF-8 byte(s) replaced"


def test_a_file_with_bad_bytes_warns_in_the_result(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(TEXT.encode() + b" \xff.")
    result = fake_client(FakeChat(answer(claim()))).summarise(path)
    assert any("invalid UTF-8" in w for w in result.warnings)


def test_hooks_see_requests_responses_reasks_drops_and_cache_hits(tmp_path: Path) -> None:
    seen: list[tuple[str, Any]] = []
    hooks = Hooks()
    for event in ("request", "response", "validation_error", "reask", "item_dropped", "cache_hit"):
        hooks.on(event, lambda event=event, **payload: seen.append((event, payload)))
    bad = answer(claim(), claim(quote="killing 99 people", count_text="99"))
    store = Store(tmp_path / "s.db")
    client = Summariser(backend=fake_backend(FakeChat(bad, bad)), store=store, hooks=hooks, strategy="single-pass",
                        max_retries=1)
    result = client.summarise(TEXT)
    events = [e for e, _ in seen]
    assert events == ["request", "response", "validation_error", "reask", "request", "response",
                      "validation_error", "item_dropped"]
    dropped = next(p["item"] for e, p in seen if e == "item_dropped")
    assert dropped == result.dropped[0] and dropped.item["quote"] == "killing 99 people"
    assert next(p for e, p in seen if e == "request")["max_tokens"] > 0
    seen.clear()
    again = client.summarise(TEXT)
    assert again.cached and [e for e, _ in seen] == ["cache_hit"]
    assert seen[0][1]["article_id"] == result.article_id


def test_a_failing_hook_does_not_break_the_summary() -> None:
    def broken(**payload: Any) -> None:
        raise RuntimeError("observer bug")

    client = fake_client(FakeChat(answer(claim())), hooks={"response": broken})
    assert client.summarise(TEXT).casualty_claims[0].count == 22


def test_unknown_hook_events_are_refused() -> None:
    with pytest.raises(ConfigError, match="unknown hook event 'responded'"):
        Hooks({"responded": print})


def test_the_injected_store_holds_the_cache_and_the_call_log(tmp_path: Path) -> None:
    store = Store(tmp_path / "mine.db")
    chat = FakeChat(answer(claim()))
    client = Summariser(backend=fake_backend(chat), store=store, strategy="single-pass")
    client.summarise(TEXT)
    assert client.summarise(TEXT).cached and len(chat.requests) == 1
    assert [r["outcome"] for r in store.calls()] == ["ok"]


def test_a_given_article_is_not_rebuilt() -> None:
    article = Article(text=TEXT, title="Kyiv", url="https://example.org/a", outlet="Example")
    client = fake_client(FakeChat(answer(claim())))
    assert client.summarise(article).article_id == article.id


def test_two_servers_behind_one_model_name_never_share_answers() -> None:
    from tests.fake_server import fake_openai_server

    with fake_openai_server() as (first_url, first), fake_openai_server() as (second_url, second):
        for url in (first_url, second_url, first_url):
            Summariser("openai/local", base_url=url, strategy="single-pass", max_retries=0).summarise(SEED_TEXT)
    assert (first.requests, second.requests) == (1, 1)  # the second server was asked; the first rerun was cached


def test_two_keys_never_share_a_client() -> None:
    from summarise.settings import resolve_settings

    one = resolve_settings(model="openai/x", api_key="sk-one-aaaaaaaaaaaaaaaa")
    two = resolve_settings(model="openai/x", api_key="sk-two-bbbbbbbbbbbbbbbb")
    assert one.cache_key() != two.cache_key()
    assert "sk-one" not in repr(one.cache_key())  # a hash, never the key


def test_names_the_article_never_mentions_are_left_out_in_every_strategy() -> None:
    strike = {"attacker": "Hezbollah", "target": "two schools", "location": "Kyiv", "when": "Thursday",
              "means": "air strike", "quote": "An air strike by Russia hit two schools on Thursday"}
    demand = {"made_by": "Hamas", "demand": "talks", "addressed_to": None,
              "quote": "Talks between Russia and Ukraine began on the Belarus-Poland border."}
    data = json.loads(answer(claim(), claim(quote="injuring dozens", count_text="dozens")))
    data["casualty_claims"][1]["claimed_by"] = "General Invented Person"
    data.update(strikes=[strike], key_demands=[demand])
    result = fake_client(FakeChat(json.dumps(data))).summarise(TEXT)
    assert result.strikes[0].attacker is None and result.strikes[0].location == "Kyiv"  # "Kyiv" is named
    assert result.casualty_claims[1].claimed_by == "unattributed"
    assert result.key_demands == [] and "made_by: 'Hamas' is not named" in result.dropped[0].errors[0]
    assert any("strikes[0].attacker: 'Hezbollah' is not named" in w for w in result.warnings)


def test_a_cached_record_the_checks_no_longer_accept_is_asked_again(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    chat = FakeChat(answer(claim()), answer(claim()))
    client = Summariser(backend=fake_backend(chat), store=store, strategy="single-pass")
    first = client.summarise(TEXT)
    key = store._db.execute("SELECT key FROM summaries").fetchone()[0]
    broken = first.model_dump(mode="json")
    broken["casualty_claims"][0]["quote"] = "a quote the article does not hold"
    store._db.execute("UPDATE summaries SET record = ? WHERE key = ?", (json.dumps(broken), key))
    again = client.summarise(TEXT)
    assert not again.cached and len(chat.requests) == 2
