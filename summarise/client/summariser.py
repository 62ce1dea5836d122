"""The client: ``Summariser`` with injectable parts (backend, store, hooks), and the module-level
``summarise`` / ``asummarise`` conveniences over a client made for the call."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from summarise.client.calls import Gate, LoggedModel
from summarise.contract.grounding import ArticleIndex
from summarise.contract.models import SCHEMA_VERSION
from summarise.contract.record import ArticleSource, SummaryResult
from summarise.hooks import Handler, Hooks, as_hooks
from summarise.inputs import DEFAULT_MAX_CHARS
from summarise.inputs.article import Article, as_article
from summarise.settings import Settings, resolve_settings
from summarise.storage.store import CacheKey, Store, open_store
from summarise.strategies import VERSIONS, resolve, templates
from summarise.strategies.loop import Options, Run

if TYPE_CHECKING:
    from summarise.backends.base import Backend
    from summarise.client.batch import Item, Result

Progress = Callable[[str], None]
log = logging.getLogger("summarise")


class Summariser:
    """Summarises articles into grounded ``SummaryResult`` records.

    Settings not given here are read, at first use, from the environment, then the config file,
    then the defaults (see the README). ``backend`` replaces the one the model string names (a test
    backend, or one you built); ``store`` replaces the default SQLite store (cache and call log);
    ``hooks`` watch each request, response, validation error, reask, dropped item and cache hit
    (a ``Hooks`` or a mapping of event name to handler).

    Items that still fail their checks after the last reask are dropped and listed in
    ``result.dropped``; with ``strict=True`` the whole article fails instead. Results are cached
    by (article text, model, prompt version, schema version, strategy); ``cache=False`` always
    asks the model. ``log_calls=False`` writes no row to the call log.
    """

    def __init__(self, model: str | None = None, *, base_url: str | None = None, api_key: str | None = None,
                 strategy: str | None = None, max_retries: int | None = None, timeout: float | None = None,
                 max_tokens: int | None = None, max_chars: int = DEFAULT_MAX_CHARS, strict: bool = False,
                 cache: bool = True, backend: Backend | None = None, store: Store | None = None,
                 hooks: Hooks | Mapping[str, Handler | Iterable[Handler]] | None = None,
                 log_calls: bool = True) -> None:
        self._flags = {"model": model, "base_url": base_url, "api_key": api_key, "strategy": strategy,
                       "max_retries": max_retries, "timeout": timeout, "max_tokens": max_tokens}
        self.max_chars = max_chars
        self.strict = strict
        self.cache = cache
        self.log_calls = log_calls
        self.hooks = as_hooks(hooks)
        self._backend = backend
        self._store = store

    @cached_property
    def settings(self) -> Settings:
        return resolve_settings(**self._flags)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store()
        return self._store

    def backend(self, progress: Progress | None = None) -> Backend:
        """The backend this client asks (made on first use; the embedded model loads once per process)."""
        if self._backend is None:
            from summarise.backends import get_backend

            self._backend = get_backend(self.settings, progress)
        return self._backend

    def summarise(self, article: str | Path | Article, *, progress: Progress | None = None) -> SummaryResult:
        """Summarise one article (text, a ``Path`` or an ``Article``).

        Raises a subclass of ``SummariseError``: ``InputError``, ``ConfigError``,
        ``BackendUnavailable`` or ``ExtractionFailed``.
        """
        return self.run(as_article(article, max_chars=self.max_chars), progress=progress)

    async def asummarise(self, article: str | Path | Article, *,
                         progress: Progress | None = None) -> SummaryResult:
        """Async twin of :meth:`summarise`; runs it in a worker thread (same code path)."""
        return await asyncio.to_thread(self.summarise, article, progress=progress)

    def batch(self, items: Iterable[Item], *, concurrency: int = 4, rate_limit: float | None = None,
              progress: Callable[[Result], None] | None = None) -> Iterator[Result]:
        """One ``Result`` per input as each finishes; ``rate_limit`` is model requests per minute."""
        from summarise.client.batch import summarise_batch

        return summarise_batch(self, items, concurrency=concurrency, rate_limit=rate_limit, progress=progress)

    def abatch(self, items: Iterable[Item], *, concurrency: int = 4, rate_limit: float | None = None,
               progress: Callable[[Result], None] | None = None) -> AsyncIterator[Result]:
        """Async twin of :meth:`batch`."""
        from summarise.client.batch import asummarise_batch

        return asummarise_batch(self, items, concurrency=concurrency, rate_limit=rate_limit, progress=progress)

    def run(self, article: Article, *, progress: Progress | None = None, gate: Gate | None = None) -> SummaryResult:
        """Summarise an article already read; ``gate`` runs before each model call (a batch's)."""
        settings = self.settings
        backend = self.backend(progress)
        name, strategy = resolve(settings.strategy, backend.default_strategy)
        key = CacheKey(article.id, cache_name(backend), templates.prompt_version(), SCHEMA_VERSION,
                       f"{name}@{VERSIONS[name]}" + ("-strict" if self.strict else ""))
        if self.cache and (record := self.store.get(key)) is not None:
            try:
                result = SummaryResult.from_record({**record, "source": source_of(article)},
                                                   ArticleIndex(article.text))
            except ValidationError as exc:  # a record the checks no longer accept is asked again, never served
                log.info("cached summary %s fails today's checks (%s); asking the model again", key.text(),
                         exc.errors()[0]["msg"])
            else:
                self.hooks.emit("cache_hit", article_id=article.id, key=key.text())
                return result
        model = LoggedModel(backend, store=self.store if self.log_calls else None, hooks=self.hooks, gate=gate,
                            article_id=article.id, prompt_version=key.prompt_version, strategy=name)
        options = Options(max_retries=settings.max_retries, max_tokens=settings.max_tokens, strict=self.strict)
        started = time.monotonic()
        run = Run(article, model, options, self.hooks, progress)
        summary = strategy(run)
        spent = model.spent
        log.info("time budget: %d calls in %.1f s: prefill %.1f s (%d of %d prompt tokens processed), decode %.1f s "
                 "(%d tokens), other %.1f s", spent.calls, spent.wall_ms / 1000, spent.prefill_ms / 1000,
                 spent.processed_tokens, spent.prompt_tokens, spent.decode_ms / 1000, spent.output_tokens,
                 spent.other_ms / 1000)
        result = SummaryResult.build(summary, run.index, article_id=article.id, source=source_of(article),
                                     model=backend.name, prompt_version=key.prompt_version, usage=run.usage,
                                     attempts=run.calls,
                                     seconds=time.monotonic() - started, warnings=run.warnings, dropped=run.dropped)
        # the source is not cached: the same text from another page gets that page's URL and outlet
        self.store.put(key, result.model_dump(mode="json", exclude={"cached", "source"}))
        return result


def source_of(article: Article) -> ArticleSource | None:
    """The article's URL, title, outlet and date for its record; None when it has none of them."""
    fields = {"url": article.url, "title": article.title, "outlet": article.outlet, "published": article.published}
    return ArticleSource(**fields) if any(fields.values()) else None


def cache_name(backend: Backend) -> str:
    """The model part of a cache key: the model's name, and which server and key answer (if not local)."""
    return f"{backend.name}@{backend.endpoint}" if backend.endpoint else backend.name


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
    progress: Progress | None = None,
) -> SummaryResult:
    """Summarise one article with a client made for the call (see :class:`Summariser`)."""
    client = Summariser(model, base_url=base_url, api_key=api_key, max_retries=max_retries, timeout=timeout,
                        max_tokens=max_tokens, max_chars=max_chars, strict=strict, strategy=strategy, cache=cache)
    return client.summarise(article, progress=progress)


async def asummarise(article: str | Path | Article, **options: object) -> SummaryResult:
    """Async twin of :func:`summarise`; runs it in a worker thread (same code path)."""
    return await asyncio.to_thread(summarise, article, **options)  # type: ignore[arg-type]
