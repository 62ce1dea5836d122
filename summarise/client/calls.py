"""The client's wrapper around a backend for one article: every model call passes the caller's gate
(a batch's stop and rate limit), is announced to the hooks, and is written to the call log."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from summarise.backends.attempt import Attempt, Model, Timing
from summarise.client.budget import Share
from summarise.hooks import Hooks
from summarise.storage.store import Store

Gate = Callable[[], None]
log = logging.getLogger("summarise")


class LoggedModel:
    """Looks like the backend to a strategy; logs model, tokens, latency and outcome of every call."""

    def __init__(self, inner: Model, *, store: Store | None, hooks: Hooks, gate: Gate | None, article_id: str,
                 prompt_version: str, strategy: str) -> None:
        self._inner = inner
        self._store = store
        self._hooks = hooks
        self._gate = gate
        self.name = inner.name
        self._row = {"article_id": article_id, "model": inner.name, "backend": type(inner).__name__,
                     "prompt_version": prompt_version, "strategy": strategy}
        self._count = 0
        self.spent = Share()  # this article's calls: tokens and milliseconds (``summarise logs budget``)

    def attempt(self, messages: list[dict[str, str]], response_model: type[BaseModel], context: dict[str, Any],
                max_tokens: int) -> Attempt:
        if self._gate is not None:
            self._gate()  # a batch's stop and rate limit; the wait is not part of the call's latency
        self._count += 1
        self._hooks.emit("request", messages=messages, response_model=response_model, max_tokens=max_tokens)
        started = time.monotonic()
        try:
            outcome = self._inner.attempt(messages, response_model, context, max_tokens)
        except Exception as exc:
            self._log(started, outcome="error", error_class=type(exc).__name__, error=str(exc)[:500])
            raise
        status = "ok" if outcome.value is not None else ("truncated" if outcome.truncated else "invalid")
        timing = outcome.timing or Timing()
        why = str(context.get("why") or "") or None
        latency_ms = self._log(started, prompt_tokens=outcome.usage.prompt_tokens,
                               completion_tokens=outcome.usage.completion_tokens, outcome=status,
                               error_class=None if status == "ok" else "ValidationError",
                               error="; ".join(outcome.errors)[:500] or None, why=why,
                               prefill_tokens=timing.prefill_tokens, prefill_ms=_ms(timing.prefill_ms),
                               decode_ms=_ms(timing.decode_ms))
        log.info("call %d (%s): %d ms; %s, %d output tokens%s; %s", self._count, why or "?", latency_ms,
                 _prefill(outcome.usage.prompt_tokens, timing), outcome.usage.completion_tokens,
                 f" in {_ms(timing.decode_ms)} ms" if timing.decode_ms is not None else "", status)
        self._hooks.emit("response", attempt=outcome, latency_ms=latency_ms)
        return outcome

    def _log(self, started: float, **row: Any) -> int:
        latency_ms = int((time.monotonic() - started) * 1000)
        self.spent.add({**row, "latency_ms": latency_ms})
        if self._store is not None:
            self._store.log_call(**self._row, latency_ms=latency_ms, attempt=self._count, **row)
        return latency_ms


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value)


def _prefill(prompt_tokens: int, timing: Timing) -> str:
    """"812 prompt tokens (45 processed in 410 ms)": the rest came from the server's prompt cache."""
    if timing.prefill_tokens is None:
        return f"{prompt_tokens} prompt tokens"
    took = f" in {_ms(timing.prefill_ms)} ms" if timing.prefill_ms is not None else ""
    return f"{prompt_tokens} prompt tokens ({timing.prefill_tokens} processed{took})"
