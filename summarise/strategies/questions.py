"""The small grammar-constrained questions of the anchored strategy, and the checks on their answers.

Every key is required (nullable where the contract allows null): a grammar lets a small model skip
optional keys. Names must be named in the article; numbers in the headline must be the article's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, create_model, field_validator

from summarise.contract import paraphrase
from summarise.contract.grounding import normalise
from summarise.contract.models import CachedSchema, Status, article_in, check_headline, check_summary, repairs_in
from summarise.contract.names import is_claimant, is_named
from summarise.lexicon import DEMAND_WORDS, STRIKE_WORDS, TALKS_WORDS


def _grounded_name(value: str, info: ValidationInfo) -> str:
    """A name must be named in the article (``contract.names``): no invented claimant or actor."""
    value = " ".join(value.split())
    article = article_in(info)
    if article is not None and not is_named(value, article):
        raise ValueError(f"{value!r} is not named in the article; use the article's own words or 'unattributed'")
    if not is_claimant(value):
        raise ValueError(f"{value!r} is a clause, not a person or body; name who states the figures or 'unattributed'")
    return value


def _quote_in(info: ValidationInfo) -> str | None:
    quote = info.context.get("quote") if isinstance(info.context, dict) else None
    return quote if isinstance(quote, str) else None


class _Paraphrases(CachedSchema):
    """A paraphrase must say what the sentence asked about says (``contract.paraphrase``): a reason to reask."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("demand", "description", "event", check_fields=False)
    @classmethod
    def _supported(cls, value: str, info: ValidationInfo) -> str:
        quote = _quote_in(info)
        if quote is None or info.field_name is None:
            return value
        return paraphrase.check_field(info.field_name, value, quote, article_in(info))


class _FigureBase(_Paraphrases):
    @field_validator("claimed_by", check_fields=False)
    @classmethod
    def _claimant(cls, value: str, info: ValidationInfo) -> str:
        return _grounded_name(value, info)


class SentenceFacts(_FigureBase):
    """What the model decides for the casualty figures of one sentence; code knows the rest."""

    side: str | None = Field(max_length=40)
    event: str = Field(max_length=160)


class SentenceAnswer(SentenceFacts):
    """The same, plus the claimant, asked only where code cannot read it off the sentence."""

    claimed_by: str = Field(max_length=120)


class Overview(CachedSchema):
    model_config = ConfigDict(extra="forbid")
    headline: str = Field(max_length=300)
    summary: str = Field(max_length=900)


def _numbers_grounded(value: str, info: ValidationInfo) -> str:
    article = article_in(info)
    if article is not None:
        plain = normalise(article.text)
        for number in re.findall(r"\d[\d,.]*\d|\d", value):
            if number not in plain:
                raise ValueError(f"the number {number} is not in the article; use only the article's figures")
    return value


class GroundedOverview(Overview):
    @field_validator("headline", "summary")
    @classmethod
    def _grounded(cls, value: str, info: ValidationInfo) -> str:
        check = check_headline if info.field_name == "headline" else check_summary
        value = check(value, repairs_in(info))
        return _numbers_grounded(value, info)


_TEXT = (str, Field(max_length=160))
_OPTIONAL = (str | None, Field(max_length=160))
SECTION_FIELDS: dict[str, dict[str, Any]] = {
    "strikes": {"attacker": _OPTIONAL, "target": _OPTIONAL, "location": _OPTIONAL,
                "when": (str | None, Field(max_length=60)), "means": _OPTIONAL},
    "key_demands": {"made_by": _TEXT, "demand": _TEXT, "addressed_to": _OPTIONAL},
    "negotiations": {"parties": (list[str], Field(max_length=6)), "status": (Status, ...),
                     "description": _TEXT, "venue": _OPTIONAL, "mediator": _OPTIONAL},
}
# Items kept per part of an article (``anchored.caps`` multiplies them by the parts, within the contract's caps)
SECTION_LIMITS = {"strikes": 10, "key_demands": 8, "negotiations": 6}
SECTION_TASKS: dict[str, tuple[str, re.Pattern[str]]] = {
    "strikes": ("a specific attack that took place (an air strike, missile, shelling, drone, bombing, raid or "
                "ground assault on a place); not threats, plans, warnings or general descriptions of a war",
                STRIKE_WORDS),
    "key_demands": ("demands (calls, demands, ultimatums or requests that one actor makes of another; not "
                    "statements of fact or predictions)", DEMAND_WORDS),
    "negotiations": ("negotiations (talks, ceasefires, truces, peace plans, prisoner exchanges, mediation)",
                     TALKS_WORDS),
}


def selection_model(numbers: Sequence[int], limit: int) -> type[BaseModel]:
    ref: Any = Literal[tuple(numbers)]
    fields: dict[str, Any] = {"sentences": (list[ref], Field(max_length=limit))}
    return create_model("Selection", __config__=ConfigDict(extra="forbid"), **fields)


def item_model(section: str) -> type[BaseModel]:
    return create_model(f"{section}_item", __base__=_Paraphrases, **SECTION_FIELDS[section])
