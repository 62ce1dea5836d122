"""The Python API: ``summarise`` and its async twin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import prompts
from .backends import get_backend
from .calllog import RecordingBackend
from .config import resolve_settings
from .grounding import ArticleIndex
from .result import SummaryResult
from .schema import SCHEMA_VERSION
from .sources import DEFAULT_MAX_CHARS, Article, article_from_text, read_article
from .store import CacheKey, open_store
from .strategies import VERSIONS, resolve


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
    strategy: str | None = None,
    cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> SummaryResult:
    """Summarise one article (text, a ``Path`` or an ``Article``) into a grounded ``SummaryResult``.

    Items that still fail their checks after the last reask are dropped and listed in
    ``result.dropped``; with ``strict=True`` the whole article fails instead. Results are cached
    in the store by (article text, model, prompt version, schema version, strategy); ``cache=False``
    always asks the model. Every model call is logged in the store.

    Raises a subclass of ``SummariseError``: ``InputError``, ``ConfigError``,
    ``BackendUnavailable`` or ``ExtractionFailed``.
    """
    art = _as_article(article, max_chars)
    settings = resolve_settings(model=model, base_url=base_url, api_key=api_key, max_retries=max_retries,
                                timeout=timeout, max_tokens=max_tokens, strategy=strategy)
    backend = get_backend(settings, progress)
    name, run = resolve(settings.strategy, backend)
    store = open_store()
    key = CacheKey(art.id, backend.name, prompts.prompt_version(), SCHEMA_VERSION,
                   f"{name}@{VERSIONS[name]}" + ("-strict" if strict else ""))
    if cache and (record := store.get(key)) is not None:
        return SummaryResult.from_record(record, ArticleIndex(art.text))
    recording = RecordingBackend(backend, store, article_id=art.id, prompt_version=key.prompt_version,
                                 strategy=name)
    result = run(art, recording, max_retries=settings.max_retries, max_tokens=settings.max_tokens,
                 strict=strict, progress=progress)
    store.put(key, result.to_dict())
    return result


async def asummarise(article: str | Path | Article, **options: object) -> SummaryResult:
    """Async twin of :func:`summarise`; runs it in a worker thread (same code path)."""
    import asyncio

    return await asyncio.to_thread(summarise, article, **options)  # type: ignore[arg-type]
