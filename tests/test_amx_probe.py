"""The AMX check: a CPU that advertises AMX gets a one-off probe in a child process; a crash there
means the model is loaded without llama.cpp's extra buffer types (seen: a VM that faults on ldtilecfg)."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarise.backends import amx_probe


def _cpuinfo(tmp_path: Path, flags: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(f"processor\t: 0\nflags\t\t: fpu sse avx2 {flags}\n\n", encoding="utf-8")
    return path


@pytest.fixture
def model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv(amx_probe.ENV, raising=False)
    path = tmp_path / "model.gguf"
    path.write_bytes(b"not a model")
    return str(path)


def test_no_amx_no_probe(tmp_path: Path, model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(amx_probe, "_PROBE", "raise SystemExit('a probe ran')")
    assert amx_probe.extra_buffers_safe(model, cpuinfo=_cpuinfo(tmp_path, "avx512f"))


def test_a_probe_that_crashes_turns_extra_buffers_off_once(tmp_path: Path, model: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cpuinfo = _cpuinfo(tmp_path, "amx_bf16 amx_tile amx_int8")
    monkeypatch.setattr(amx_probe, "_PROBE", "import os; os.abort()")  # dies by a signal, as the fault does
    assert not amx_probe.extra_buffers_safe(model, cpuinfo=cpuinfo)
    monkeypatch.setattr(amx_probe, "_PROBE", "pass")  # the outcome is remembered: no second probe
    assert not amx_probe.extra_buffers_safe(model, cpuinfo=cpuinfo)


def test_a_probe_that_works_keeps_them(tmp_path: Path, model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(amx_probe, "_PROBE", "pass")
    assert amx_probe.extra_buffers_safe(model, cpuinfo=_cpuinfo(tmp_path, "amx_tile"))


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("1", True)])
def test_the_environment_decides_without_a_probe(tmp_path: Path, model: str, monkeypatch: pytest.MonkeyPatch,
                                                 value: str, expected: bool) -> None:
    monkeypatch.setenv(amx_probe.ENV, value)
    monkeypatch.setattr(amx_probe, "_PROBE", "import os; os.abort()")
    assert amx_probe.extra_buffers_safe(model, cpuinfo=_cpuinfo(tmp_path, "amx_tile")) is expected


def test_doctor_is_told_what_was_decided_without_a_probe(tmp_path: Path, model: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    amx = _cpuinfo(tmp_path, "amx_tile")
    monkeypatch.setattr(amx_probe, "_PROBE", "raise SystemExit('describe must not probe')")
    plain = tmp_path / "plain"
    plain.mkdir()
    assert amx_probe.describe(model, cpuinfo=_cpuinfo(plain, "avx2")).startswith("on")
    assert amx_probe.describe(model, cpuinfo=amx).startswith("not checked yet")
    monkeypatch.setattr(amx_probe, "_PROBE", "import os; os.abort()")
    amx_probe.extra_buffers_safe(model, cpuinfo=amx)
    assert amx_probe.describe(model, cpuinfo=amx).startswith("off (AMX faults")
