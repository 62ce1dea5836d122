"""The extraction loop: one article, bounded validation reasks, grounded result.

Each reask sends the article once plus the latest failed answer and its errors, never the whole
history, so the prompt does not grow with the number of attempts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import prompts
from .errors import ExtractionFailed
from .grounding import ArticleIndex
from .result import SummaryResult, Usage, locate_spans
from .schema import ArticleSummary
from .sources import Article

if TYPE_CHECKING:
    from .backends import Backend

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


def run(article: Article, backend: Backend, *, max_retries: int = 2, max_tokens: int | None = None,
        progress: Callable[[str], None] | None = None) -> SummaryResult:
    """Summarise ``article`` with ``backend``; ExtractionFailed when every attempt fails the checks."""
    started = time.monotonic()
    index = ArticleIndex(article.text)
    budget = max_tokens or token_budget(article.text)
    base = base_messages(article)
    messages = base
    usage = Usage()
    errors: list[str] = []
    attempts = 0
    for attempts in range(1, max_retries + 2):
        if progress:
            note = " (fixing validation errors)" if attempts > 1 else ""
            progress(f"attempt {attempts} of {max_retries + 1}{note}")
        outcome = backend.attempt(messages, ArticleSummary, {"article": index}, budget)
        usage.add(outcome.usage)
        if outcome.value is not None:
            summary = outcome.value
            assert isinstance(summary, ArticleSummary)
            return SummaryResult(
                summary=summary,
                spans=locate_spans(summary, index),
                article_id=article.id,
                model=backend.name,
                prompt_version=prompts.prompt_version(),
                usage=usage,
                attempts=attempts,
                seconds=time.monotonic() - started,
                warnings=list(article.warnings),
            )
        errors = outcome.errors
        log.info("attempt %d failed validation: %s", attempts, "; ".join(errors[:5]))
        if outcome.truncated:
            raise ExtractionFailed(
                f"the model's answer hit the budget of {budget} output tokens without finishing "
                "(it was probably repeating itself); try a stronger model or raise --max-tokens",
                attempts=attempts, errors=errors, usage=usage.as_dict(),
            )
        messages = reask_messages(base, outcome.raw, errors)
    shown = "; ".join(errors[:5]) + (f" (+{len(errors) - 5} more)" if len(errors) > 5 else "")
    raise ExtractionFailed(
        f"the model's output failed validation after {attempts} attempt(s): {shown}",
        attempts=attempts, errors=errors, usage=usage.as_dict(),
    )
