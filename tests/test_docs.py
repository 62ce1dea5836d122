"""The README is the user's manual: its --help blocks and its Python example must be true."""

from __future__ import annotations

import re

import pytest

from tests.fakes import FakeChat
from tests.helpers import ROOT, answer, claim


def test_readme_help_blocks_match_the_cli() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_help", ROOT / "tools" / "readme_help.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    from summarise.cli import main

    for name in main.commands:
        assert f"<!-- help: {name} -->" in text, f"README lacks the --help of {name!r}"
    assert module.render(text) == text, "README help is stale: run python tools/readme_help.py"


def test_readme_python_example_runs(fake_provider: FakeChat, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    seed = (ROOT / "examples" / "zelensky-chernihiv.txt").read_text()
    quote = "killing 22 people and injuring dozens"
    assert quote in seed
    fake_provider.enqueue(answer(claim(quote=quote)))
    monkeypatch.chdir(ROOT)
    block = re.search(r"## Python API\n\n```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block
    exec(compile(block.group(1), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "22 killed — unattributed via Reuters" in out


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = ("(command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)) && "
               "python3 -m venv .venv && .venv/bin/pip install -e '.[local,test]' && .venv/bin/python -m pytest")
    assert command in readme and command in ci
