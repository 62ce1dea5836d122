"""Atomic writes of briefing outputs: the mode a file gets, and several files written as one step."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarise.storage import files
from summarise.storage.files import write_atomic


@pytest.fixture
def umask() -> Iterator[None]:
    """A known umask for the test (a process-wide setting, put back afterwards)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path: Path) -> None:
    write_atomic(tmp_path / "out" / "a.html", "<p>a</p>")
    assert mode(tmp_path / "out" / "a.html") == 0o644
    os.umask(0o027)
    write_atomic(tmp_path / "b.html", "<p>b</p>")
    assert mode(tmp_path / "b.html") == 0o640


@pytest.mark.usefixtures("umask")
def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    for wanted in (0o640, 0o604):
        target.write_text("old")
        target.chmod(wanted)
        write_atomic(target, "new")
        assert target.read_text() == "new" and mode(target) == wanted


def test_a_failed_write_changes_none_of_the_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.md", tmp_path / "b.html"
    first.write_text("old a")
    second.write_text("old b")
    with pytest.raises(UnicodeEncodeError):
        files.write_all({first: "new a", second: "\ud800"})  # the second cannot be encoded
    assert first.read_text() == "old a" and second.read_text() == "old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "b.html"]


def test_briefing_json_with_line_separators_survives_splitlines() -> None:
    from summarise.outputs.briefing.render import to_json

    text = to_json({"quote": "one\u2028two\u2029three\u0085four"})
    assert len(text.splitlines()) == 3  # "{", the one field, "}"
    assert json.loads(text)["quote"] == "one\u2028two\u2029three\u0085four"
