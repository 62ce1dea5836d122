"""The Ray Data engine: the same client, checks and records as ``summarise batch``, spread over a Ray cluster.

``summarise_dataset(ds, ...)`` maps a ``ray.data.Dataset`` of articles (columns ``id``, ``text`` and
optionally ``url``, ``title``, ``published``, ``outlet``) to one row per article: ``id``, ``ok`` and
``record``, the JSON text of the very record the thread-pool engine writes (``Result.to_record()``).
Each actor holds one ``Summariser`` (one backend: a server from ``base_url``, or the embedded model
loaded in the actor) and runs up to ``per_actor`` articles at once. A list of base URLs is spread
over the actors (actor i asks URL i mod n). ``rate_limit`` is requests per minute per endpoint,
held across the cluster by one named actor per endpoint that every model call takes a slot from.
Ray is imported inside the functions: ``pip install 'summarise[ray]'``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from summarise.client.batch import Result, item_id, to_article
from summarise.client.summariser import Summariser
from summarise.errors import ConfigError, SummariseError
from summarise.storage.store import open_store

if TYPE_CHECKING:
    import pyarrow
    import ray.data


NAMESPACE = "summarise"
COLUMNS = ("id", "ok", "record")


def import_ray() -> Any:
    """The ``ray`` module, or a ``ConfigError`` saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ConfigError("the Ray engine needs Ray: pip install 'summarise[ray]'") from None
    return ray


class TokenBucket:
    """Requests per minute: a burst of ``per_minute``, then one every ``60 / per_minute`` seconds.

    The same rule as the thread-pool engine's limiter (aiolimiter's leaky bucket), by reservation:
    ``reserve()`` books the next slot and says how many seconds the caller waits for it, so the
    actor that holds the bucket never blocks and its clock alone decides.
    """

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, per_minute)
        self.clock = clock
        self.level = 0.0
        self.last = clock()

    def set_rate(self, per_minute: float) -> None:
        self.rate, self.capacity = per_minute / 60.0, max(1.0, per_minute)

    def reserve(self) -> float:
        now = self.clock()
        self.level = max(0.0, self.level - (now - self.last) * self.rate)
        self.last = now
        self.level += 1.0
        return max(0.0, (self.level - self.capacity) / self.rate)


class Counter:
    """Hands out 0, 1, 2, ...: each actor's index, which picks its base URL."""

    def __init__(self) -> None:
        self.value = -1

    def next(self) -> int:
        self.value += 1
        return self.value


def endpoint_of(model: str | None, base_url: str | None) -> str:
    """What a rate limit is counted against: the server, else the provider's model name."""
    return base_url.rstrip("/") if base_url else (model or "local")


def rate_limiter(endpoint: str, per_minute: float) -> Any:
    """The cluster's one limiter actor for ``endpoint`` (made on first use; later jobs get it and set its rate)."""
    ray = import_ray()
    actor = ray.remote(TokenBucket).options(name=f"rate-limit:{endpoint}", namespace=NAMESPACE, get_if_exists=True,
                                            num_cpus=0, max_concurrency=1).remote(per_minute)
    ray.get(actor.set_rate.remote(per_minute))
    return actor


def failure(ident: str, exc: Exception) -> Result:
    """The error record for one article, worded as the thread-pool engine words it."""
    if isinstance(exc, SummariseError):
        return Result(ident, False, error_class=type(exc).__name__, error=str(exc))
    return Result(ident, False, error_class=type(exc).__name__, error=f"internal error: {exc}")


def summarise_row(client: Summariser, row: dict[str, Any], gate: Callable[[], None] | None = None) -> Result:
    """One article row to its ``Result``; any error becomes an error result, never an exception.

    A row is a batch record (``id``, ``text``, ``url``, ...), read as ``summarise batch`` reads a
    JSONL record; optional ``warnings`` (a list, or its JSON text: what reading a file said) stay on the article.
    """
    ident = item_id(row)
    try:
        article = to_article(row, client.max_chars)
        warnings = row.get("warnings")
        if warnings:
            warnings = json.loads(warnings) if isinstance(warnings, str) else warnings
            article = replace(article, warnings=tuple(str(w) for w in warnings))
        return Result(ident, True, client.run(article, gate=gate))
    except Exception as exc:  # one bad article must not stop the job: the record says what happened
        return failure(ident, exc)


