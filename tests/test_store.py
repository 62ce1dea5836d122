from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from summarise import summarise
from summarise.errors import SummariseError
from summarise.storage.store import MIGRATIONS, CacheKey, FeedRecord, Store, StoreCorrupt, home, open_store
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


def test_feed_reads_are_kept_with_their_entries(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    entries = [{"url": "https://example.org/a", "title": "Ä", "published": None, "summary": None}]
    store.save_feed("https://example.org/feed", FeedRecord({"etag": '"v1"'}, entries))
    store.close()
    assert Store(tmp_path / "s.db").feeds() == {"https://example.org/feed": FeedRecord({"etag": '"v1"'}, entries)}


def test_a_version_2_store_keeps_its_rows_with_entries_unknown(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "s.db")
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO feeds VALUES ('https://example.org/feed', '{\"etag\": \"x\"}', 0)")
    db.commit()
    db.close()
    store = Store(tmp_path / "s.db")
    assert store.version == len(MIGRATIONS)
    assert store.feeds() == {"https://example.org/feed": FeedRecord({"etag": "x"}, None)}


def damage(path: Path) -> None:
    """Overwrite pages in the middle of a real store: the header still reads, the tables do not."""
    store = Store(path)
    for n in range(200):
        store.put(key(article_id=str(n)), {"headline": "x" * 500})
        store.log_call(model="m", backend="B", prompt_version="p", latency_ms=5, outcome="ok")
    store.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[2 * page:len(data) - page] = b"\xff" * (len(data) - 3 * page)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["not sqlite", "damaged"])
def test_a_corrupt_store_names_its_file_and_the_way_out(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "summarise.db"
    if kind == "not sqlite":
        path.write_text("this is a text file, not a database\n" * 200)
    else:
        damage(path)
    with pytest.raises(StoreCorrupt) as error:
        store = Store(path)
        store.get(key(article_id="7"))
        list(store.calls())
    message = str(error.value)
    assert str(path) in message and "move it aside" in message and "fresh cache" in message
    assert isinstance(error.value, SummariseError)


def test_the_cli_exits_3_with_the_store_path(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from summarise.cli import main

    path = home() / "summarise.db"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage" * 1000)
    result = CliRunner().invoke(main, ["logs"])
    assert result.exit_code == 3, result.output
    assert str(path) in result.stderr and "move it aside" in result.stderr


def test_stores_opened_at_once_on_a_new_file_all_migrate_cleanly(tmp_path: Path) -> None:
    """Ray actors or two batch runs opening a new store together: one migrates, the others find it done
    (each used to run the same CREATE TABLE: "table summaries already exists")."""
    import threading

    for attempt in range(10):
        path = tmp_path / f"s{attempt}.db"
        barrier = threading.Barrier(6)
        errors: list[BaseException] = []

        def open_one(path: Path = path, barrier: threading.Barrier = barrier,
                     errors: list[BaseException] = errors) -> None:
            barrier.wait()
            try:
                Store(path).close()
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=open_one) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert Store(path).version == len(MIGRATIONS)
