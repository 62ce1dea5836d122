"""A backend wrapper that writes one log row per model call to the store. In a batch it first passes
the batch's gate (stop, rate limit): every model call of ``summarise`` goes through here."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .backends import before_request

if TYPE_CHECKING:
    from .backends import Attempt, Backend
    from .store import Store


class RecordingBackend:
    """Looks like the wrapped backend; logs model, tokens, latency and outcome of every call."""

    def __init__(self, inner: Backend, store: Store, *, article_id: str, prompt_version: str, strategy: str) -> None:
        self._inner = inner
        self._store = store
        self._row = {"article_id": article_id, "model": inner.name, "backend": type(inner).__name__,
                     "prompt_version": prompt_version, "strategy": strategy}
        self._count = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def attempt(self, messages: list[dict[str, str]], response_model: type[BaseModel], context: dict[str, Any],
                max_tokens: int) -> Attempt:
        wait = before_request.get()
        if wait is not None:
            wait()  # a batch's gate; its wait is not part of the call's latency
        self._count += 1
        started = time.monotonic()
        try:
            outcome = self._inner.attempt(messages, response_model, context, max_tokens)
        except Exception as exc:
            self._store.log_call(**self._row, latency_ms=int((time.monotonic() - started) * 1000),
                                 attempt=self._count, outcome="error", error_class=type(exc).__name__,
                                 error=str(exc)[:500])
            raise
        status = "ok" if outcome.value is not None else ("truncated" if outcome.truncated else "invalid")
        self._store.log_call(**self._row, latency_ms=int((time.monotonic() - started) * 1000), attempt=self._count,
                             prompt_tokens=outcome.usage.prompt_tokens,
                             completion_tokens=outcome.usage.completion_tokens, outcome=status,
                             error_class=None if status == "ok" else "ValidationError",
                             error="; ".join(outcome.errors)[:500] or None)
        return outcome
