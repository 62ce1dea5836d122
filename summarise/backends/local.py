"""The embedded model: llama.cpp in-process, no key and no network."""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

from summarise.backends.amx_probe import extra_buffers_safe
from summarise.backends.attempt import Attempt, Timing
from summarise.backends.base import Backend
from summarise.backends.llamacpp_format import json_object_schema
from summarise.backends.model_file import INSTALL_HINT, MODEL_NAME, embedded_model_path, user_model_path
from summarise.errors import BackendUnavailable, ConfigError

log = logging.getLogger("summarise")

N_CTX = 8192
# llama.cpp context options beyond the defaults, chosen by measurement (benchmarks/bench_llama_options.py)
LLAMA_OPTIONS: dict[str, Any] = {}
DEFAULT_STRATEGY = "anchored"  # measured best on the embedded model (benchmarks/README.md)


def model_path(local_model: str | None, progress: Callable[[str], None] | None = None) -> str:
    return str(user_model_path(local_model) if local_model else embedded_model_path(progress))


def load_llama(path: str, n_ctx: int = N_CTX) -> Any:
    if importlib.util.find_spec("llama_cpp") is None:
        raise ConfigError(f"the embedded model needs llama-cpp-python, which is not installed; run: {INSTALL_HINT}")
    import llama_cpp

    try:
        with _model_defaults(extra_buffers=extra_buffers_safe(path)):
            return llama_cpp.Llama(
                model_path=path,
                n_ctx=n_ctx,
                n_threads=threads(),
                verbose=False,
                **LLAMA_OPTIONS,
            )
    except (ValueError, RuntimeError) as exc:
        raise BackendUnavailable(f"cannot load model {path}: {exc}") from None


def threads() -> int:
    """llama.cpp's threads: every core, or ``SUMMARISE_THREADS`` (one thread on a machine busy with other
    work: llama.cpp's threads wait for one another, so a descheduled one stalls them all)."""
    given = os.environ.get("SUMMARISE_THREADS", "").strip()
    if given:
        if not given.isdigit() or int(given) < 1:
            raise ConfigError(f"SUMMARISE_THREADS={given!r}: give a whole number of threads, 1 or more")
        return int(given)
    return max(1, os.cpu_count() or 1)


_DEFAULTS_LOCK = threading.Lock()


@contextlib.contextmanager
def _model_defaults(*, extra_buffers: bool) -> Iterator[None]:
    """llama-cpp-python's ``Llama`` takes no ``use_extra_bufts``: while it builds its model parameters,
    its default-parameter function returns them with the extra buffer types off (``amx_probe``)."""
    if extra_buffers:
        yield
        return
    import llama_cpp.llama_cpp as bindings

    with _DEFAULTS_LOCK:
        original = bindings.llama_model_default_params

        def without_extra_buffers() -> Any:
            params = original()
            params.use_extra_bufts = False
            return params

        bindings.llama_model_default_params = without_extra_buffers
        try:
            yield
        finally:
            bindings.llama_model_default_params = original


class LocalBackend(Backend):
    def __init__(self, local_model: str | None, progress: Callable[[str], None] | None = None) -> None:
        path = model_path(local_model, progress)
        if progress:
            progress(f"loading the local model ({os.path.basename(path)})")
        self._llama = load_llama(path)
        self._lock = threading.Lock()
        name = "local" if not local_model else f"local:{os.path.basename(path)}"
        super().__init__(name, json_object_schema(self._llama.create_chat_completion_openai_v1),
                         request_model=MODEL_NAME, where="the local model",
                         default_strategy=DEFAULT_STRATEGY)

    def attempt(self, *args: Any, **kwargs: Any) -> Attempt:
        import llama_cpp.llama_cpp as bindings

        with self._lock:  # llama.cpp in-process serves one request at a time
            context = self._llama.ctx
            bindings.llama_perf_context_reset(context)
            outcome = super().attempt(*args, **kwargs)
            perf = bindings.llama_perf_context(context)
        # what llama.cpp processed: the prompt past the cached prefix, then the generated tokens
        outcome.timing = Timing(prefill_tokens=int(perf.n_p_eval), prefill_ms=float(perf.t_p_eval_ms),
                                decode_tokens=int(perf.n_eval), decode_ms=float(perf.t_eval_ms))
        return outcome

    def close(self) -> None:
        close = getattr(self._llama, "close", None)
        if close:
            close()
