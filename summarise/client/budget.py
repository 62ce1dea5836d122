"""An article's time budget from the call log: where its model time went, call by call.

Each logged call has its wall time and, where the server reports them (the embedded model always
does), the prompt tokens it actually processed (past the cached prefix) with their milliseconds, and
the milliseconds spent generating. What is left of the wall time is overhead: grammar set-up, sampling,
validation, the client. Calls are grouped by why they were made (``figure``, ``select``, ``section``,
``overview``, ``summary``; ``reask:…`` for a second or later attempt).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Share:
    """The calls of one kind (or of one article): counts, tokens and milliseconds."""

    calls: int = 0
    prompt_tokens: int = 0
    processed_tokens: int = 0
    output_tokens: int = 0
    wall_ms: int = 0
    prefill_ms: int = 0
    decode_ms: int = 0

    @property
    def other_ms(self) -> int:
        return max(0, self.wall_ms - self.prefill_ms - self.decode_ms)

    def add(self, row: dict[str, Any]) -> None:
        self.calls += 1
        self.prompt_tokens += int(row.get("prompt_tokens") or 0)
        self.processed_tokens += int(row.get("prefill_tokens") or 0)
        self.output_tokens += int(row.get("completion_tokens") or 0)
        self.wall_ms += int(row.get("latency_ms") or 0)
        self.prefill_ms += int(row.get("prefill_ms") or 0)
        self.decode_ms += int(row.get("decode_ms") or 0)


@dataclass
class ArticleBudget:
    article_id: str
    total: Share = field(default_factory=Share)
    by_why: dict[str, Share] = field(default_factory=dict)


def budgets(rows: Iterable[dict[str, Any]]) -> list[ArticleBudget]:
    """One budget per article in the rows (call-log rows, any order), in the order first seen."""
    out: dict[str, ArticleBudget] = {}
    for row in rows:
        budget = out.setdefault(str(row.get("article_id") or "?"), ArticleBudget(str(row.get("article_id") or "?")))
        budget.total.add(row)
        budget.by_why.setdefault(str(row.get("why") or "unknown"), Share()).add(row)
    return list(out.values())
