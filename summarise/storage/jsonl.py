"""Append-only JSONL results that survive crashes: whole lines only, resumable by id.

A results file holds one record per line, ``{"id", "ok": true, "summary"}`` or ``{"id", "ok": false,
"error"}``. Lines are only ever appended, never rewritten: when an article is retried, its new record
is appended and the last record for an id is the one that counts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from summarise.errors import InputError

# What every record line starts with: ``append`` writes ``Result.to_record`` with json.dumps's default
# separators, the string "id" first. Only a last line that begins like this can be a record torn by a crash.
_RECORD_START = b'{"id": "'

# json.dumps escapes every control character but leaves these raw when ensure_ascii=False, and Python's
# str.splitlines() (all three) and JavaScript (U+2028, U+2029) break lines at them: escaped, a record
# stays one line for every reader and still parses to the same string.
_LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\u0085\u2028\u2029"}


def escape_line_breaks(json_text: str) -> str:
    """JSON text with U+0085, U+2028 and U+2029 written as ``\\uXXXX`` escapes.

    Safe on any JSON text: outside strings these characters are not allowed, so each one found is
    inside a string, where the escape means the same character.
    """
    return json_text.translate(_LINE_BREAKS)


@dataclass
class Results:
    """What a results file says about each id: the outcome of its last record."""

    ok: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)

    def add(self, ident: str, ok: bool) -> None:
        # A later record supersedes an earlier one: a retry that succeeded moves the id to ``ok``.
        (self.ok if ok else self.failed).add(ident)
        (self.failed if ok else self.ok).discard(ident)


class _NotARecord(ValueError):
    """A line that is not a results record; the message says why."""


def _parse(line: bytes) -> tuple[str, bool]:
    """The id and ``ok`` of one record line."""
    try:
        record = json.loads(line.decode("utf-8"))  # decoded here: json.loads would guess UTF-16 from NUL bytes
    except UnicodeDecodeError:
        raise _NotARecord("is not UTF-8 text") from None
    except ValueError:
        raise _NotARecord("is not JSON") from None
    if not (isinstance(record, dict) and isinstance(record.get("id"), str) and isinstance(record.get("ok"), bool)):
        raise _NotARecord('is JSON but not a record: no string "id" and true/false "ok"')
    return record["id"], record["ok"]


def _refuse(path: Path, number: int, problem: _NotARecord, results: Results) -> InputError:
    """The error for a line that is not a record: the file is left as it is, for the user to judge the line."""
    if not (results.ok or results.failed):
        return InputError(f"{path} is not a summarise results file (line {number} {problem}); it was left "
                          "untouched: write the results to another file")
    return InputError(f"{path}, line {number} {problem}; nothing was changed: fix or remove that line, or write "
                      "the results to another file")


@dataclass
class _Scan:
    results: Results
    whole_end: int = 0  # bytes up to the end of the last complete line
    tail: bytes = b""  # what follows it: a last line without a newline, usually none
    tail_number: int = 0


def _scan(path: Path) -> _Scan:
    """Read and check every complete line without changing the file; ``InputError`` at the first bad one.

    Blank lines are skipped: they hold no record, so skipping them loses nothing. A last line without
    a newline is kept aside as the ``tail`` for ``_settle_tail`` to judge.
    """
    scan = _Scan(Results())
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.endswith(b"\n"):
                scan.tail, scan.tail_number = line, number
                break
            scan.whole_end += len(line)
            if line.strip():
                try:
                    scan.results.add(*_parse(line))
                except _NotARecord as problem:
                    raise _refuse(path, number, problem, scan.results) from None
    return scan


def _settle_tail(path: Path, scan: _Scan) -> None:
    """Make the file end with a whole line, so that the next append starts a line of its own.

    A record (or blanks) missing only its newline gets one. A torn record, the start of a line that
    a crash cut short, is cut off and its article runs again. Anything else is refused untouched:
    a prose file without a final newline is not a torn record.
    """
    if not scan.tail:
        return
    try:
        if scan.tail.strip():
            scan.results.add(*_parse(scan.tail))
    except _NotARecord as problem:
        if not (scan.tail.startswith(_RECORD_START) or _RECORD_START.startswith(scan.tail)):
            raise _refuse(path, scan.tail_number, problem, scan.results) from None
        with path.open("r+b") as fh:
            fh.truncate(scan.whole_end)
        return
    with path.open("ab") as fh:
        fh.write(b"\n")


def read_results(path: Path) -> Results:
    """The outcome of each id in a results file, made ready for appending.

    Only a torn last line (no newline, the start of a record) is ever cut. Any other line that is
    not a record raises ``InputError`` naming the file and line, and the file is left as it was.
    """
    if not path.exists():
        return Results()
    scan = _scan(path)
    _settle_tail(path, scan)
    return scan.results


def done_ids(path: Path) -> set[str]:
    """Every id with a record, failed or not (see ``read_results``)."""
    results = read_results(path)
    return results.ok | results.failed


def open_append(path: Path) -> IO[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("ab", buffering=0)


def append(fh: IO[bytes], record: dict[str, Any], *, sync: bool = False) -> None:
    """One record, one ``write`` of one complete line that every line splitter keeps whole."""
    line = escape_line_breaks(json.dumps(record, ensure_ascii=False))
    fh.write((line + "\n").encode("utf-8"))
    if sync:
        os.fsync(fh.fileno())


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """The last record of each id in a results file, in the order ids first appear; the file is only read.

    Two passes over the file, so only one offset per id is held, never every record. A torn last line
    (no newline, the start of a record) is skipped; any other line that is not a record raises
    ``InputError`` naming the file and line, as ``read_results`` does.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such results file" if not path.exists() else f"{path} is not a file")
    last: dict[str, int] = {}
    seen = Results()
    try:
        with path.open("rb") as fh:
            offset = 0
            for number, line in enumerate(fh, start=1):
                at, offset = offset, offset + len(line)
                if not line.strip():
                    continue
                try:
                    ident, ok = _parse(line)
                except _NotARecord as problem:
                    if not line.endswith(b"\n") and (line.startswith(_RECORD_START) or _RECORD_START.startswith(line)):
                        break  # torn by a crash: its article runs again on the next batch
                    raise _refuse(path, number, problem, seen) from None
                seen.add(ident, ok)
                last[ident] = at  # a later record supersedes an earlier one; the id keeps its first place
            for at in last.values():
                fh.seek(at)
                record: dict[str, Any] = json.loads(fh.readline().decode("utf-8"))
                yield record
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
