"""The Python API: ``summarise`` and its async twin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .backends import get_backend
from .config import resolve_settings
from .extract import run
from .result import SummaryResult
from .sources import DEFAULT_MAX_CHARS, Article, article_from_text, read_article


def _as_article(source: str | Path | Article, max_chars: int) -> Article:
    if isinstance(source, Article):
        return article_from_text(source.text, max_chars=max_chars, source=source.source or "article",
                                 title=source.title, url=source.url, outlet=source.outlet,
                                 published=source.published)
    if isinstance(source, Path):
        return read_article(source, max_chars=max_chars)
    return article_from_text(source, max_chars=max_chars)


def summarise(
    article: str | Path | Article,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    max_retries: int | None = None,
    timeout: float | None = None,
    max_tokens: int | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SummaryResult:
    """Summarise one article (text, a ``Path`` or an ``Article``) into a grounded ``SummaryResult``.

    Items that still fail their checks after the last reask are dropped and listed in
    ``result.dropped``; with ``strict=True`` the whole article fails instead.

    Raises a subclass of ``SummariseError``: ``InputError``, ``ConfigError``,
    ``BackendUnavailable`` or ``ExtractionFailed``.
    """
    art = _as_article(article, max_chars)
    settings = resolve_settings(model=model, base_url=base_url, api_key=api_key, max_retries=max_retries,
                                timeout=timeout, max_tokens=max_tokens)
    backend = get_backend(settings, progress)
    return run(art, backend, max_retries=settings.max_retries, max_tokens=settings.max_tokens,
               strict=strict, progress=progress)


async def asummarise(article: str | Path | Article, **options: object) -> SummaryResult:
    """Async twin of :func:`summarise`; runs it in a worker thread (same code path)."""
    import asyncio

    return await asyncio.to_thread(summarise, article, **options)  # type: ignore[arg-type]
