"""The extraction loop: one article, bounded validation reasks, grounded result.

Each reask sends the article once plus the latest failed answer and its errors, never the whole
history, so the prompt does not grow with the number of attempts. When the last attempt still
has items that fail their checks, those items are dropped and reported (``dropped``), unless
``strict`` asks for the whole article to fail instead. Nothing unchecked is ever returned.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from . import prompts
from .errors import ExtractionFailed
from .grounding import ArticleIndex
from .result import DroppedItem, SummaryResult, Usage, locate_spans
from .schema import ArticleSummary
from .sources import Article

if TYPE_CHECKING:
    from .backends import Attempt, Backend

log = logging.getLogger("summarise")

MIN_TOKENS = 512
MAX_TOKENS = 4096


def token_budget(text: str) -> int:
    """Output tokens allowed for one call: proportional to the article, bounded both ways."""
    return max(MIN_TOKENS, min(MAX_TOKENS, 512 + len(text) // 3))


def base_messages(article: Article) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": prompts.render("system")},
        {"role": "user", "content": prompts.render("user", article=article.text)},
    ]


def reask_messages(base: list[dict[str, str]], raw: str, errors: list[str]) -> list[dict[str, str]]:
    return [
        *base,
        {"role": "assistant", "content": raw},
        {"role": "user", "content": prompts.render("reask", errors=errors)},
    ]


def salvage(outcome: Attempt, index: ArticleIndex) -> tuple[ArticleSummary, list[DroppedItem]] | None:
    """Drop the items that failed their checks; None when the rest does not validate either."""
    if not outcome.bad_items:
        return None
    try:
        data: Any = json.loads(outcome.raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    dropped: list[DroppedItem] = []
    for section, position in sorted(outcome.bad_items, reverse=True):
        items = data.get(section)
        if isinstance(items, list) and position < len(items):
            reasons = [e for e in outcome.errors if e.startswith(f"{section}[{position}]")]
            dropped.append(DroppedItem(section, items.pop(position), reasons))
    try:
        summary = ArticleSummary.model_validate(data, context={"article": index})
    except ValidationError:
        return None
    return summary, list(reversed(dropped))


def run(article: Article, backend: Backend, *, max_retries: int = 2, max_tokens: int | None = None,
        strict: bool = False, progress: Callable[[str], None] | None = None) -> SummaryResult:
    """Summarise ``article`` with ``backend``; ExtractionFailed when the output cannot be validated."""
    started = time.monotonic()
    index = ArticleIndex(article.text)
    budget = max_tokens or token_budget(article.text)
    base = base_messages(article)
    messages = base
    usage = Usage()
    attempts = 0

    def finish(summary: ArticleSummary, dropped: list[DroppedItem]) -> SummaryResult:
        return SummaryResult(
            summary=summary, spans=locate_spans(summary, index), article_id=article.id, model=backend.name,
            prompt_version=prompts.prompt_version(), usage=usage, attempts=attempts,
            seconds=time.monotonic() - started, warnings=list(article.warnings), dropped=dropped,
        )

    for attempts in range(1, max_retries + 2):
        if progress:
            note = " (fixing validation errors)" if attempts > 1 else ""
            progress(f"attempt {attempts} of {max_retries + 1}{note}")
        outcome = backend.attempt(messages, ArticleSummary, {"article": index}, budget)
        usage.add(outcome.usage)
        if outcome.value is not None:
            assert isinstance(outcome.value, ArticleSummary)
            return finish(outcome.value, [])
        log.info("attempt %d failed validation: %s", attempts, "; ".join(outcome.errors[:5]))
        if outcome.truncated:
            raise ExtractionFailed(
                f"the model's answer hit the budget of {budget} output tokens without finishing "
                "(it was probably repeating itself); try a stronger model or raise --max-tokens",
                attempts=attempts, errors=outcome.errors, usage=usage.as_dict(),
            )
        if attempts <= max_retries:
            messages = reask_messages(base, outcome.raw, outcome.errors)
    salvaged = None if strict else salvage(outcome, index)
    if salvaged is not None:
        summary, dropped = salvaged
        # the result lists them (``dropped``) and every output format shows them; a batch counts them
        log.info("dropped %d item(s) that failed their checks after %d attempts", len(dropped), attempts)
        return finish(summary, dropped)
    errors = outcome.errors
    shown = "; ".join(errors[:5]) + (f" (+{len(errors) - 5} more)" if len(errors) > 5 else "")
    raise ExtractionFailed(
        f"the model's output failed validation after {attempts} attempt(s): {shown}",
        attempts=attempts, errors=errors, usage=usage.as_dict(),
    )
