"""Review pages for a batch results file: one page per article and an index with counts and failures.

A record does not carry its article's text. An id that names a readable file (how ``summarise batch``
names file inputs) is read from it; other texts come from the batch's own inputs (files, folders,
JSONL records), matched by batch id or by the record's ``article_id`` (the hash of the text). Each
record is checked again against its text, so every highlighted span is one code located; a record
whose text is missing, or whose quotes are not in the text found, still gets its page, with its
tables and a note saying why nothing is highlighted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarise.client.batch import item_id, to_article
from summarise.contract.grounding import ArticleIndex
from summarise.contract.record import SummaryResult
from summarise.errors import InputError, SummariseError
from summarise.inputs import DEFAULT_MAX_CHARS
from summarise.inputs.article import expand_inputs, read_article
from summarise.outputs.review import Failure, IndexEntry, counts, index_page, review_page
from summarise.storage.files import write_atomic
from summarise.storage.jsonl import read_records

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def page_name(ident: str) -> str:
    """A file name for an id's page: readable, portable, never hidden, never ``index.html``, and
    distinct for distinct ids (a hash of the id ends it)."""
    slug = _UNSAFE.sub("-", ident).strip(".-")[-60:].strip(".-") or "article"
    return f"{slug}-{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:10]}.html"


@dataclass
class Report:
    """What ``review_batch`` wrote."""

    index: Path
    pages: int = 0
    highlighted: int = 0  # pages whose quotes are highlighted in their text
    failures: int = 0
    notes: list[str] = field(default_factory=list)  # "<id>: <why this page has no highlights>"


def texts_from_inputs(inputs: Iterable[str], wanted: set[str], *, max_chars: int = DEFAULT_MAX_CHARS) -> dict[str, str]:
    """Article texts from the batch's inputs, keyed by batch id and by article hash, for the keys in
    ``wanted`` only. An input that cannot be read is passed over: its record, if any, says why."""
    found: dict[str, str] = {}
    if not wanted:
        return found
    for item in expand_inputs(list(inputs)):
        ident = item_id(item)
        try:
            article = to_article(item, max_chars)
        except SummariseError:
            continue
        for key in (ident, article.id):
            if key in wanted:
                found[key] = article.text
    return found


def _is_file(ident: str) -> bool:
    try:
        return Path(ident).is_file()
    except (OSError, ValueError):  # a name too long for a path, a NUL byte: not a file
        return False


def _text_for(ident: str, summary: dict[str, Any], texts: dict[str, str], max_chars: int) -> tuple[str | None, str]:
    """The article text for a record, or None, and a note when something is off ("" when nothing is)."""
    article_id = summary.get("article_id")
    for key in (ident, article_id):
        if isinstance(key, str) and key in texts:
            return texts[key], ""
    if not _is_file(ident):
        return None, "the article text was not found: pass the batch's inputs with --inputs to highlight its quotes"
    try:
        article = read_article(Path(ident), max_chars=max_chars)
    except InputError as exc:
        return None, f"the article file could not be read ({exc})"
    note = "" if article.id == article_id else f"{ident} has changed since it was summarised"
    return article.text, note


def render_record(ident: str, summary: dict[str, Any], text: str | None, note: str = "", *,
                  back: str | None = None) -> tuple[SummaryResult, str, str]:
    """The page for one record: (the record as checked, the HTML, the note on the page, "" when none).

    With the text, the record is rebuilt against it (``SummaryResult.from_record``), locating every
    quote again; if that fails the record is shown as read, its text unmarked, with the reason.
    Raises ``ValidationError`` only for a record that is not a summary record at all.
    """
    if text is not None:
        try:
            result = SummaryResult.from_record(summary, ArticleIndex(text))
            return result, review_page(result, text, note=note or None, back=back), note
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            note = "; ".join(filter(None, [note, f"the record does not match this text ({where}: {first['msg']}), "
                                                  "so nothing is highlighted"]))
            result = SummaryResult.model_validate(summary)
            return result, review_page(result, text, note=note, highlight=False, back=back), note
    result = SummaryResult.model_validate(summary)
    return result, review_page(result, None, note=note or None, back=back), note


def _error(record: dict[str, Any]) -> Failure:
    error = record.get("error")
    if not isinstance(error, dict):
        error = {}
    return Failure(record["id"], str(error.get("class") or "error"), str(error.get("message") or "no message"))


def review_batch(results: Path, out: Path, inputs: Iterable[str] = (), *, max_chars: int = DEFAULT_MAX_CHARS,
                 progress: Callable[[str], None] | None = None) -> Report:
    """Write a page per successful record of ``results`` into ``out``, then ``out/index.html``.

    Every file is written atomically, the index last. Raises ``InputError`` for a missing or
    malformed results file (nothing is written then) or an output folder that is a file.
    """
    wanted: set[str] = set()
    for record in _summaries(results):  # a first pass checks the whole file: a malformed one writes nothing
        if record.get("ok") and not _is_file(record["id"]):
            wanted |= {key for key in (record["id"], record["summary"].get("article_id")) if isinstance(key, str)}
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder; pass a folder for the pages")
    texts = texts_from_inputs(inputs, wanted, max_chars=max_chars) if inputs else {}
    report = Report(out / "index.html")
    entries: list[IndexEntry] = []
    failures: list[Failure] = []
    for record in _summaries(results):
        ident = record["id"]
        if not record.get("ok"):
            failures.append(_error(record))
            continue
        text, note = _text_for(ident, record["summary"], texts, max_chars)
        try:
            result, html, note = render_record(ident, record["summary"], text, note, back="index.html")
        except ValidationError as exc:
            failures.append(Failure(ident, "InvalidRecord", f"the summary record does not validate: "
                                                            f"{exc.errors()[0]['msg']}"))
            continue
        name = page_name(ident)
        write_atomic(out / name, html)
        entries.append(IndexEntry(ident, name, result.headline, counts(result), note or None))
        report.pages += 1
        report.highlighted += text is not None and "nothing is highlighted" not in note
        if note:
            report.notes.append(f"{ident}: {note}")
        if progress:
            progress(f"{report.pages} page(s): {ident}")
    report.failures = len(failures)
    write_atomic(report.index, index_page(entries, failures, source=results.name))
    return report


def _summaries(results: Path) -> Iterable[dict[str, Any]]:
    for record in read_records(results):
        if record.get("ok") and not isinstance(record.get("summary"), dict):
            raise InputError(f"{results}: the record for {record['id']!r} is ok but has no \"summary\" object")
        yield record

