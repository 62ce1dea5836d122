"""``summarise doctor``: settings, key (never shown), model file and checksum, and a server's structured output."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarise.cli import main
from tests.fake_server import Fault, fake_openai_server

KEY = "sk-doctor-secret-42"


def doctor(*args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["doctor", "--json", *args])
    return result.exit_code, json.loads(result.stdout), result.stderr


def test_without_a_base_url_no_network_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"doctor opened a connection to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    code, report, _ = doctor()
    assert code == 0, report
    assert report["model"] == "local" and report["strategy"] == "anchored (auto)"
    assert report["base_url"].startswith("none") and "server" not in report
    assert report["api_key"] == {"present": False, "fingerprint": None}
    assert report["model_file"]["checksum"] == "not checked"  # not unpacked in this test's model folder
    shown = CliRunner().invoke(main, ["doctor"])
    assert shown.exit_code == 0 and "store:" in shown.stdout and "model file:" in shown.stdout


def test_the_key_is_never_shown_only_its_fingerprint(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarise.settings import key_fingerprint

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert KEY not in result.output and key_fingerprint(KEY) in result.stdout
    code, report, _ = doctor()
    assert code == 0 and report["api_key"]["present"] and report["model"] == "openai/gpt-4o-mini"
    assert report["strategy"] == "single-pass (auto)"


def test_a_server_that_takes_json_schema() -> None:
    with fake_openai_server() as (base_url, state):
        code, report, _ = doctor("--base-url", base_url, "--model", "llamacpp/local")
    assert code == 0, report
    assert report["server"]["answers"] and report["server"]["models"] == ["local"]
    assert report["structured_output"]["mode"] == "json_schema"
    posts = [r["body"] for r in state.seen if r["body"] is not None]
    assert len(posts) == 1 and posts[0]["response_format"]["type"] == "json_schema" and posts[0]["max_tokens"] <= 16
    assert report["strategy"] == "anchored (auto)"  # a llama.cpp server


def test_a_server_that_refuses_json_schema_falls_back_in_order() -> None:
    refusals = [Fault("status", status=400), Fault("content", content="not JSON at all")]
    with fake_openai_server(script=refusals) as (base_url, state):
        code, report, _ = doctor("--base-url", base_url)
    assert code == 0
    tried = report["structured_output"]["tried"]
    assert tried["json_schema"] == "refused: HTTP 400" and "not JSON" in tried["json_object"]
    assert tried["tools"] == "no tool call came back" and report["structured_output"]["mode"] is None
    bodies = [r["body"] for r in state.seen if r["body"] is not None]
    assert [b.get("response_format", {}).get("type") for b in bodies] == ["json_schema", "json_object", None]
    assert bodies[2]["tool_choice"]["function"]["name"] == "probe"


def test_the_key_goes_to_the_server_in_the_header_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with fake_openai_server() as (base_url, state):
        result = CliRunner().invoke(main, ["doctor", "--base-url", base_url])
    assert result.exit_code == 0 and KEY not in result.output
    assert state.seen and all(r["authorization"] == f"Bearer {KEY}" for r in state.seen)


def test_an_unreachable_server_is_not_answering_exit_4() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, report, stderr = doctor("--base-url", f"http://127.0.0.1:{port}/v1", "--timeout", "2")
    assert code == 4 and "not answering" in stderr
    assert not report["server"]["answers"] and "not answering" in report["server"]["detail"]
    assert "structured_output" not in report and any("not answering" in p for p in report["problems"])
    result = CliRunner().invoke(main, ["doctor", "--base-url", f"http://127.0.0.1:{port}/v1"])
    assert result.exit_code == 4 and "not answering" in result.stdout and "Traceback" not in result.output


def test_model_file_checksum_verified_once_then_by_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF" + b"x" * 4096)  # a stand-in file (test double), never loaded
    monkeypatch.setenv("SUMMARISE_LOCAL_MODEL", str(gguf))
    monkeypatch.setenv("SUMMARISE_LOCAL_MODEL_SHA256", hashlib.sha256(gguf.read_bytes()).hexdigest())
    code, report, _ = doctor()
    assert code == 0 and report["model_file"]["checksum"] == "verified now"
    assert report["model_file"]["hash_seconds"] is not None and report["model_file"]["size"] == 4100
    code, report, _ = doctor()
    assert report["model_file"]["checksum"] == "verified earlier" and report["model_file"]["hash_seconds"] is None
    code, report, _ = doctor("--rehash")
    assert report["model_file"]["checksum"] == "verified now"
    monkeypatch.setenv("SUMMARISE_LOCAL_MODEL_SHA256", "0" * 64)
    code, report, _ = doctor()
    assert code == 4 and report["model_file"]["checksum"] == "wrong"
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    code, report, _ = doctor("--model", "openai/gpt-4o-mini")  # the local model is not what runs: no problem
    assert report["model_file"]["checksum"] == "wrong" and code == 0 and not report["problems"]


def test_a_broken_config_is_exit_3_with_the_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('colour = "blue"\n')
    monkeypatch.setenv("SUMMARISE_CONFIG", str(config))
    code, report, _ = doctor()
    assert code == 3 and "unknown keys" in report["settings"] and report["config_file"]["exists"]


def test_the_cli_offers_the_library_strategies() -> None:
    from summarise.cli.doctor import STRATEGIES
    from summarise.strategies import CHOICES

    assert STRATEGIES == CHOICES
