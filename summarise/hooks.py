"""Hooks: named events a caller can watch, in the spirit of Instructor's ``client.on(...)``.

| event | when | payload (keyword arguments) |
|---|---|---|
| ``request`` | a request is about to go to the model | ``messages``, ``response_model``, ``max_tokens`` |
| ``response`` | the model answered (valid or not) | ``attempt`` (raw text, errors, usage), ``latency_ms`` |
| ``validation_error`` | an answer failed its checks | ``errors``, ``attempt_number`` |
| ``reask`` | the errors go back to the model | ``errors``, ``attempt_number`` |
| ``item_dropped`` | an item still failing its checks is left out | ``item`` (a ``DroppedItem``) |
| ``cache_hit`` | a summary came from the store's cache | ``article_id``, ``key`` |

A handler that raises does not stop the summary: the error is logged and the run goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, get_args

from .errors import ConfigError

Event = Literal["request", "response", "validation_error", "reask", "item_dropped", "cache_hit"]
EVENTS: tuple[str, ...] = get_args(Event)
Handler = Callable[..., None]

log = logging.getLogger("summarise")


class Hooks:
    """Handlers by event name; ``emit`` calls each in the order they were added."""

    def __init__(self, handlers: Mapping[str, Handler | Iterable[Handler]] | None = None) -> None:
        self._handlers: dict[str, list[Handler]] = {name: [] for name in EVENTS}
        for event, given in (handlers or {}).items():
            for handler in ([given] if callable(given) else given):
                self.on(event, handler)

    def on(self, event: str, handler: Handler) -> None:
        """Call ``handler(**payload)`` on every ``event``."""
        if event not in self._handlers:
            raise ConfigError(f"unknown hook event {event!r}; known: {', '.join(EVENTS)}")
        self._handlers[event].append(handler)

    def off(self, event: str, handler: Handler) -> None:
        """Stop calling ``handler`` on ``event`` (nothing happens if it was not registered)."""
        if handler in self._handlers.get(event, []):
            self._handlers[event].remove(handler)

    def emit(self, event: Event, **payload: Any) -> None:
        for handler in self._handlers[event]:
            try:
                handler(**payload)
            except Exception as exc:  # an observer must not break the summary it observes
                log.warning("hook %r for %s failed: %s: %s", getattr(handler, "__name__", handler), event,
                            type(exc).__name__, exc)


def as_hooks(hooks: Hooks | Mapping[str, Handler | Iterable[Handler]] | None) -> Hooks:
    return hooks if isinstance(hooks, Hooks) else Hooks(hooks)
