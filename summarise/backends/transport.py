"""Transport retries (tenacity), kept apart from validation reasks.

Retried: 429 (honouring Retry-After), 5xx, timeouts, connection errors; exponential backoff with
jitter, a bounded number of tries and an overall deadline. Everything else surfaces at once.

The deadline is a hard limit: a wait (Retry-After or backoff) that would end past it is not slept,
and the last error surfaces at once instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.stop import stop_base
from tenacity.wait import wait_random_exponential

log = logging.getLogger("summarise")

T = TypeVar("T")
MAX_RETRY_AFTER = 60.0


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, openai.RateLimitError)):
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code >= 500


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds a 429/503 response asks us to wait, if it says."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return float(value) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    try:
        return float(value) if value else None
    except ValueError:
        return None


class _Wait:
    def __init__(self, backoff: Callable[[RetryCallState], float]) -> None:
        self._backoff = backoff

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after(exc)
        if asked is not None:
            return min(max(asked, 0.0), MAX_RETRY_AFTER)
        return self._backoff(state)


class _Deadline(stop_base):
    """Stop when the next wait would end at or past ``seconds`` from the first try.

    tenacity's ``stop_after_delay`` only looks at the time already spent, so a long Retry-After
    was slept in full and the next try began after the deadline; this looks at the wait to come
    (tenacity computes it before asking whether to stop). The clock is a parameter so tests can
    advance it with their recorded sleeps.
    """

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self._seconds = seconds
        self._clock = clock
        self._start = clock()

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self._clock() - self._start + retry_state.upcoming_sleep >= self._seconds


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    log.warning("transport error (%s); retry %d in %.1fs", type(exc).__name__, state.attempt_number, wait)


def with_transport_retries(fn: Callable[..., T], *, tries: int = 5, deadline: float = 600.0,
                           backoff_max: float = 30.0,
                           sleep: Callable[[float], None] | None = None,
                           clock: Callable[[], float] = time.monotonic) -> Callable[..., T]:
    """Wrap ``fn`` so transient transport errors are retried with backoff, all within ``deadline`` seconds."""
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}

    def call(*args: Any, **kwargs: Any) -> T:
        retrying = Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(tries) | _Deadline(deadline, clock),
            wait=_Wait(wait_random_exponential(multiplier=0.5, max=backoff_max)),
            before_sleep=_log_retry,
            reraise=True,
            **extra,
        )
        return retrying(fn, *args, **kwargs)

    return call
