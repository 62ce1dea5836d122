"""Test isolation: no real keys, user state in a temp dir, only loopback network."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.fakes import FakeChat, fake_backend
from tests.helpers import SEED

# Property tests are not timed: these machines are noisy, and a per-example deadline made them flaky under load.
settings.register_profile("summarise", deadline=None)
settings.load_profile("summarise")

_LOOPBACK = ("127.", "::1", "localhost")
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else str(address)
    if self.family == socket.AF_UNIX or str(host).startswith(_LOOPBACK):
        return _real_connect(self, address)
    raise ConnectionRefusedError(f"network blocked in tests: {address!r}")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, model_dir: Path) -> Iterator[None]:
    for var in ("OPENAI_API_KEY", "SUMMARISE_STRATEGY", "OPENAI_BASE_URL", "SUMMARISE_MODEL", "SUMMARISE_LOCAL_MODEL",
                "SUMMARISE_LOCAL_MODEL_SHA256", "SUMMARISE_TIMEOUT", "SUMMARISE_MAX_RETRIES",
                "SUMMARISE_MAX_TOKENS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SUMMARISE_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SUMMARISE_MODEL_DIR", str(model_dir))
    monkeypatch.setenv("SUMMARISE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    from summarise import backends

    backends._cache.clear()  # each test makes its own backend (the embedded model's tests share one fixture)
    yield
    backends._cache.clear()


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model folder per test session: the embedded model is unpacked at most once."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def fake_provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeChat]:
    """Model strings ``fake/...`` reach a fake chat endpoint (a test double), made the default model
    through the environment, so the CLI, batches and briefings run on it as a user's would on theirs."""
    from summarise.backends import register_provider

    chat = FakeChat()
    unregister = register_provider("fake", lambda settings, name, progress: fake_backend(chat))
    monkeypatch.setenv("SUMMARISE_MODEL", "fake/test")
    yield chat
    unregister()
