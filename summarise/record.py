"""The full output record: schema-v1 fields, each item with its quote span, plus metadata.

Only used to describe (and check) what ``SummaryResult.to_dict`` emits; the model never fills it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .schema import ArticleSummary, CasualtyClaim, KeyDemand, Negotiation, Strike


class QuoteSpan(BaseModel):
    start: int
    end: int


class _Spanned(BaseModel):
    quote_span: QuoteSpan


class SpannedDemand(KeyDemand, _Spanned):
    pass


class SpannedStrike(Strike, _Spanned):
    pass


class SpannedClaim(CasualtyClaim, _Spanned):
    pass


class SpannedNegotiation(Negotiation, _Spanned):
    pass


class DroppedRecord(BaseModel):
    section: str
    item: Any
    errors: list[str]


class RecordUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class SummaryRecord(ArticleSummary):
    """What ``summarise --json`` prints."""

    model_config = ConfigDict(extra="forbid", title="SummaryRecord")

    key_demands: list[SpannedDemand]  # type: ignore[assignment]
    strikes: list[SpannedStrike]  # type: ignore[assignment]
    casualty_claims: list[SpannedClaim]  # type: ignore[assignment]
    negotiations: list[SpannedNegotiation]  # type: ignore[assignment]
    article_id: str
    model: str
    prompt_version: str
    schema_version: str
    usage: RecordUsage
    attempts: int
    seconds: float
    warnings: list[str] = Field(default_factory=list)
    dropped: list[DroppedRecord] = Field(default_factory=list, description="items that failed their checks")
