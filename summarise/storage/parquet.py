"""Batch results as Parquet: a folder of part files, each written whole, never rewritten.

Parquet files cannot be appended to, so a results "file" is a folder: every flush adds one
``part-NNNNNN.parquet`` (written beside it under a hidden name, synced, then renamed in). Each row
holds ``id``, ``ok`` and ``record``, the JSON text of the exact line a JSONL results file would
hold: that record stays the source of truth, and the two columns beside it make resume and
queries cheap. As in JSONL, the last row for an id is the one that counts. A crash loses at most
the rows not yet flushed; their articles run again on resume. Needs pyarrow (the ``ray`` extra).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Any

from summarise.errors import ConfigError, InputError
from summarise.storage.jsonl import Results

_PART = re.compile(r"part-(\d{6})\.parquet")


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ConfigError("Parquet needs pyarrow: pip install 'summarise[ray]'") from None
    return pyarrow


def _parts(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if _PART.fullmatch(p.name))


def read_results(folder: Path) -> Results:
    """The outcome of each id in a Parquet results folder (``Results()`` when there is none yet).

    A path that is a file, or a part without the ``id`` and ``ok`` columns, is refused untouched.
    """
    results = Results()
    if not folder.exists():
        return results
    if not folder.is_dir():
        raise InputError(f"{folder} is a file: Parquet results are a folder of part files; name a folder "
                         "(new or one this command wrote)")
    pa = _pyarrow()
    for part in _parts(folder):
        try:
            table = pa.parquet.read_table(part, columns=["id", "ok"])
        except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
            raise InputError(f"{part} is not a summarise results part ({exc}); nothing was changed: move it "
                             "aside, or write the results to another folder") from None
        for ident, ok in zip(table.column("id").to_pylist(), table.column("ok").to_pylist(), strict=True):
            results.add(str(ident), bool(ok))
    return results


class PartWriter:
    """Collects rows and writes them as the folder's next part file on ``flush``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rows: list[dict[str, Any]] = []
        folder.mkdir(parents=True, exist_ok=True)
        parts = _parts(folder)
        self.next = int(_PART.fullmatch(parts[-1].name).group(1)) + 1 if parts else 0  # type: ignore[union-attr]

    def add(self, ident: str, ok: bool, record: str) -> None:
        self.rows.append({"id": ident, "ok": ok, "record": record})

    def flush(self) -> None:
        if not self.rows:
            return
        pa = _pyarrow()
        table = pa.table({"id": pa.array([r["id"] for r in self.rows], pa.string()),
                          "ok": pa.array([r["ok"] for r in self.rows], pa.bool_()),
                          "record": pa.array([r["record"] for r in self.rows], pa.string())})
        path = self.folder / f"part-{self.next:06d}.parquet"
        tmp = self.folder / f".{path.name}.{uuid.uuid4().hex}.tmp"
        try:
            pa.parquet.write_table(table, tmp)
            with tmp.open("rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        self.rows.clear()
        self.next += 1
