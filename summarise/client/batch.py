"""Batch summarisation: bounded concurrency, a requests-per-minute limit, one result per input.

A client's ``batch``/``abatch`` call these. ``asummarise_batch`` is the core (asyncio, aiolimiter);
``summarise_batch`` drives it from a background thread and yields results as they finish. Inputs stream through: at most
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
from typing import TYPE_CHECKING, Any

from summarise.contract.record import SummaryResult
from summarise.errors import SummariseError
from summarise.inputs.article import Article, article_from_text, as_article, read_article

if TYPE_CHECKING:
    from summarise.client.calls import Gate
    from summarise.client.summariser import Summariser

Item = str | Path | dict[str, Any] | Article


@dataclass
class Result:
    """One input's outcome: ``ok`` with its ``result``, or an error class and message."""

    id: str
    ok: bool
    result: SummaryResult | None = None
    error_class: str | None = None
    error: str | None = None

    def to_record(self) -> dict[str, Any]:
        """One complete JSONL line: the input's id, ``ok``, and the summary record or the error."""
        if self.ok and self.result is not None:
            return {"id": self.id, "ok": True, "summary": self.result.model_dump(mode="json")}
        return {"id": self.id, "ok": False, "error": {"class": self.error_class, "message": self.error}}


def item_id(item: Item) -> str:
    """A stable id: the dict's ``id``, the path, or the article's text hash."""
    if isinstance(item, dict):
        if item.get("id") is not None:
            return str(item["id"])
        text = item.get("text")
        return Article(text=text).id if isinstance(text, str) and text.strip() else "missing-text"
    if isinstance(item, Path):
        return str(item)
    if isinstance(item, Article):
        return item.id
    return Article(text=item).id if item.strip() else "empty-text"


def to_article(item: Item, max_chars: int) -> Article:
    """The input as an article, read and checked once."""
    if isinstance(item, dict):
        text = item.get("text")
        if not isinstance(text, str):
            raise SummariseError(f"record {item.get('id')!r} has no 'text' string")
        meta = {k: (str(item[k]) if item.get(k) is not None else None) for k in ("url", "title", "published",
                                                                                  "outlet")}
        return article_from_text(text, max_chars=max_chars, source=f"record {item.get('id')}", url=meta["url"],
                                 title=meta["title"], published=meta["published"], outlet=meta["outlet"])
    if isinstance(item, Path):
        return read_article(item, max_chars=max_chars)
    return as_article(item, max_chars=max_chars)


class BatchStopped(SummariseError):
    """The batch stopped (Ctrl-C, or the consumer closed it) before this article's next model call."""


def _one(client: Summariser, item: Item, admit: Gate) -> Result:
    ident = item_id(item)
    try:
        return Result(ident, True, client.run(to_article(item, client.max_chars), gate=admit))
    except SummariseError as exc:
        return Result(ident, False, error_class=type(exc).__name__, error=str(exc))
    except Exception as exc:  # a bug in one item must not stop the job; the record says what happened
        return Result(ident, False, error_class=type(exc).__name__, error=f"internal error: {exc}")


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
    client: Summariser,
    items: Iterable[Item],
    *,
    concurrency: int = 4,
    rate_limit: float | None = None,
    progress: Callable[[Result], None] | None = None,
) -> AsyncGenerator[Result, None]:
    """Yield one ``Result`` per input as each finishes; ``rate_limit`` is model requests per minute."""
    loop = asyncio.get_running_loop()
    stopping = threading.Event()
    admit = _gate(rate_limit, loop, stopping)
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="summarise")
    pending: set[asyncio.Future[Result]] = set()

    async def start(item: Item) -> Result:
        return await loop.run_in_executor(pool, _one, client, item, admit)

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


def summarise_batch(client: Summariser, items: Iterable[Item], *, concurrency: int = 4,
                    rate_limit: float | None = None,
                    progress: Callable[[Result], None] | None = None) -> Iterator[Result]:
    """Synchronous twin of :func:`asummarise_batch` (same arguments), yielding results as they finish."""
    out: queue.Queue[Result | BaseException | None] = queue.Queue(maxsize=64)
    stop = threading.Event()

    async def drive() -> None:
        agen = asummarise_batch(client, items, concurrency=concurrency, rate_limit=rate_limit, progress=progress)
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
