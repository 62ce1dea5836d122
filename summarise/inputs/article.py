"""Where articles come from: files, stdin, raw text. Every check on input lives here."""

from __future__ import annotations

import hashlib
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from summarise.errors import InputError
from summarise.inputs import DEFAULT_MAX_CHARS


@dataclass(frozen=True)
class Article:
    """Article text plus metadata; ``id`` is a hash of the normalised text."""

    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None
    source: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @cached_property
    def id(self) -> str:  # computed once: the cache key, the call log and the batch all ask for it
        norm = " ".join(unicodedata.normalize("NFC", self.text).split())
        return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def _decode(data: bytes, where: str) -> tuple[str, tuple[str, ...]]:
    if b"\x00" in data[:8192]:
        raise InputError(f"{where} looks like a binary file, not article text")
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        if bad > max(16, len(text) // 100):
            raise InputError(
                f"{where} is not UTF-8 text ({bad} undecodable bytes, first at byte {exc.start}); "
                "convert it to UTF-8 first"
            ) from None
        note = f"{where}: {bad} invalid UTF-8 byte(s) replaced with U+FFFD"
        return text, (note,)


def article_from_text(text: str, *, max_chars: int = DEFAULT_MAX_CHARS, source: str = "text",
                      warnings: tuple[str, ...] = (), **meta: str | None) -> Article:
    """Check ``text`` and wrap it as an Article; raises InputError on unusable input."""
    check_text(text, max_chars=max_chars, source=source)
    title = meta.pop("title", None) or _first_line(text)
    return Article(text=text, title=title, source=source, warnings=warnings, **meta)


def check_text(text: str, *, max_chars: int = DEFAULT_MAX_CHARS, source: str = "text") -> None:
    """InputError when ``text`` is empty, too long or not text."""
    if not text.strip():
        raise InputError(f"{source} is empty: there is no article text to summarise")
    if len(text) > max_chars:
        raise InputError(
            f"{source} has {len(text):,} characters, over the limit of {max_chars:,}; "
            "pass a shorter article or raise the limit with --max-chars"
        )
    if not _looks_like_text(text):
        raise InputError(f"{source} looks like binary data, not article text")


def as_article(source: str | Path | Article, *, max_chars: int = DEFAULT_MAX_CHARS) -> Article:
    """An ``Article`` for text, a path or an article; a given article is checked, never rebuilt (its
    metadata and warnings stay with it)."""
    if isinstance(source, Article):
        check_text(source.text, max_chars=max_chars, source=source.source or "article")
        return source
    if isinstance(source, Path):
        return read_article(source, max_chars=max_chars)
    return article_from_text(source, max_chars=max_chars)


def _looks_like_text(text: str) -> bool:
    """At least 90% printable or whitespace characters (the common case decided at C speed)."""
    if "".join(text.split()).isprintable():
        return True
    printable = sum(1 for ch in text if ch.isprintable() or ch.isspace())
    return printable >= 0.9 * len(text)


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return None


def read_article(path: str | Path, *, max_chars: int = DEFAULT_MAX_CHARS,
                 stdin: BinaryIO | None = None) -> Article:
    """Read an article from a file path, or from standard input when ``path`` is ``-``."""
    if str(path) == "-":
        where = "standard input"
        data = _read_bounded(stdin if stdin is not None else sys.stdin.buffer, max_chars, where)
    else:
        p = Path(path)
        where = str(p)
        data = _read_file(p, max_chars)
    text, warnings = _decode(data, where)
    return article_from_text(text, max_chars=max_chars, source=where, warnings=warnings)


def _too_big(where: str, size: str, max_chars: int) -> InputError:
    return InputError(
        f"{where} is {size} bytes, far over the limit of {max_chars:,} characters; "
        "pass a shorter article or raise the limit with --max-chars"
    )


def _read_bounded(stream: BinaryIO, max_chars: int, where: str) -> bytes:
    """At most ``max_chars * 4`` bytes (four per character: UTF-8's widest), refused when there are more.

    One byte past the limit is read to tell "exactly at the limit" from "over it"; nothing more is
    read, so an endless stream (a named pipe, /dev/zero) costs only the limit.
    """
    limit = max_chars * 4
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_big(where, f"more than {limit:,}", max_chars)
    return data


def _read_file(p: Path, max_chars: int) -> bytes:
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p} is a directory; pass one article file (or use 'summarise batch')")
    try:
        # the size a regular file reports refuses it before reading; named pipes and devices report 0,
        # so the read itself is bounded too
        size = p.stat().st_size
        if size > max_chars * 4:
            raise _too_big(str(p), f"{size:,}", max_chars)
        with p.open("rb") as fh:
            return _read_bounded(fh, max_chars, str(p))
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror})") from None


def expand_inputs(inputs: list[str]) -> Iterator[Path | dict[str, object]]:
    """Files, folders (their ``*.txt``), globs, and JSONL or Parquet files of records, lazily and in order."""
    import glob
    import json

    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(path.glob("*.txt"))
        elif path.suffix == ".jsonl" and path.is_file():
            with path.open(encoding="utf-8") as fh:
                for number, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except ValueError:
                        raise InputError(f"{path}:{number} is not a JSON record") from None
                    if not isinstance(record, dict):
                        raise InputError(f"{path}:{number} is not a JSON object")
                    record.setdefault("id", f"{path.name}:{number}")
                    yield record
        elif path.suffix == ".parquet" and path.is_file():
            from summarise.inputs.parquet import parquet_records

            yield from parquet_records(path)
        elif path.exists():
            yield path
        else:
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                raise InputError(f"{raw}: no such file, folder or matching glob")
            yield from (Path(m) for m in matches if Path(m).is_file())
