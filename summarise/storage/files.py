"""Atomic writes: a temporary file in the same folder, then rename. A crash leaves the old file.

A new file gets the mode the umask allows (as ``open`` would give it); a replaced file keeps its
mode, so an output someone made group-readable stays so.
"""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO


def write_atomic(path: Path, text: str) -> None:
    write_all({path: text})


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """A binary file (a Parquet table), written as ``write_atomic`` writes text."""
    write_all({path: data})


def write_all(texts: Mapping[Path, str | bytes]) -> None:
    """Write several files, each atomically, in the order given.

    Every temporary file is written and synced before the first rename, so a failed write (a full
    disk, text that cannot be encoded) changes none of the files. A rename can still fail part way,
    so callers put last the file that records a finished run.
    """
    staged: dict[Path, Path] = {}
    try:
        for path, text in texts.items():
            staged[path] = _stage(path, text)
        for path, tmp in staged.items():
            os.replace(tmp, path)
            _sync_folder(path.parent)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[IO[str]]:
    """A text file too large to hold in memory, written piece by piece: it appears at ``path``, whole, only
    when the block ends without an error; otherwise ``path`` is left as it was."""
    tmp = _stage(path, "")
    try:
        with tmp.open("a", encoding="utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _sync_folder(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _stage(path: Path, text: str | bytes) -> Path:
    """``text`` (or bytes) in a new temporary file next to ``path``, on disk, with the mode ``path`` should
    have."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    # 0o666 through os.open: the kernel applies the umask (and a folder's default ACL), which
    # mkstemp's fixed 0600 would not; O_EXCL so an existing file is never reused
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            with contextlib.suppress(FileNotFoundError):  # a new file keeps what the umask gave it
                os.fchmod(fh.fileno(), stat.S_IMODE(path.stat().st_mode))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _sync_folder(folder: Path) -> None:
    """Make a rename durable: without this a power cut can undo it even after the file's own fsync."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
