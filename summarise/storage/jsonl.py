"""Append-only JSONL results that survive crashes: whole lines only, resumable by id."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any


def done_ids(path: Path) -> set[str]:
    """Ids already written; a torn last line (from a crash) is cut off so the file stays whole."""
    if not path.exists():
        return set()
    ids: set[str] = set()
    good_end = 0
    with path.open("rb") as fh:
        for line in fh:
            if not line.endswith(b"\n"):
                break
            try:
                record = json.loads(line)
            except ValueError:
                break
            if isinstance(record, dict) and "id" in record:
                ids.add(str(record["id"]))
            good_end += len(line)
    if good_end != path.stat().st_size:
        with path.open("r+b") as fh:
            fh.truncate(good_end)
    return ids


def open_append(path: Path) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("ab", buffering=0)


def append(fh: IO[bytes], record: dict[str, Any], *, sync: bool = False) -> None:
    """One record, one ``write`` of one complete line."""
    fh.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    if sync:
        os.fsync(fh.fileno())
