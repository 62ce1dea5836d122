"""Batch summarisation: bounded concurrency, a requests-per-minute limit, one result per input.

``asummarise_batch`` is the core (asyncio, aiolimiter); ``summarise_batch`` drives it from a
background thread and yields results as they finish. Inputs stream through: at most
``concurrency`` are in flight and nothing keeps a list of all results. One bad article yields an
error result and never stops the job. The embedded model runs one request at a time in-process,
whatever the concurrency.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import queue
import threading
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .api import summarise
from .backends import before_request
from .errors import SummariseError
from .result import SummaryResult
from .sources import Article, article_from_text, read_article

Item = str | Path | dict[str, Any] | Article


@dataclass
class Result:
    """One input's outcome: ``ok`` with ``summary``, or an error class and message."""

    id: str
    ok: bool
    result: SummaryResult | None = None
    error_class: str | None = None
    error: str | None = None

    def to_record(self) -> dict[str, Any]:
        """One complete JSONL record."""
        if self.ok and self.result is not None:
            data = self.result.to_dict()
            meta = {k: data.pop(k) for k in ("usage", "model", "prompt_version", "schema_version", "attempts",
                                               "seconds", "article_id")}
            return {"id": self.id, "ok": True, "summary": data, **meta, "cached": self.result.cached}
        return {"id": self.id, "ok": False, "error": {"class": self.error_class, "message": self.error}}


def item_id(item: Item) -> str:
    """A stable id: the dict's ``id``, the path, or the article's text hash."""
    if isinstance(item, dict):
        if item.get("id") is not None:
            return str(item["id"])
        return article_from_text(str(item.get("text") or " x")).id if item.get("text") else "missing-text"
    if isinstance(item, Path):
        return str(item)
    if isinstance(item, Article):
        return item.id
    try:
        return article_from_text(item).id
    except SummariseError:
        return "empty-text"


def to_article(item: Item, max_chars: int) -> Article | Path:
    if isinstance(item, dict):
        text = item.get("text")
        if not isinstance(text, str):
            raise SummariseError(f"record {item.get('id')!r} has no 'text' string")
        meta = {k: (str(item[k]) if item.get(k) is not None else None) for k in ("url", "title", "published",
                                                                                  "outlet")}
        return article_from_text(text, max_chars=max_chars, source=f"record {item.get('id')}", url=meta["url"],
                                 title=meta["title"], published=meta["published"], outlet=meta["outlet"])
    if isinstance(item, Path | Article):
        return item
    return article_from_text(item, max_chars=max_chars)


class BatchStopped(SummariseError):
    """The batch stopped (Ctrl-C, or the consumer closed it) before this article's next model call."""


def _one(item: Item, options: dict[str, Any], max_chars: int, admit: Callable[[], None]) -> Result:
    ident = item_id(item)
    gate = before_request.set(admit)  # this worker thread's model calls pass the batch's gate first
    try:
        article = to_article(item, max_chars)
        if isinstance(article, Path):
            article = read_article(article, max_chars=max_chars)
        return Result(ident, True, summarise(article, max_chars=max_chars, **options))
    except SummariseError as exc:
        return Result(ident, False, error_class=type(exc).__name__, error=str(exc))
    except Exception as exc:  # a bug in one item must not stop the job; the record says what happened
        return Result(ident, False, error_class=type(exc).__name__, error=f"internal error: {exc}")
    finally:
        before_request.reset(gate)


def _gate(rate_limit: float | None, loop: asyncio.AbstractEventLoop, stopping: threading.Event) -> Callable[[], None]:
    """What a worker thread does before each model call (reasks included; a cached article makes none).

    Once the batch stops, the call raises ``BatchStopped``: an article in the middle of several
    calls ends after the current one instead of running on. With ``rate_limit`` (requests per
    minute), the call first takes a slot from one aiolimiter bucket on the batch's event loop.
    """
    limiter = None
    if rate_limit:
        from aiolimiter import AsyncLimiter

        limiter = AsyncLimiter(rate_limit, 60)

    def admit() -> None:
        if stopping.is_set():
            raise BatchStopped("the batch stopped before this article's next model call")
        if limiter is None:
            return
        slot = asyncio.run_coroutine_threadsafe(limiter.acquire(), loop)
        while True:
            try:
                slot.result(timeout=0.2)
                return
            except concurrent.futures.TimeoutError:
                if stopping.is_set():
                    slot.cancel()
                    raise BatchStopped("the batch stopped before this article's next model call") from None

    return admit


async def asummarise_batch(
    items: Iterable[Item],
    *,
    concurrency: int = 4,
    rate_limit: float | None = None,
    max_chars: int = 100_000,
    progress: Callable[[Result], None] | None = None,
    **options: Any,
) -> AsyncGenerator[Result, None]:
    """Yield one ``Result`` per input as each finishes; ``rate_limit`` is model requests per minute.

    ``options`` go to :func:`summarise.summarise` (model, base_url, strategy, cache, ...).
    """
    loop = asyncio.get_running_loop()
    stopping = threading.Event()
    admit = _gate(rate_limit, loop, stopping)
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="summarise")
    pending: set[asyncio.Future[Result]] = set()

    async def start(item: Item) -> Result:
        return await loop.run_in_executor(pool, _one, item, options, max_chars, admit)

    try:
        iterator = iter(items)
        exhausted = False
        while True:
            while not exhausted and len(pending) < max(1, concurrency):
                try:
                    item = next(iterator)
                except StopIteration:
                    exhausted = True
                    break
                pending.add(asyncio.ensure_future(start(item)))
            if not pending:
                return
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                result = future.result()
                if progress:
                    progress(result)
                yield result
    finally:
        stopping.set()  # before the shutdown: a worker waiting for the limiter needs this loop, now busy here
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def summarise_batch(items: Iterable[Item], **options: Any) -> Iterator[Result]:
    """Synchronous twin of :func:`asummarise_batch` (same arguments), yielding results as they finish."""
    out: queue.Queue[Result | BaseException | None] = queue.Queue(maxsize=64)
    stop = threading.Event()

    async def drive() -> None:
        agen = asummarise_batch(items, **options)
        try:
            while not stop.is_set():
                step = asyncio.ensure_future(anext(agen))
                while not step.done() and not stop.is_set():  # the consumer's stop is seen within 0.1 s
                    await asyncio.wait({step}, timeout=0.1)
                if not step.done():
                    step.cancel()  # runs the batch's cleanup: in-flight articles end after their current call
                    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                        await step
                    break
                try:
                    result = step.result()
                except StopAsyncIteration:
                    break
                while not stop.is_set():
                    try:
                        out.put(result, timeout=0.1)
                        break
                    except queue.Full:
                        await asyncio.sleep(0)
        finally:
            await agen.aclose()

    def runner() -> None:
        try:
            asyncio.run(drive())
        except BaseException as exc:  # handed to the consumer, re-raised there
            out.put(exc)
        finally:
            out.put(None)

    thread = threading.Thread(target=runner, name="summarise-batch", daemon=True)
    thread.start()
    try:
        while (got := out.get()) is not None:
            if isinstance(got, BaseException):
                raise got
            yield got
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                out.get(timeout=0.1)
        thread.join()
