"""Backends, chosen by one model string. The only package that imports openai/instructor/llama_cpp.

- ``local``: the embedded model in-process (or SUMMARISE_LOCAL_MODEL).
- ``openai/<model>``: OpenAI, or any OpenAI-compatible server when a base URL is set.
- ``llamacpp/<alias>``: a llama-cpp-python server (``summarise serve``) at the base URL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import ConfigError

if TYPE_CHECKING:
    from .base import Attempt, Backend

__all__ = ["Attempt", "Backend", "before_request", "get_backend", "make_backend"]

# A batch's gate (its stop, its rate limit), set on its worker threads; the call log passes it before
# each model request.
before_request: ContextVar[Callable[[], None] | None] = ContextVar("summarise_before_request", default=None)

Progress = Callable[[str], None]


def _local(settings: Settings, name: str, progress: Progress | None) -> Backend:
    from .local import LocalBackend

    return LocalBackend(settings.local_model, progress)


def _openai(settings: Settings, name: str, progress: Progress | None) -> Backend:
    from .openai_compat import HTTPBackend

    if not settings.base_url and not settings.api_key:
        raise ConfigError("OpenAI needs an API key: set OPENAI_API_KEY, or pass --base-url for a local server")
    return HTTPBackend(settings.model, name, base_url=settings.base_url, api_key=settings.api_key,
                       timeout=settings.timeout)


def _llamacpp(settings: Settings, name: str, progress: Progress | None) -> Backend:
    from .openai_compat import HTTPBackend

    if not settings.base_url:
        raise ConfigError("llamacpp/<alias> needs --base-url (or OPENAI_BASE_URL), e.g. http://127.0.0.1:8765/v1")
    return HTTPBackend(settings.model, name or "local", base_url=settings.base_url, api_key=settings.api_key,
                       timeout=settings.timeout, llamacpp=True)


_FACTORIES: dict[str, Callable[[Settings, str, Progress | None], Backend]] = {
    "local": _local,
    "openai": _openai,
    "llamacpp": _llamacpp,
}


def make_backend(settings: Settings, progress: Progress | None = None) -> Backend:
    provider, _, name = settings.model.partition("/")
    factory = _FACTORIES.get(provider)
    if factory is None:
        raise ConfigError(
            f"unknown model {settings.model!r}; use 'local', 'openai/<model>' or 'llamacpp/<alias>'"
        )
    return factory(settings, name, progress)


_cache: dict[tuple[object, ...], Backend] = {}
_lock = threading.Lock()


def get_backend(settings: Settings, progress: Progress | None = None) -> Backend:
    """A backend for ``settings``, reused across calls (the local model loads once per process)."""
    key = settings.cache_key()
    with _lock:
        backend = _cache.get(key)
        if backend is None:
            backend = make_backend(settings, progress)
            _cache[key] = backend
        return backend
