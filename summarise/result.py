"""What a summarisation returns: the validated summary plus what code measured about it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .grounding import ArticleIndex, Span
from .schema import SCHEMA_VERSION, SECTIONS, ArticleSummary


@dataclass
class Usage:
    """Tokens summed over every attempt, failed ones included."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "total_tokens": self.total_tokens}


@dataclass
class DroppedItem:
    """An item the model produced that failed its checks on the last attempt, kept out of the summary."""

    section: str
    item: Any
    errors: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"section": self.section, "item": self.item, "errors": self.errors}


@dataclass
class SummaryResult:
    """A grounded summary of one article."""

    summary: ArticleSummary
    spans: dict[str, list[Span]]
    article_id: str
    model: str
    prompt_version: str
    schema_version: str = SCHEMA_VERSION
    usage: Usage = field(default_factory=Usage)
    attempts: int = 1
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    dropped: list[DroppedItem] = field(default_factory=list)
    cached: bool = False

    @classmethod
    def from_record(cls, record: dict[str, Any], article: ArticleIndex) -> SummaryResult:
        """Rebuild a result from its ``to_dict`` record (a cache hit); the checks run again."""
        data = {k: record[k] for k in ("headline", "summary", *SECTIONS)}
        for section in SECTIONS:
            data[section] = [{k: v for k, v in item.items() if k != "quote_span"} for item in data[section]]
        summary = ArticleSummary.model_validate(data, context={"article": article})
        usage = record["usage"]
        return cls(
            summary=summary, spans=locate_spans(summary, article), article_id=record["article_id"],
            model=record["model"], prompt_version=record["prompt_version"], schema_version=record["schema_version"],
            usage=Usage(usage["prompt_tokens"], usage["completion_tokens"]), attempts=record["attempts"],
            seconds=record["seconds"], warnings=record.get("warnings", []),
            dropped=[DroppedItem(d["section"], d["item"], d["errors"]) for d in record.get("dropped", [])],
            cached=True,
        )

    def to_dict(self) -> dict[str, Any]:
        """Schema-v1 fields, each item with its ``quote_span``, then the record's metadata."""
        data = self.summary.model_dump(mode="json")
        for section in SECTIONS:
            for item, span in zip(data[section], self.spans[section], strict=True):
                item["quote_span"] = {"start": span.start, "end": span.end}
        data.update(
            article_id=self.article_id,
            model=self.model,
            prompt_version=self.prompt_version,
            schema_version=self.schema_version,
            usage=self.usage.as_dict(),
            attempts=self.attempts,
            seconds=round(self.seconds, 2),
        )
        if self.warnings:
            data["warnings"] = list(self.warnings)
        if self.dropped:
            data["dropped"] = [d.as_dict() for d in self.dropped]
        return data


def locate_spans(summary: ArticleSummary, article: ArticleIndex) -> dict[str, list[Span]]:
    """Attach each quote's character span; every quote was already checked by the validators."""
    spans: dict[str, list[Span]] = {}
    for section in SECTIONS:
        found: list[Span] = []
        for item in getattr(summary, section):
            span = article.locate(item.quote)
            if span is None:  # the validators make this unreachable; never pass it off as grounded
                raise AssertionError(f"quote not located after validation: {item.quote!r}")
            found.append(span)
        spans[section] = found
    return spans
