"""``summarise serve``: the embedded model behind llama-cpp-python's OpenAI-compatible server."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable

from summarise.backends.local import N_CTX, model_path
from summarise.backends.model_file import INSTALL_HINT
from summarise.errors import ConfigError


def server_command(path: str, *, host: str, port: int, n_ctx: int = N_CTX) -> list[str]:
    """The llama_cpp.server command line; ``logits_all`` off halves its memory (3.7 → 2.2 GB)."""
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", path, "--model_alias", "local",
        "--host", host, "--port", str(port),
        "--n_ctx", str(n_ctx), "--logits_all", "False",
    ]


def serve(*, host: str, port: int, n_ctx: int = N_CTX, local_model: str | None = None,
          progress: Callable[[str], None] | None = None) -> int:
    """Become the server (exec): signals reach it directly and no orphan can outlive this process."""
    if importlib.util.find_spec("llama_cpp.server") is None or importlib.util.find_spec("uvicorn") is None:
        raise ConfigError(f"'summarise serve' needs llama-cpp-python[server]; run: {INSTALL_HINT}")
    path = model_path(local_model, progress)
    if progress:
        progress(f"serving {path} on http://{host}:{port}/v1 as model 'local' (Ctrl-C stops)")
    command = server_command(path, host=host, port=port, n_ctx=n_ctx)
    os.execv(command[0], command)
    return 0  # not reached
