"""SQLite store: cached summaries and a log row per model call. Never a key or a header.

Location: ``$SUMMARISE_HOME/summarise.db`` or the user data folder. WAL mode; numbered migrations
recorded in ``PRAGMA user_version``. Summaries are cached by (article text hash, model, prompt
version, schema version, strategy), so an unchanged rerun makes no model call.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIGRATIONS: list[str] = [
    # 1: summaries cache and call log
    """
    CREATE TABLE summaries (
        key TEXT PRIMARY KEY,
        article_id TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        schema_version TEXT NOT NULL,
        strategy TEXT NOT NULL,
        record TEXT NOT NULL,
        created REAL NOT NULL
    );
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts REAL NOT NULL,
        article_id TEXT,
        model TEXT NOT NULL,
        backend TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        strategy TEXT,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        latency_ms INTEGER NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 1,
        outcome TEXT NOT NULL,
        error_class TEXT,
        error TEXT
    );
    CREATE INDEX calls_ts ON calls (ts);
    """,
    # 2: conditional-GET state of feeds (ETag, Last-Modified)
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated REAL NOT NULL
    );
    """,
]


def home() -> Path:
    if os.environ.get("SUMMARISE_HOME"):
        return Path(os.environ["SUMMARISE_HOME"])
    import platformdirs

    return Path(platformdirs.user_data_dir("summarise", appauthor=False))


@dataclass(frozen=True)
class CacheKey:
    article_id: str
    model: str
    prompt_version: str
    schema_version: str
    strategy: str

    def text(self) -> str:
        return "|".join((self.article_id, self.model, self.prompt_version, self.schema_version, self.strategy))


class Store:
    """One SQLite file; safe to share between threads of one process (a lock guards writes)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or home() / "summarise.db"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _migrate(self) -> None:
        with self._lock:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in filter(str.strip, script.split(";")):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {number}")
                    self._db.execute("COMMIT")
                except Exception:
                    self._db.execute("ROLLBACK")
                    raise

    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def get(self, key: CacheKey) -> dict[str, Any] | None:
        row = self._db.execute("SELECT record FROM summaries WHERE key = ?", (key.text(),)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: CacheKey, record: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO summaries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key.text(), key.article_id, key.model, key.prompt_version, key.schema_version, key.strategy,
                 json.dumps(record, ensure_ascii=False), time.time()),
            )

    def log_call(self, **row: Any) -> None:
        columns = ("ts", "article_id", "model", "backend", "prompt_version", "strategy", "prompt_tokens",
                   "completion_tokens", "latency_ms", "attempt", "outcome", "error_class", "error")
        defaults = {"ts": time.time(), "prompt_tokens": 0, "completion_tokens": 0, "attempt": 1}
        values = [row[c] if row.get(c) is not None else defaults.get(c) for c in columns]
        with self._lock:
            self._db.execute(f"INSERT INTO calls ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                             values)

    def calls(self, *, since: float | None = None, errors_only: bool = False,
              limit: int | None = None) -> Iterator[dict[str, Any]]:
        sql = "SELECT * FROM calls WHERE ts >= ?" + (" AND outcome != 'ok'" if errors_only else "")
        sql += " ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
        cursor = self._db.execute(sql, (since or 0.0,))
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def feed_state(self) -> dict[str, dict[str, str]]:
        return {url: json.loads(state) for url, state in self._db.execute("SELECT url, state FROM feeds")}

    def save_feed_state(self, states: dict[str, dict[str, str]]) -> None:
        with self._lock:
            for url, state in states.items():
                self._db.execute("INSERT OR REPLACE INTO feeds VALUES (?, ?, ?)", (url, json.dumps(state), time.time()))

    def integrity_ok(self) -> bool:
        return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def close(self) -> None:
        self._db.close()


_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def open_store(path: Path | None = None) -> Store:
    """The process-wide store for ``path`` (default location read at call time)."""
    target = path or home() / "summarise.db"
    with _stores_lock:
        store = _stores.get(target)
        if store is None:
            store = _stores[target] = Store(target)
        return store
