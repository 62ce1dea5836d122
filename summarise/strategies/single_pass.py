"""The single-pass strategy: the whole schema in one call, validators and bounded reasks.

The first answer that passes every check is the summary. When the last reask still has items that
fail, those items are dropped and reported (``Run.validate``), unless ``strict``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from summarise.contract.models import ArticleSummary
from summarise.errors import ExtractionFailed
from summarise.strategies import templates
from summarise.strategies.injection import screened
from summarise.strategies.loop import Options, Run

if TYPE_CHECKING:
    from summarise.backends.attempt import Attempt
    from summarise.inputs.article import Article

MIN_TOKENS = 512
MAX_TOKENS = 4096


def token_budget(text: str) -> int:
    """Output tokens allowed for one call: proportional to the article, bounded both ways."""
    return max(MIN_TOKENS, min(MAX_TOKENS, 512 + len(text) // 3))


def base_messages(run: Run) -> list[dict[str, str]]:
    """The system prompt, then the article (sentences addressed to a model withheld) as data."""
    return [
        {"role": "system", "content": templates.render("system")},
        {"role": "user", "content": templates.render("user", article=screened(run.article.text, run.suspicious))},
    ]


class _NotAsked:
    """The model of a run that only builds its first request: asking it is a bug."""

    name = "none"

    def attempt(self, messages: list[dict[str, str]], response_model: type[BaseModel], context: dict[str, object],
                max_tokens: int) -> Attempt:
        raise RuntimeError("this run only builds its first request")


def first_request(article: Article, options: Options) -> tuple[list[dict[str, str]], int]:
    """The messages and output-token budget of this strategy's first call about ``article``: what a provider
    batch sends for it, so that its answer is the one ``run`` would have been given."""
    prepared = Run(article, _NotAsked(), options)
    return base_messages(prepared), prepared.budget(token_budget(article.text))


def check_received(completion: Mapping[str, Any], context: dict[str, Any], max_tokens: int) -> Attempt:
    """An answer already received for that first call (a provider batch's completion), checked against the
    article in ``context`` (``Run.context``) exactly as a live answer is: ``value`` is the validated
    ``ArticleSummary``, or ``errors`` are what the reask sends back (``truncated`` when cut off)."""
    from summarise.backends.openai_batch import received_attempt

    return received_attempt(completion, ArticleSummary, context, max_tokens)


def run(run: Run) -> ArticleSummary:
    """Summarise the run's article in one call; ExtractionFailed when the output cannot be validated."""
    answer = run.ask(base_messages(run), ArticleSummary, token_budget(run.article.text), why="summary",
                     announce=True)
    if isinstance(answer.value, ArticleSummary):
        return run.validate(answer.value.model_dump(mode="json"))
    if answer.truncated:
        raise run.failed(
            f"the model's answer hit the budget of {run.budget(token_budget(run.article.text))} output tokens "
            "without finishing (it was probably repeating itself); try a stronger model or raise --max-tokens",
            answer.errors)
    data = _json_object(answer.raw)
    if data is not None and not run.options.strict:
        try:
            return run.validate(data)
        except ExtractionFailed:  # the rest does not validate either: report the model's last errors below
            pass
    errors = answer.errors
    shown = "; ".join(errors[:5]) + (f" (+{len(errors) - 5} more)" if len(errors) > 5 else "")
    raise run.failed(f"the model's output failed validation after {run.calls} attempt(s): {shown}", errors)


def _json_object(raw: str) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
