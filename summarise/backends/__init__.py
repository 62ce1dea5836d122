"""Backends, chosen by one model string. The only package that imports openai/instructor/llama_cpp.

- ``local``: the embedded model in-process (or SUMMARISE_LOCAL_MODEL).
- ``openai/<model>``: OpenAI, or any OpenAI-compatible server when a base URL is set.
- ``llamacpp/<alias>``: a llama-cpp-python server (``summarise serve``) at the base URL.

One adapter per provider, registered in ``_FACTORIES``; nothing else in the package branches on
the provider.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from summarise.errors import ConfigError
from summarise.settings import Settings

if TYPE_CHECKING:
    from summarise.backends.base import Backend

__all__ = ["Factory", "get_backend", "make_backend", "register_provider"]

Progress = Callable[[str], None]
Factory = Callable[[Settings, str, Progress | None], "Backend"]


def _local(settings: Settings, name: str, progress: Progress | None) -> Backend:
    from summarise.backends.local import LocalBackend

    return LocalBackend(settings.local_model, progress)


def _openai(settings: Settings, name: str, progress: Progress | None) -> Backend:
    from summarise.backends.openai_compat import HTTPBackend

    if not settings.base_url and not settings.api_key:
        raise ConfigError("OpenAI needs an API key: set OPENAI_API_KEY, or pass --base-url for a local server")
    return HTTPBackend(settings.model, name, base_url=settings.base_url, api_key=settings.api_key,
                       timeout=settings.timeout)


def _llamacpp(settings: Settings, name: str, progress: Progress | None) -> Backend:
    from summarise.backends.openai_compat import HTTPBackend

    if not settings.base_url:
        raise ConfigError("llamacpp/<alias> needs --base-url (or OPENAI_BASE_URL), e.g. http://127.0.0.1:8765/v1")
    return HTTPBackend(settings.model, name or "local", base_url=settings.base_url, api_key=settings.api_key,
                       timeout=settings.timeout, llamacpp=True)


_FACTORIES: dict[str, Factory] = {
    "local": _local,
    "openai": _openai,
    "llamacpp": _llamacpp,
}


def register_provider(prefix: str, factory: Factory) -> Callable[[], None]:
    """Make ``PREFIX/<name>`` model strings build their backend with ``factory(settings, name, progress)``
    (another provider, or a test double); returns the function that removes it again."""
    if prefix in ("local", "openai", "llamacpp"):
        raise ConfigError(f"provider {prefix!r} is built in and cannot be replaced")
    _FACTORIES[prefix] = factory

    def unregister() -> None:
        if _FACTORIES.get(prefix) is factory:
            del _FACTORIES[prefix]
        with _lock:
            for key in [k for k in _cache if str(k[0]).startswith(f"{prefix}/")]:
                del _cache[key]

    return unregister


def make_backend(settings: Settings, progress: Progress | None = None) -> Backend:
    provider, _, name = settings.model.partition("/")
    factory = _FACTORIES.get(provider)
    if factory is None:
        others = "".join(f", '{p}/<name>'" for p in _FACTORIES if p not in ("local", "openai", "llamacpp"))
        raise ConfigError(
            f"unknown model {settings.model!r}; use 'local', 'openai/<model>' or 'llamacpp/<alias>'{others}"
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
