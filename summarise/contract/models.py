"""Schema v1: the output contract. Field names are the contract (see DESIGN.md).

Validators receive the article through the validation context (``{"article": ArticleIndex}``)
and raise messages written as instructions to the model, because they become the reask.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from summarise.contract import paraphrase
from summarise.contract.grounding import ArticleIndex, contains_normalised
from summarise.contract.numbers import Qualifier, hedge_of, is_vague, parse_count
from summarise.contract.sides import doubtful_side

SCHEMA_VERSION = "1"

# Upper bounds on list lengths: they go into the JSON schema (maxItems), so a grammar-constrained
# local model cannot loop on one item until its token limit. Set well above what real articles carry
# (long campaign reports list 35 strikes and 25 negotiation items; the dev gold has up to 10 demands).
MAX_DEMANDS = 40
MAX_STRIKES = 80
MAX_CLAIMS = 150
MAX_NEGOTIATIONS = 40
MAX_HEADLINE_WORDS = 25
MAX_SUMMARY_SENTENCES = 3


class Outcome(StrEnum):
    killed = "killed"
    injured = "injured"
    captured = "captured"
    missing = "missing"
    displaced = "displaced"
    detained = "detained"
    other = "other"


class Population(StrEnum):
    civilians = "civilians"
    military = "military"
    mixed = "mixed"
    unspecified = "unspecified"


class Scope(StrEnum):
    incident = "incident"
    cumulative = "cumulative"


class Status(StrEnum):
    proposed = "proposed"
    scheduled = "scheduled"
    ongoing = "ongoing"
    stalled = "stalled"
    concluded = "concluded"
    rejected = "rejected"


def article_in(info: ValidationInfo) -> ArticleIndex | None:
    """The article a validation was given in its context, if any."""
    ctx = info.context
    if isinstance(ctx, dict):
        article = ctx.get("article")
        if isinstance(article, ArticleIndex):
            return article
    return None


class CachedSchema(BaseModel):
    """Instructor asks for the JSON Schema on every call; build it once per class and options.

    Each caller gets its own copy (callers may change it), made by parsing the cached JSON text:
    several times faster than ``copy.deepcopy`` of the dict.
    """

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        key = (cls, args, tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
        cached = _SCHEMAS.get(key)
        if cached is None:
            cached = _SCHEMAS[key] = json.dumps(super().model_json_schema(*args, **kwargs))
        schema: dict[str, Any] = json.loads(cached)
        return schema


_SCHEMAS: dict[Any, str] = {}


class _Quoted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quote: str = Field(description="verbatim span copied from the article")

    @field_validator("quote")
    @classmethod
    def _quote_in_article(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        if not value:
            raise ValueError("quote is empty; copy the sentence from the article that states this item")
        article = article_in(info)
        if article is not None and not article.contains(value):
            raise ValueError(
                f"quote {value[:120]!r} is not in the article; copy a span of the article exactly, "
                "character for character, or drop this item"
            )
        return value


class KeyDemand(_Quoted):
    made_by: str = Field(description="who demands")
    demand: str = Field(description="short paraphrase of the demand")
    addressed_to: str | None = Field(default=None, description="of whom; null if unclear")

    @model_validator(mode="after")
    def _demand_is_the_quotes(self, info: ValidationInfo) -> KeyDemand:
        if (article := article_in(info)) is not None:
            paraphrase.check_field("demand", self.demand, self.quote, article)
        return self


class Strike(_Quoted):
    attacker: str | None = Field(default=None, description="null if not stated")
    target: str | None = Field(default=None, description="what was hit")
    location: str | None = Field(default=None, description="as precise as the article")
    when: str | None = Field(default=None, description="as written, e.g. Thursday")
    means: str | None = Field(default=None, description="air strike, missile, shelling, drone...")


class CasualtyClaim(_Quoted):
    count: int | None = Field(default=None, description="the number stated; null for vague amounts")
    count_text: str = Field(description="the number expression as written, with its hedge")
    qualifier: Qualifier
    outcome: Outcome
    population: Population
    side: str | None = Field(default=None, description="whose people; null if unstated")
    scope: Scope
    event: str = Field(description="what the figure refers to")
    claimed_by: str = Field(description="who makes the claim, or 'unattributed'")
    reported_via: str | None = Field(default=None, description="relaying outlet or agency, or null")

    @model_validator(mode="before")
    @classmethod
    def _derive_count(cls, data: Any) -> Any:
        """Code, not the model, reads the number and hedge in count_text."""
        if not isinstance(data, dict) or not isinstance(data.get("count_text"), str):
            return data
        text = data["count_text"].strip()
        stated = parse_count(text)
        if stated is not None:
            return {**data, "count": stated, "qualifier": (hedge_of(text) or Qualifier.exact).value}
        if is_vague(text):
            return {**data, "count": None, "qualifier": Qualifier.vague.value}
        return data

    @model_validator(mode="after")
    def _count_matches_text(self) -> CasualtyClaim:
        text = self.count_text.strip()
        if not text:
            raise ValueError("count_text is empty; copy the number expression from the quote")
        if not contains_normalised(self.quote, text):
            raise ValueError(
                f"count_text {text!r} is not inside the quote {self.quote[:120]!r}; "
                "choose a quote that contains the number expression"
            )
        stated = parse_count(text)
        if stated is not None:
            if self.count != stated:
                raise ValueError(f"count_text {text!r} states {stated}; set count to {stated}")
            hedge = hedge_of(text) or Qualifier.exact
            if self.qualifier != hedge:
                raise ValueError(
                    f"count_text {text!r} has qualifier {hedge.value!r}, not {self.qualifier.value!r}; "
                    "a hedge word must stand inside count_text"
                )
        elif is_vague(text):
            if self.count is not None or self.qualifier != Qualifier.vague:
                raise ValueError(
                    f"count_text {text!r} is a vague amount; set count to null and qualifier to 'vague'"
                )
        elif self.count != 1 or self.qualifier != Qualifier.exact:
            raise ValueError(
                f"count_text {text!r} states no number; if it denotes one person set count 1 and "
                "qualifier 'exact', otherwise copy the number expression exactly"
            )
        if not self.claimed_by.strip():
            raise ValueError("claimed_by is empty; name who makes the claim or write 'unattributed'")
        return self

    @model_validator(mode="after")
    def _event_is_the_quotes(self, info: ValidationInfo) -> CasualtyClaim:
        if (article := article_in(info)) is not None:
            paraphrase.check_field("event", self.event, self.quote, article)
        return self

    @model_validator(mode="after")
    def _side_is_the_victims(self, info: ValidationInfo) -> CasualtyClaim:
        """A side that is the attacker in the quote, a claimant, no party or a name the article lacks becomes null."""
        if self.side:
            article = article_in(info)
            if doubtful_side(self.side, self.quote, claimed_by=self.claimed_by, reported_via=self.reported_via,
                             article=article.text if article is not None else None):
                self.side = None
        return self


class Negotiation(_Quoted):
    parties: list[str] = Field(default_factory=list)
    status: Status
    description: str
    venue: str | None = None
    mediator: str | None = None

    @model_validator(mode="after")
    def _description_is_the_quotes(self, info: ValidationInfo) -> Negotiation:
        if (article := article_in(info)) is not None:
            paraphrase.check_field("description", self.description, self.quote, article)
        return self


def _item_key(item: BaseModel) -> str:
    return repr(sorted(item.model_dump(mode="json").items()))


T = TypeVar("T")


def unique_by(items: list[T], key: Callable[[T], Hashable]) -> list[T]:
    """The items in order, keeping the first of those with the same key."""
    seen: set[Hashable] = set()
    out = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def repairs_in(info: ValidationInfo) -> list[str] | None:
    """Where a run collects the repairs code made instead of a reask; None: check strictly, repair nothing."""
    ctx = info.context
    repairs = ctx.get("repairs") if isinstance(ctx, dict) else None
    return repairs if isinstance(repairs, list) else None


def check_headline(value: str, repairs: list[str] | None = None) -> str:
    """One line of at most ``MAX_HEADLINE_WORDS`` words. Too long is a mechanical fix: with ``repairs``
    code cuts it and says so, instead of a reask that costs a model call and rarely changes the answer."""
    value = " ".join(value.split())
    if not value:
        raise ValueError("headline is empty; write one neutral sentence")
    words = len(value.split())
    if words > MAX_HEADLINE_WORDS:
        if repairs is None:
            raise ValueError(f"headline has {words} words; shorten it to at most {MAX_HEADLINE_WORDS}")
        value = " ".join(value.split()[:MAX_HEADLINE_WORDS]).rstrip(",;:-")
        repairs.append(f"headline: cut by code to its first {MAX_HEADLINE_WORDS} words (the model wrote {words})")
    return value


def check_summary(value: str, repairs: list[str] | None = None) -> str:
    """At most ``MAX_SUMMARY_SENTENCES`` sentences; with ``repairs``, code keeps the first ones and says so."""
    value = " ".join(value.split())
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", value) if s.strip()]
    if len(sentences) > MAX_SUMMARY_SENTENCES:
        if repairs is None:
            raise ValueError(f"summary has {len(sentences)} sentences; write at most {MAX_SUMMARY_SENTENCES}")
        value = " ".join(sentences[:MAX_SUMMARY_SENTENCES])
        repairs.append(f"summary: cut by code to its first {MAX_SUMMARY_SENTENCES} sentences "
                       f"(the model wrote {len(sentences)})")
    return value


class ArticleSummary(CachedSchema):
    """What the article claims, every item grounded in a verbatim quote."""

    model_config = ConfigDict(extra="forbid")

    headline: str = Field(description="one neutral sentence, at most 25 words")
    summary: str = Field(description="at most three sentences")
    key_demands: list[KeyDemand] = Field(default_factory=list, max_length=MAX_DEMANDS)
    strikes: list[Strike] = Field(default_factory=list, max_length=MAX_STRIKES)
    casualty_claims: list[CasualtyClaim] = Field(default_factory=list, max_length=MAX_CLAIMS)
    negotiations: list[Negotiation] = Field(default_factory=list, max_length=MAX_NEGOTIATIONS)

    @field_validator("headline")
    @classmethod
    def _headline_short(cls, value: str, info: ValidationInfo) -> str:
        return check_headline(value, repairs_in(info))

    @field_validator("summary")
    @classmethod
    def _summary_short(cls, value: str, info: ValidationInfo) -> str:
        return check_summary(value, repairs_in(info))

    @model_validator(mode="after")
    def _drop_repeats(self) -> ArticleSummary:
        """A repeated item is one item: keep the first of exact duplicates."""
        for name in ("key_demands", "strikes", "casualty_claims", "negotiations"):
            items: list[Any] = getattr(self, name)
            unique = unique_by(items, _item_key)
            if len(unique) != len(items):
                object.__setattr__(self, name, unique)
        return self


SECTIONS = ("key_demands", "strikes", "casualty_claims", "negotiations")
