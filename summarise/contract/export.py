"""JSON Schema export; ``schemas/`` holds the same text and a test keeps them in sync."""

from __future__ import annotations

import json
from typing import Any

from summarise.contract.models import ArticleSummary
from summarise.contract.record import SummaryResult

FILES = {"article_summary.v1.schema.json": False, "summary_record.v1.schema.json": True}


def schema_dict(record: bool = False) -> dict[str, Any]:
    if record:  # what is written out: every field present, derived ones (total_tokens) included
        return SummaryResult.model_json_schema(mode="serialization")
    return ArticleSummary.model_json_schema()


def schema_json(record: bool = False) -> str:
    return json.dumps(schema_dict(record), indent=2, ensure_ascii=False) + "\n"


def write_all(folder: str = "schemas") -> None:
    """Regenerate the files in ``schemas/`` (run ``python -m summarise.export``)."""
    from pathlib import Path

    for name, record in FILES.items():
        Path(folder, name).write_text(schema_json(record), encoding="utf-8")


if __name__ == "__main__":
    write_all()
