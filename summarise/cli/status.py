"""Progress on stderr while a model works; stdout stays clean for the result."""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import Any

log = logging.getLogger("summarise")


class Status:
    """A Rich spinner in a terminal; plain log lines otherwise."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled and sys.stderr.isatty()
        self._status: Any = None
        self._started = time.monotonic()

    def __enter__(self) -> Status:
        if self._enabled:
            from rich.console import Console

            self._status = Console(stderr=True).status("starting")
            self._status.__enter__()
        return self

    def update(self, message: str) -> None:
        elapsed = time.monotonic() - self._started
        if self._status is not None:
            from rich.markup import escape

            # messages carry article text (titles, figures): "[/]" in it would be read as Rich markup and raise
            self._status.update(f"{escape(message)} [dim]({elapsed:.0f} s)[/dim]")
        log.info("%s (%.0f s)", message, elapsed)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._status is not None:
            self._status.__exit__(exc_type, exc, tb)
