"""Articles from a Parquet file: one record per row (``id``, ``text``, optional ``url``, ``title``,
``published``, ``outlet``), read in batches so a large file never sits in memory whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from summarise.errors import ConfigError, InputError

FIELDS = ("id", "text", "url", "title", "published", "outlet")


def parquet_records(path: Path) -> Iterator[dict[str, Any]]:
    """One dict per row, as a JSONL record would give it; a row with no id is ``<file name>:<row>``."""
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError(f"{path}: reading Parquet needs pyarrow: pip install 'summarise[ray]'") from None
    try:
        source = pq.ParquetFile(path)
    except (OSError, pyarrow.ArrowException) as exc:
        raise InputError(f"{path} is not a readable Parquet file ({exc})") from None
    columns = [name for name in FIELDS if name in source.schema_arrow.names]
    if "text" not in columns:
        raise InputError(f"{path} has no 'text' column (columns: {', '.join(source.schema_arrow.names)})")
    number = 0
    for batch in source.iter_batches(batch_size=1000, columns=columns):
        for record in batch.to_pylist():
            number += 1
            if record.get("id") is None:
                record["id"] = f"{path.name}:{number}"
            yield record
