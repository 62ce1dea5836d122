"""Whether llama.cpp's extra CPU buffer types (AMX tiles, weight repacking) are safe on this machine.

llama.cpp built with ``-march=native`` on a CPU that advertises Intel AMX uses AMX tiles for the
quantised matrix products. Some virtual machines advertise AMX (in CPUID, and the kernel grants the
permission) yet fault on the first tile instruction: the process dies with a general protection
fault inside ``ggml_backend_amx_mul_mat`` (seen on a 2-core Firecracker VM). A signal cannot be
caught in-process, so where the CPU advertises AMX a child process loads the model with the extra
buffer types and evaluates a few tokens, once; the outcome is kept beside the model file. Where it
dies, the model is loaded without extra buffer types (plain CPU kernels, AVX-512 where present).
``SUMMARISE_LLAMA_EXTRA_BUFFERS=0`` or ``=1`` decides without a probe.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

log = logging.getLogger("summarise")

ENV = "SUMMARISE_LLAMA_EXTRA_BUFFERS"
PROBE_TIMEOUT = 300.0
_PROBE = """
import sys
import llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=256, n_threads=1, verbose=False)
llm.eval(llm.tokenize(b"The quick brown fox jumps over the lazy dog."))
"""


def advertises_amx(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """True when the CPU's flags list AMX tiles (then llama.cpp's native build uses them)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.startswith("flags") and " amx_tile" in line for line in text.splitlines())


def _marker(model_path: str) -> Path:
    import llama_cpp

    version = getattr(llama_cpp, "__version__", "unknown")
    return Path(model_path).with_name(f".{Path(model_path).name}.extra-buffers-{version}.json")


def extra_buffers_safe(model_path: str, *, cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether to load ``model_path`` with llama.cpp's extra buffer types (the default, and faster)."""
    forced = os.environ.get(ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    if not advertises_amx(cpuinfo):
        return True
    marker = _marker(model_path)
    try:
        return bool(json.loads(marker.read_text(encoding="utf-8"))["safe"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    log.info("this CPU advertises AMX: checking once, in a child process, that llama.cpp can use it")
    try:
        child = subprocess.run([sys.executable, "-c", _PROBE, model_path], capture_output=True,
                               timeout=PROBE_TIMEOUT, check=False)
        safe = child.returncode == 0
    except subprocess.TimeoutExpired:
        safe = False
    if not safe:
        log.warning("llama.cpp cannot use AMX on this machine (the check crashed); the model runs without "
                    "extra CPU buffer types")
    with contextlib.suppress(OSError):  # a read-only model folder: probe again next time
        marker.write_text(json.dumps({"safe": safe}), encoding="utf-8")
    return safe


def describe(model_path: str, *, cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """What ``extra_buffers_safe`` would decide, without probing (``summarise doctor`` loads no model)."""
    forced = os.environ.get(ENV, "").strip()
    if forced in ("0", "1"):
        return f"{'on' if forced == '1' else 'off'} ({ENV}={forced})"
    if not advertises_amx(cpuinfo):
        return "on (the CPU does not advertise AMX)"
    try:
        safe = bool(json.loads(_marker(model_path).read_text(encoding="utf-8"))["safe"])
    except (OSError, ValueError, KeyError, TypeError, ImportError):
        return "not checked yet (the CPU advertises AMX: the first load checks it once)"
    return "on (AMX checked and works here)" if safe else "off (AMX faults on this machine; checked once)"

