"""``summarise keys``: a 0600 key file that the settings read by default; the key is never shown."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarise.cli import main
from summarise.errors import ConfigError
from summarise.settings import key_path, resolve_settings
from tests.fake_server import fake_openai_server
from tests.helpers import SEED

KEY = "sk-test-0123456789abcdef"


def set_key(key: str = KEY) -> CliRunner:
    runner = CliRunner()
    result = runner.invoke(main, ["keys", "set", "openai"], input=key + "\n")
    assert result.exit_code == 0, result.output
    assert key not in result.output and str(key_path()) in result.stderr
    return runner


def test_keys_set_writes_a_private_file_and_keys_path_names_it() -> None:
    set_key()
    path = key_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == KEY + "\n"
    shown = CliRunner().invoke(main, ["keys", "path"])
    assert shown.exit_code == 0 and shown.stdout.strip() == str(path)


def test_keys_set_replaces_a_key_and_refuses_an_empty_or_broken_one() -> None:
    set_key()
    set_key("sk-other")
    assert key_path().read_text() == "sk-other\n"
    for bad in ("", "two keys"):
        result = CliRunner().invoke(main, ["keys", "set", "openai"], input=bad + "\n")
        assert result.exit_code == 3 and "Traceback" not in result.output
        assert (not bad or bad not in result.output) and key_path().read_text() == "sk-other\n"


def test_the_saved_key_is_read_after_the_environment() -> None:
    assert resolve_settings().api_key is None
    set_key()
    settings = resolve_settings()
    assert settings.api_key == KEY and settings.model == "openai/gpt-4o-mini"  # a key makes OpenAI the default
    assert KEY not in repr(settings)


def test_the_environment_and_an_explicit_empty_key_win(monkeypatch: pytest.MonkeyPatch) -> None:
    set_key()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert resolve_settings().api_key == "sk-from-env"
    monkeypatch.delenv("OPENAI_API_KEY")
    assert resolve_settings(api_key="").api_key is None


def test_a_key_file_others_can_read_is_refused_without_showing_the_key() -> None:
    set_key()
    key_path().chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others") as error:
        resolve_settings()
    assert KEY not in str(error.value)


def test_summarise_with_an_openai_model_sends_the_saved_key(tmp_path: Path) -> None:
    """The run that 'keys set' is for: --model openai/... gets the key, as a Bearer header only."""
    without = CliRunner().invoke(main, ["run", str(SEED), "--model", "openai/gpt-4o-mini", "--json"])
    assert without.exit_code == 3 and "needs an API key" in without.stderr
    set_key()
    with fake_openai_server() as (base_url, state):
        result = CliRunner().invoke(main, ["run", str(SEED), "--model", "openai/gpt-4o-mini", "--base-url", base_url,
                                           "--strategy", "single-pass", "--json", "-v"])
    assert result.exit_code == 0, result.output
    assert state.seen and all(r["authorization"] == f"Bearer {KEY}" for r in state.seen)
    assert KEY not in result.output
    logged = CliRunner().invoke(main, ["logs", "--json"])
    assert logged.exit_code == 0 and '"openai/gpt-4o-mini"' in logged.stdout and KEY not in logged.stdout


def test_at_a_terminal_the_key_is_asked_at_a_hidden_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarise.cli import keys

    monkeypatch.setattr(keys, "_from_terminal", lambda: True)
    result = CliRunner().invoke(main, ["keys", "set", "openai"], input=KEY + "\n")
    assert result.exit_code == 0, result.output
    assert "openai API key: " in result.output and KEY not in result.output  # asked, never echoed
    assert key_path().read_text() == KEY + "\n"
