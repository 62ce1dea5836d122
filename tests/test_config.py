from __future__ import annotations

import os
from pathlib import Path

import pytest

from summarise.errors import ConfigError
from summarise.settings import resolve_settings


def write_config(text: str) -> Path:
    path = Path(os.environ["SUMMARISE_CONFIG"])
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_to_the_local_model_without_a_key() -> None:
    assert resolve_settings().model == "local"


def test_a_key_makes_openai_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = resolve_settings()
    assert settings.model == "openai/gpt-4o-mini"
    assert "sk-test" not in repr(settings)


def test_order_is_flag_then_environment_then_file_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    write_config('model = "openai/from-file"\ntimeout = 12\n')
    assert resolve_settings().model == "openai/from-file"
    assert resolve_settings().timeout == 12
    monkeypatch.setenv("SUMMARISE_MODEL", "openai/from-env")
    assert resolve_settings().model == "openai/from-env"
    assert resolve_settings(model="openai/from-flag").model == "openai/from-flag"


def test_unknown_config_keys_fail() -> None:
    write_config('modle = "typo"\n')
    with pytest.raises(ConfigError, match="unknown keys"):
        resolve_settings()


def test_key_file_must_be_private(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("sk-from-file\n")
    key.chmod(0o644)
    write_config(f'api_key_file = "{key}"\n')
    with pytest.raises(ConfigError, match="chmod 600"):
        resolve_settings()
    key.chmod(0o600)
    assert resolve_settings().api_key == "sk-from-file"


def test_base_url_without_model_uses_the_server_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    assert resolve_settings().model == "openai/default"


def test_an_empty_key_means_no_key_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert resolve_settings(api_key="", base_url="http://127.0.0.1:1/v1").api_key is None
    assert resolve_settings(base_url="http://127.0.0.1:1/v1").api_key == "sk-from-env"
