"""SQLite store: cached summaries and a log row per model call. Never a key or a header.

Location: ``$SUMMARISE_HOME/summarise.db`` or the user data folder. WAL mode; numbered migrations
recorded in ``PRAGMA user_version``. Summaries are cached by (article text hash, model, prompt
version, schema version, strategy), so an unchanged rerun makes no model call. A file that is not
SQLite, or a damaged one, raises ``StoreCorrupt`` naming the file (it holds nothing that cannot be
rebuilt, so moving it aside is the way out).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarise.errors import ConfigError

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
    # 3: each feed's entries from its last good read, reused when the server answers 304 Not Modified.
    # Rows saved before this have NULL (unknown): their feed is read again without a validator.
    """
    ALTER TABLE feeds ADD COLUMN entries TEXT;
    """,
    # 4: provider batches (OpenAI Batch API) submitted and not yet, or already, collected; never a key
    """
    CREATE TABLE provider_batches (
        batch_id TEXT PRIMARY KEY,
        provider TEXT NOT NULL,
        input_file_id TEXT,
        out_path TEXT NOT NULL,
        article_ids TEXT NOT NULL,
        status TEXT NOT NULL,
        detail TEXT,
        job TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    """,
    # 5: where each call's time went (issue 14): why it was made, prompt tokens the server actually
    # processed (past the cached prefix) and milliseconds of prefill and of decode, where reported
    """
    ALTER TABLE calls ADD COLUMN why TEXT;
    ALTER TABLE calls ADD COLUMN prefill_tokens INTEGER;
    ALTER TABLE calls ADD COLUMN prefill_ms INTEGER;
    ALTER TABLE calls ADD COLUMN decode_ms INTEGER;
    """,
]

# What SQLite says when the file is not a database or its pages are damaged (primary result codes)
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


class StoreCorrupt(ConfigError):
    """The store file is not SQLite or is damaged. It holds only a cache and a log, so the way out is
    to move it aside; a ConfigError (exit 3) because the fix is in the user's files, not in the code."""


def home() -> Path:
    if os.environ.get("SUMMARISE_HOME"):
        return Path(os.environ["SUMMARISE_HOME"])
    import platformdirs

    return Path(platformdirs.user_data_dir("summarise", appauthor=False))


def db_path() -> Path:
    """The store's file (cache and call log), read at call time: ``summarise logs path`` prints it."""
    return home() / "summarise.db"


@dataclass(frozen=True)
class CacheKey:
    article_id: str
    model: str
    prompt_version: str
    schema_version: str
    strategy: str

    def text(self) -> str:
        return "|".join((self.article_id, self.model, self.prompt_version, self.schema_version, self.strategy))


@dataclass(frozen=True)
class FeedRecord:
    """A feed's last good read: its conditional-GET state and its entries (None: not kept yet)."""

    state: dict[str, str]
    entries: list[dict[str, Any]] | None


class Store:
    """One SQLite file; safe to share between threads of one process (a lock guards writes)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        try:
            with self._guard():  # the first statement reads the header: a file that is not SQLite fails here
                self._prepare()
        except StoreCorrupt:
            self._db.close()
            raise

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite's "not a database" and "malformed" into an error that names the file and the way out.

        A damaged page only shows when a statement reads it, so every method runs under this guard.
        """
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if exc.sqlite_errorcode & 0xFF not in _CORRUPT:  # extended codes keep the primary in the low byte
                raise
            raise StoreCorrupt(
                f"the store {self.path} is not a readable SQLite database ({exc}). It holds only cached summaries "
                f"and the call log: move it aside (with any {self.path.name}-wal and {self.path.name}-shm next to "
                "it) or delete it, and the next run starts a fresh cache and log"
            ) from None

    def _prepare(self, attempts: int = 50) -> None:
        """WAL mode and the migrations. Switching a new file to WAL while other processes open it can be
        refused at once ("database is locked", SQLite's busy handler does not cover it): wait and try again."""
        for attempt in range(attempts):
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._migrate()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))

    def _migrate(self) -> None:
        """Bring the file up to the latest schema in one write transaction.

        The version is read again after ``BEGIN IMMEDIATE`` takes the write lock: processes (Ray actors, two
        batch runs) that open a new store at once wait for the first to migrate, then find nothing to do,
        instead of each running the same ``CREATE TABLE``.
        """
        with self._lock:
            if self._db.execute("PRAGMA user_version").fetchone()[0] >= len(MIGRATIONS):
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                version = self._db.execute("PRAGMA user_version").fetchone()[0]
                for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                    for statement in filter(str.strip, script.split(";")):
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {number}")
                self._db.execute("COMMIT")
            except Exception:
                self._db.execute("ROLLBACK")
                raise

    @property
    def version(self) -> int:
        with self._guard():
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def get(self, key: CacheKey) -> dict[str, Any] | None:
        with self._guard():
            row = self._db.execute("SELECT record FROM summaries WHERE key = ?", (key.text(),)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: CacheKey, record: dict[str, Any]) -> None:
        with self._lock, self._guard():
            self._db.execute(
                "INSERT OR REPLACE INTO summaries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key.text(), key.article_id, key.model, key.prompt_version, key.schema_version, key.strategy,
                 json.dumps(record, ensure_ascii=False), time.time()),
            )

    def log_call(self, **row: Any) -> None:
        columns = ("ts", "article_id", "model", "backend", "prompt_version", "strategy", "prompt_tokens",
                   "completion_tokens", "latency_ms", "attempt", "outcome", "error_class", "error", "why",
                   "prefill_tokens", "prefill_ms", "decode_ms")
        defaults = {"ts": time.time(), "prompt_tokens": 0, "completion_tokens": 0, "attempt": 1}
        values = [row[c] if row.get(c) is not None else defaults.get(c) for c in columns]
        with self._lock, self._guard():
            self._db.execute(f"INSERT INTO calls ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                             values)

    def calls(self, *, since: float | None = None, errors_only: bool = False,
              limit: int | None = None) -> Iterator[dict[str, Any]]:
        sql = "SELECT * FROM calls WHERE ts >= ?" + (" AND outcome != 'ok'" if errors_only else "")
        sql += " ORDER BY id DESC" + (f" LIMIT {int(limit)}" if limit else "")
        with self._guard():  # rows are read as the caller iterates, so the guard spans the loop
            cursor = self._db.execute(sql, (since or 0.0,))
            names = [d[0] for d in cursor.description]
            for row in cursor:
                yield dict(zip(names, row, strict=True))

    def feeds(self) -> dict[str, FeedRecord]:
        """Each feed's last good read, by feed URL."""
        with self._guard():
            rows = self._db.execute("SELECT url, state, entries FROM feeds").fetchall()
        return {url: FeedRecord(json.loads(state), None if entries is None else json.loads(entries))
                for url, state, entries in rows}

    def save_feed(self, url: str, record: FeedRecord) -> None:
        entries = None if record.entries is None else json.dumps(record.entries, ensure_ascii=False)
        with self._lock, self._guard():
            self._db.execute("INSERT OR REPLACE INTO feeds (url, state, updated, entries) VALUES (?, ?, ?, ?)",
                             (url, json.dumps(record.state), time.time(), entries))

    def save_provider_batch(self, row: dict[str, Any]) -> None:
        """Insert or update a provider batch: ``batch_id``, ``provider``, ``input_file_id``, ``out_path``,
        ``article_ids`` (list), ``status``, ``detail`` and ``job`` (the settings to collect it with, never a key)."""
        now = time.time()
        with self._lock, self._guard():
            self._db.execute(
                "INSERT INTO provider_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (batch_id) DO UPDATE "
                "SET status = excluded.status, detail = excluded.detail, updated = excluded.updated",
                (row["batch_id"], row["provider"], row.get("input_file_id"), row["out_path"],
                 json.dumps(row["article_ids"]), row["status"], row.get("detail"), json.dumps(row["job"]), now, now))

    def provider_batches(self, batch_id: str | None = None) -> list[dict[str, Any]]:
        """Provider batches, oldest first (``batch_id``: that one only)."""
        sql = "SELECT * FROM provider_batches" + (" WHERE batch_id = ?" if batch_id else "") + " ORDER BY created"
        with self._guard():
            cursor = self._db.execute(sql, (batch_id,) if batch_id else ())
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor]
        for row in rows:
            row["article_ids"], row["job"] = json.loads(row["article_ids"]), json.loads(row["job"])
        return rows

    def integrity_ok(self) -> bool:
        try:
            with self._guard():
                return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
        except StoreCorrupt:
            return False

    def close(self) -> None:
        self._db.close()


_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def open_store(path: Path | None = None) -> Store:
    """The process-wide store for ``path`` (default location read at call time)."""
    target = path or db_path()
    with _stores_lock:
        store = _stores.get(target)
        if store is None:
            store = _stores[target] = Store(target)
        return store
