"""Flat tables of a batch's results, for analysts who load them elsewhere: one row per item.

``summarise export results.jsonl --table claims`` (strikes, demands, negotiations; ``events`` is in
``summarise.outputs.events``). Each row starts with the article's columns (the batch id, the record's
``article_id`` and its source: URL, title, outlet, date), then ``item`` (its place in the section,
from 1), then every field of the contract for that item (read from the item classes, so a field
added to the contract becomes a column; the quote last), then the quote's character span, ``quote_start`` and
``quote_end`` (``text[quote_start:quote_end]`` is the quote).

Written as CSV (the standard library; an empty cell is null, a list such as a negotiation's
``parties`` is joined with ``"; "``) or Parquet (pyarrow, the ``parquet`` extra; nulls, integers and
lists keep their types). Both are written atomically.
"""

from __future__ import annotations

import csv
import io
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from summarise.contract.record import SpannedClaim, SpannedDemand, SpannedNegotiation, SpannedStrike, SummaryResult
from summarise.errors import ConfigError, InputError

ARTICLE_COLUMNS = ("id", "article_id", "url", "title", "outlet", "published")
SPAN_COLUMNS = ("quote_start", "quote_end")
LIST_SEPARATOR = "; "  # a list in a CSV cell

# table name: (section of the record, item class)
ITEM_TABLES: dict[str, tuple[str, type[BaseModel]]] = {
    "claims": ("casualty_claims", SpannedClaim),
    "strikes": ("strikes", SpannedStrike),
    "demands": ("key_demands", SpannedDemand),
    "negotiations": ("negotiations", SpannedNegotiation),
}
TABLES: tuple[str, ...] = (*ITEM_TABLES, "events")
FORMATS = ("csv", "parquet")


@dataclass
class Records:
    """The summaries of a results file (the last record of each id) and the failed ids left out."""

    summaries: list[tuple[str, SummaryResult]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def read_summaries(path: Path) -> Records:
    """Every id's last record: ok ones as ``SummaryResult``, failed ones counted; InputError on a bad file."""
    from summarise.storage.jsonl import read_records

    out = Records()
    for record in read_records(path):
        ident = str(record["id"])
        if not record["ok"]:
            out.failed.append(ident)
            continue
        try:
            out.summaries.append((ident, SummaryResult.model_validate(record.get("summary"))))
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(map(str, problem["loc"])) or "summary"
            raise InputError(f"{path}: the record of {ident!r} is not a summary record ({where}: "
                             f"{problem['msg']})") from None
    return out


def column_kind(annotation: Any) -> str:
    """``int``, ``list`` or ``str``: how a contract field is typed in a Parquet file."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    if annotation is int:
        return "int"
    if typing.get_origin(annotation) is list:
        return "list"
    return "str"


def item_fields(table: str) -> list[str]:
    """The contract's fields of the table's items, in the contract's order, the quote last (beside its span)."""
    names = [name for name in ITEM_TABLES[table][1].model_fields if name not in ("quote", "quote_span")]
    return [*names, "quote"]


def columns(table: str) -> dict[str, str]:
    """Column name: kind (``str``, ``int`` or ``list``), in order."""
    if table == "events":
        from summarise.outputs.events import EVENT_COLUMNS

        return {name: kind for name, (kind, _) in EVENT_COLUMNS.items()}
    model = ITEM_TABLES[table][1]
    fields = {name: column_kind(model.model_fields[name].annotation) for name in item_fields(table)}
    return {**dict.fromkeys(ARTICLE_COLUMNS, "str"), "item": "int", **fields, **dict.fromkeys(SPAN_COLUMNS, "int")}


def article_columns(ident: str, result: SummaryResult) -> dict[str, Any]:
    source = result.source
    return {"id": ident, "article_id": result.article_id, "url": source and source.url,
            "title": source and source.title, "outlet": source and source.outlet,
            "published": source and source.published}


def item_rows(table: str, summaries: Iterable[tuple[str, SummaryResult]]) -> Iterator[dict[str, Any]]:
    section, _ = ITEM_TABLES[table]
    names = item_fields(table)
    for ident, result in summaries:
        head = article_columns(ident, result)
        for number, item in enumerate(getattr(result, section), start=1):
            data = item.model_dump(mode="json")
            span = item.quote_span
            yield {**head, "item": number, **{name: data[name] for name in names},
                   "quote_start": span.start if span else None, "quote_end": span.end if span else None}


def rows(table: str, records: Records) -> list[dict[str, Any]]:
    """The table's rows, in the results file's order of ids; InputError for an unknown table."""
    if table == "events":
        from summarise.outputs.events import event_rows

        return list(event_rows(records.summaries))
    if table not in ITEM_TABLES:
        raise InputError(f"unknown table {table!r}; use one of {', '.join(TABLES)}")
    return list(item_rows(table, records.summaries))


def to_csv(table: str, data: list[dict[str, Any]]) -> str:
    def cell(value: Any) -> Any:
        if value is None:
            return ""
        return LIST_SEPARATOR.join(value) if isinstance(value, list) else value

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns(table)))
    writer.writeheader()
    for row in data:
        writer.writerow({k: cell(v) for k, v in row.items()})
    return buffer.getvalue()


def to_parquet(table: str, data: list[dict[str, Any]]) -> bytes:
    """The rows as a Parquet file's bytes; ConfigError when pyarrow is not installed."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError("Parquet needs pyarrow, which is not installed; run: pip install 'summarise[parquet]' "
                          "(or export --format csv)") from None
    kinds = {"str": pa.string(), "int": pa.int64(), "list": pa.list_(pa.string())}
    schema = pa.schema([(name, kinds[kind]) for name, kind in columns(table).items()])
    arrow = pa.Table.from_pylist(data, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(arrow, buffer)
    return buffer.getvalue()


def export(results: Path, table: str, fmt: str, out: Path | None) -> tuple[int, Records, str | None]:
    """Write the table of ``results`` to ``out`` atomically (CSV text is returned instead when ``out`` is
    None); returns (rows, records read, CSV text or None)."""
    from summarise.storage.files import write_atomic, write_atomic_bytes

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use csv or parquet")
    if table not in TABLES:
        raise InputError(f"unknown table {table!r}; use one of {', '.join(TABLES)}")
    if fmt == "parquet" and out is None:
        raise InputError("Parquet is a binary file: name it with -o FILE")
    records = read_summaries(results)
    data = rows(table, records)
    if fmt == "parquet":
        assert out is not None
        write_atomic_bytes(out, to_parquet(table, data))
        return len(data), records, None
    text = to_csv(table, data)
    if out is None:
        return len(data), records, text
    write_atomic(out, text)
    return len(data), records, None
