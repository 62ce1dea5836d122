"""The single-pass strategy: the whole schema in one call, validators and bounded reasks.

The first answer that passes every check is the summary. When the last reask still has items that
fail, those items are dropped and reported (``Run.validate``), unless ``strict``.
"""

from __future__ import annotations

import json
from typing import Any

from summarise.contract.models import ArticleSummary
from summarise.errors import ExtractionFailed
from summarise.strategies import templates
from summarise.strategies.injection import screened
from summarise.strategies.loop import Run

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
