"""Peer baselines run in the same eval: plain Instructor (one call, no checks) and a regex rule."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model

from summarise.contract.models import ArticleSummary, CasualtyClaim, KeyDemand, Negotiation, Strike
from summarise.contract.numbers import parse_count

if TYPE_CHECKING:
    from summarise.backends.base import Backend
    from summarise.inputs.article import Article

PLAIN_PROMPT = "Extract a structured summary of this news article about conflict or crisis.\n\n{article}"


def _plain(model: type[BaseModel], items: dict[Any, type[BaseModel]]) -> type[BaseModel]:
    """The same fields without any validator: what a user writes in twenty lines. Lists are required,
    as a user would make them: a grammar lets a small model skip an optional key, and it then scores 0."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation: Any = info.annotation
        if get_origin(annotation) is list and get_args(annotation)[0] in items:
            annotation = list[items[get_args(annotation)[0]]]  # type: ignore[misc]
        fields[name] = (annotation, Field(description=info.description)) if get_origin(annotation) is list \
            else (annotation, info)
    return create_model(f"Plain{model.__name__}", __config__=ConfigDict(extra="ignore"), **fields)


_ITEMS = {m: _plain(m, {}) for m in (KeyDemand, Strike, CasualtyClaim, Negotiation)}
PlainSummary = _plain(ArticleSummary, _ITEMS)


def plain_instructor(article: Article, backend: Backend, max_tokens: int) -> dict[str, Any]:
    """One call with the schema, no validators, no reask."""
    started = time.monotonic()
    messages = [{"role": "user", "content": PLAIN_PROMPT.format(article=article.text)}]
    outcome = backend.attempt(messages, PlainSummary, {}, max_tokens)
    record: dict[str, Any] = (outcome.value.model_dump(mode="json") if outcome.value is not None
                              else {"headline": "", "summary": "", "key_demands": [], "strikes": [],
                                    "casualty_claims": [], "negotiations": []})
    record.update(schema_valid=outcome.value is not None, usage=outcome.usage.model_dump(), attempts=1,
                  seconds=round(time.monotonic() - started, 2))
    return record


_RULE = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens|"
    r"hundreds|several)\s+(?:[\w-]+\s+){0,3}?(?:were\s+|have\s+been\s+|had\s+been\s+|was\s+)?"
    r"(?P<word>killed|dead|died|injured|wounded|captured|detained|arrested|missing|displaced)", re.I)
_OUTCOMES = {"killed": "killed", "dead": "killed", "died": "killed", "injured": "injured", "wounded": "injured",
             "captured": "captured", "detained": "detained", "arrested": "detained", "missing": "missing",
             "displaced": "displaced"}


def regex_claims(article: Article) -> dict[str, Any]:
    """Numbers followed within a few words by a casualty word; casualty claims only."""
    claims = []
    for match in _RULE.finditer(article.text):
        count_text = match.group("num")
        claims.append({"count": parse_count(count_text), "count_text": count_text,
                       "outcome": _OUTCOMES[match.group("word").lower()], "claimed_by": "unattributed",
                       "reported_via": None, "qualifier": "exact", "population": "unspecified", "side": None,
                       "scope": "incident", "event": "", "quote": match.group(0)})
    return {"headline": "", "summary": "", "key_demands": [], "strikes": [], "casualty_claims": claims,
            "negotiations": [], "schema_valid": True, "usage": {"total_tokens": 0}, "attempts": 0, "seconds": 0.0}
