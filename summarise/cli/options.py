"""Options shared by the commands that summarise (run, batch, brief's overrides): defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from summarise.inputs import DEFAULT_MAX_CHARS
from summarise.strategies import CHOICES

F = TypeVar("F", bound=Callable[..., Any])


def model_options(func: F) -> F:
    """--model, --base-url, --strategy, --max-retries, --timeout, --max-tokens, --max-chars, --strict, --no-log."""
    for option in reversed([
        click.option("-m", "--model", help="'local' (embedded, default without a key), 'openai/<model>', "
                     "or 'llamacpp/<alias>' with --base-url. Env: SUMMARISE_MODEL."),
        click.option("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8765/v1. "
                     "Env: OPENAI_BASE_URL."),
        click.option("--strategy", type=click.Choice(CHOICES),
                     help="auto [default]: anchored for the local model and llama.cpp servers, single-pass otherwise."),
        click.option("--max-retries", type=click.IntRange(0, 10),
                     help="Validation reasks after the first try, per question [default: 2]."),
        click.option("--timeout", type=click.FloatRange(1), help="Seconds per model request [default: 300]."),
        click.option("--max-tokens", type=click.IntRange(64),
                     help="Output-token budget per model call, every strategy [default: the strategy's own, "
                     "from article length or question]."),
        click.option("--max-chars", type=click.IntRange(100), default=DEFAULT_MAX_CHARS, show_default=True,
                     help="Refuse longer articles."),
        click.option("--strict", is_flag=True, help="Fail the article when any item still fails its checks "
                     "after the last reask, instead of dropping and reporting those items."),
        click.option("--no-log", is_flag=True, help="Write no row to the call log ('summarise logs') for this run."),
    ]):
        func = option(func)
    return func


def client_options(model: str | None, base_url: str | None, strategy: str | None, max_retries: int | None,
                   timeout: float | None, max_tokens: int | None, max_chars: int, strict: bool,
                   no_log: bool = False) -> dict[str, Any]:
    """The keyword arguments of ``Summariser`` that the shared options give."""
    return {"model": model, "base_url": base_url, "strategy": strategy, "max_retries": max_retries,
            "timeout": timeout, "max_tokens": max_tokens, "max_chars": max_chars, "strict": strict,
            "log_calls": not no_log}