def result_row(result: Result) -> dict[str, Any]:
    """The output row: ``id``, ``ok`` and ``record``, the JSON text of the thread-pool engine's line."""
    return {"id": result.id, "ok": result.ok, "record": json.dumps(result.to_record(), ensure_ascii=False)}


class Worker:
    """One Ray actor: one client (one backend), up to ``per_actor`` articles in flight on its threads."""

    def __init__(self, *, options: dict[str, Any], base_urls: Sequence[str | None], counter: Any,
                 limiters: dict[str, Any], per_actor: int) -> None:
        import ray

        index = ray.get(counter.next.remote()) if len(base_urls) > 1 else 0
        base_url = base_urls[index % len(base_urls)]
        self.client = Summariser(**{**options, "base_url": base_url, "store": options.get("store") or open_store()})
        limiter = limiters.get(endpoint_of(options.get("model"), base_url))
        self.gate = None if limiter is None else _gate(limiter)
        self.pool = ThreadPoolExecutor(max_workers=max(1, per_actor), thread_name_prefix="summarise-actor")

    def __call__(self, batch: pyarrow.Table) -> pyarrow.Table:
        import pyarrow as pa

        rows = batch.to_pylist()
        results = list(self.pool.map(lambda row: result_row(summarise_row(self.client, row, self.gate)), rows))
        return pa.table({"id": pa.array([r["id"] for r in results], pa.string()),
                         "ok": pa.array([r["ok"] for r in results], pa.bool_()),
                         "record": pa.array([r["record"] for r in results], pa.string())})


def _gate(limiter: Any) -> Callable[[], None]:
    """What each model call does first (reasks included): take a slot from the endpoint's limiter."""
    import ray

    lock = threading.Lock()  # one reservation at a time from this actor: the bucket sees them in order

    def admit() -> None:
        with lock:
            wait = float(ray.get(limiter.reserve.remote()))
        if wait > 0:
            time.sleep(wait)

    return admit


def summarise_dataset(ds: ray.data.Dataset, *, model: str | None = None, base_url: str | Sequence[str] | None = None,
                      api_key: str | None = None, concurrency: int = 2, per_actor: int = 1,
                      rate_limit: float | None = None, strategy: str | None = None, num_cpus: float | None = None,
                      batch_size: int | None = None, **options: Any) -> ray.data.Dataset:
    """Summarise every row of ``ds``; returns a dataset of ``id``, ``ok``, ``record`` (lazy, like any Ray dataset).

    ``concurrency`` actors, each with one client and up to ``per_actor`` articles in flight;
    ``base_url`` one server or a list spread over the actors; ``rate_limit`` model requests per
    minute per endpoint across the cluster; ``num_cpus`` per actor (default 1 for the embedded
    model, 0.25 for a server's client); ``batch_size`` rows per call of an actor (default
    ``per_actor``: its threads take one each); other keywords go to ``Summariser`` (``max_retries``,
    ``timeout``, ``max_tokens``, ``max_chars``, ``strict``, ``cache``). Needs ``ray.init()`` or a
    cluster to join, as any Ray Data job does.
    """
    ray = import_ray()
    urls: list[str | None] = [base_url] if base_url is None or isinstance(base_url, str) else list(base_url)
    if not urls:
        raise ConfigError("base_url: give at least one server URL, or None")
    if concurrency < 1 or per_actor < 1:
        raise ConfigError("concurrency and per_actor must be at least 1")
    if not ray.is_initialized():
        ray.init()
    local = (model or "local") == "local" and urls == [None]
    limiters = {}
    if rate_limit:
        limiters = {endpoint_of(model, url): rate_limiter(endpoint_of(model, url), rate_limit) for url in urls}
    counter = ray.remote(Counter).options(num_cpus=0).remote() if len(urls) > 1 else None
    client_options = {"model": model, "api_key": api_key, "strategy": strategy, **options}
    return ds.map_batches(
        Worker, batch_format="pyarrow", batch_size=batch_size or per_actor,
        compute=ray.data.ActorPoolStrategy(size=concurrency),
        num_cpus=num_cpus if num_cpus is not None else (1.0 if local else 0.25),
        fn_constructor_kwargs={"options": client_options, "base_urls": urls, "counter": counter,
                               "limiters": limiters, "per_actor": per_actor},
    )
