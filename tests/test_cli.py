from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarise.cli import main
from summarise.contract.export import schema_json
from summarise.contract.record import SummaryResult
from tests.fakes import FakeChat
from tests.helpers import ROOT, SEED, TEXT, answer, claim


@pytest.fixture
def article(tmp_path: Path) -> Path:
    p = tmp_path / "article.txt"
    p.write_text(TEXT, encoding="utf-8")
    return p


@pytest.fixture
def chat(fake_provider: FakeChat) -> FakeChat:
    return fake_provider


def invoke(*args: str, **kw: Any) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kw)


def test_json_output_is_a_valid_record(article: Path, chat: FakeChat) -> None:
    chat.enqueue(answer(claim()))
    result = invoke(str(article), "--json")
    assert result.exit_code == 0, result.output
    record = SummaryResult.model_validate(json.loads(result.stdout))
    assert record.casualty_claims[0].quote_span.start == TEXT.index("killing 22")
    assert record.schema_version == "1" and record.attempts == 1


def test_markdown_output(article: Path, chat: FakeChat) -> None:
    chat.enqueue(answer(claim()))
    result = invoke(str(article), "--format", "md")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Russian strike on schools kills 22")
    assert "> killing 22 people and injuring dozens" in result.stdout


def test_standard_input(chat: FakeChat) -> None:
    chat.enqueue(answer(claim()))
    result = invoke("-", "--json", input=TEXT)
    assert result.exit_code == 0 and json.loads(result.stdout)["headline"]


def test_output_file_is_written_whole(article: Path, chat: FakeChat, tmp_path: Path) -> None:
    chat.enqueue(answer(claim()))
    out = tmp_path / "out" / "r.json"
    result = invoke(str(article), "-o", str(out))
    assert result.exit_code == 0
    assert json.loads(out.read_text())["casualty_claims"][0]["count"] == 22
    assert [p.name for p in out.parent.iterdir()] == ["r.json"]


def test_schema_command_prints_the_exported_schema() -> None:
    result = invoke("schema")
    assert result.stdout == schema_json()
    assert json.loads(invoke("schema", "--record").stdout)["title"] == "SummaryRecord"


@pytest.mark.parametrize(("content", "message"), [(b"", "empty"), (b"\x00\x01\x02" * 10, "binary")])
def test_bad_input_exits_2_without_traceback(tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    result = invoke(str(p))
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "nope.txt"))
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_unreachable_server_exits_4() -> None:
    result = invoke(str(SEED), "--model", "openai/x", "--base-url", "http://127.0.0.1:9/v1", "--timeout", "1")
    assert result.exit_code == 4
    assert "cannot reach http://127.0.0.1:9/v1" in result.stderr


def test_openai_without_a_key_exits_3() -> None:
    result = invoke(str(SEED), "--model", "openai/gpt-4o-mini")
    assert result.exit_code == 3 and "OPENAI_API_KEY" in result.stderr


def test_missing_local_extra_names_the_install_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llama_cpp" else real(name, *a))
    fake_gguf = tmp_path / "m.gguf"
    fake_gguf.write_bytes(b"GGUF")
    monkeypatch.setenv("SUMMARISE_LOCAL_MODEL", str(fake_gguf))
    result = invoke(str(SEED))
    assert result.exit_code == 3 and "pip install 'summarise[local]'" in result.stderr


def test_missing_model_file_exits_4(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SUMMARISE_LOCAL_MODEL", str(tmp_path / "gone.gguf"))
    result = invoke(str(SEED))
    assert result.exit_code == 4 and "not a file" in result.stderr


def test_extraction_failure_exits_5(article: Path, chat: FakeChat) -> None:
    for count in ("99", "98", "97"):  # a different wrong answer each time: an answer repeated is not reasked twice
        chat.enqueue(answer(claim(quote=f"killing {count} people", count_text=count)))
    result = invoke(str(article), "--strict")
    assert result.exit_code == 5 and "failed validation after 3 attempt(s)" in result.stderr


def test_unknown_model_string_exits_3() -> None:
    result = invoke(str(SEED), "--model", "gemini/pro")
    assert result.exit_code == 3 and "unknown model" in result.stderr


def test_help_does_not_import_heavy_modules() -> None:
    code = ("import sys; from summarise.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('openai', 'instructor', 'llama_cpp', 'rich', 'httpx2') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert "HEAVY []" in out


def test_every_command_has_help() -> None:
    for name, command in main.commands.items():
        assert command.help, name
        assert invoke(name, "--help").exit_code == 0


def test_eval_isaf_prints_a_table_and_reports_misses(tmp_path: Path) -> None:
    rows = [{"idx": 1, "text": "Two insurgents were killed. Three suspects were detained in Helmand.",
             "gold_min_killed": 2, "gold_min_captured": 3},
            {"idx": 2, "text": "Forces killed Taliban leader Saifullah in Ghazni province on Tuesday.",
             "gold_min_killed": 1, "gold_min_captured": 0}]
    data = tmp_path / "isaf.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["eval", "--isaf", str(data), "--strategy", "regex", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "| regex | 0.500 | 1.000 | 1 |" in result.output
    scores = json.loads(report.read_text(encoding="utf-8"))["isaf"]["strategies"]["regex"]
    assert scores["misses"] == [{"idx": 2, "killed": 0, "gold_killed": 1, "captured": 0, "gold_captured": 0}]
