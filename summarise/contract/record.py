"""The one output type: what a user receives, what the store caches, what renderers, batch files and
the JSON Schema in ``schemas/`` describe.

``SummaryResult`` is the contract's ``ArticleSummary`` whose items each carry their own
``quote_span``, plus what code measured about the run. Spans are computed by code whenever the
record is validated with the article in the context (``{"article": ArticleIndex}``), so a record
rebuilt from the cache is checked again against its article; without the article the spans it
carries are kept as they are.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, computed_field, field_serializer, model_validator
from pydantic.json_schema import SkipJsonSchema

from summarise.contract.grounding import ArticleIndex
from summarise.contract.models import (
    MAX_CLAIMS,
    MAX_DEMANDS,
    MAX_NEGOTIATIONS,
    MAX_STRIKES,
    SCHEMA_VERSION,
    SECTIONS,
    ArticleSummary,
    CasualtyClaim,
    KeyDemand,
    Negotiation,
    Strike,
    article_in,
)


class Usage(BaseModel):
    """Tokens summed over every attempt, failed ones included."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @model_validator(mode="before")
    @classmethod
    def _derived_total(cls, data: Any) -> Any:
        """``total_tokens`` is written out for readers; it is derived, never read back."""
        if isinstance(data, dict) and "total_tokens" in data:
            return {k: v for k, v in data.items() if k != "total_tokens"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


class DroppedItem(BaseModel):
    """An item that failed its checks after the last reask, kept out of the summary and reported."""

    section: str
    item: Any
    errors: list[str]


class QuoteSpan(BaseModel):
    """Character offsets of the quote in the article text: ``text[start:end]``."""

    start: int
    end: int


class _Located(BaseModel):
    """Each item class below adds ``quote_span`` after its own fields; this check fills it."""

    @model_validator(mode="after")
    def _locate(self, info: ValidationInfo) -> Any:
        """Locate the quote when the article is at hand; otherwise keep the span the item carries."""
        item: Any = self
        article = article_in(info)
        if article is not None:
            span = article.locate(item.quote)
            if span is None:  # the quote check runs first; never pass an unlocated quote off as grounded
                raise ValueError(f"quote {item.quote[:120]!r} is not in the article")
            item.quote_span = QuoteSpan(start=span.start, end=span.end)
        elif item.quote_span is None:
            raise ValueError("quote_span is missing and there is no article to locate the quote in")
        return self


class SpannedDemand(KeyDemand, _Located):
    quote_span: QuoteSpan | SkipJsonSchema[None] = None


class SpannedStrike(Strike, _Located):
    quote_span: QuoteSpan | SkipJsonSchema[None] = None


class SpannedClaim(CasualtyClaim, _Located):
    quote_span: QuoteSpan | SkipJsonSchema[None] = None


class SpannedNegotiation(Negotiation, _Located):
    quote_span: QuoteSpan | SkipJsonSchema[None] = None


class ArticleSource(BaseModel):
    """Where the article came from, as its input said (a web page's metadata, a JSONL record's fields);
    every field optional. Filled from the current input on every run, cached or not."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = Field(default=None, description="publication date as the input gave it")


class SummaryResult(ArticleSummary):
    """A grounded summary of one article: every item with its located quote, plus the run's metadata."""

    model_config = ConfigDict(extra="forbid", title="SummaryRecord")

    key_demands: list[SpannedDemand] = Field(default_factory=list, max_length=MAX_DEMANDS)  # type: ignore[assignment]
    strikes: list[SpannedStrike] = Field(default_factory=list, max_length=MAX_STRIKES)  # type: ignore[assignment]
    casualty_claims: list[SpannedClaim] = Field(  # type: ignore[assignment]
        default_factory=list, max_length=MAX_CLAIMS)
    negotiations: list[SpannedNegotiation] = Field(  # type: ignore[assignment]
        default_factory=list, max_length=MAX_NEGOTIATIONS)
    article_id: str
    source: ArticleSource | None = Field(default=None, description="the article's URL, title, outlet and date")
    model: str
    prompt_version: str
    schema_version: str = SCHEMA_VERSION
    usage: Usage = Field(default_factory=Usage)
    attempts: int = 1
    seconds: float = 0.0
    warnings: list[str] = Field(default_factory=list)
    dropped: list[DroppedItem] = Field(default_factory=list, description="items that failed their checks")
    cached: bool = Field(default=False, description="read from the store's cache, not asked of the model")

    @field_serializer("seconds")
    def _round_seconds(self, value: float) -> float:
        return round(value, 2)

    @classmethod
    def build(cls, summary: ArticleSummary, article: ArticleIndex, **meta: Any) -> SummaryResult:
        """The record for a validated summary: spans located in ``article``, metadata attached."""
        data = summary.model_dump(mode="python")
        return cls.model_validate({**data, **meta}, context={"article": article})

    @classmethod
    def from_record(cls, record: dict[str, Any], article: ArticleIndex) -> SummaryResult:
        """A record read back (the cache, a results file), checked again against its article."""
        return cls.model_validate({**record, "cached": True}, context={"article": article})

    def items(self) -> list[tuple[str, KeyDemand | Strike | CasualtyClaim | Negotiation]]:
        """(section, item) for every item, in section order."""
        return [(section, item) for section in SECTIONS for item in getattr(self, section)]
