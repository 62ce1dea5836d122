"""Article text stays data on the way to the terminal: markup in a title cannot break the progress display."""

from __future__ import annotations

import io
import sys

import pytest

from summarise.cli.status import Status


class TerminalStream(io.StringIO):
    """A test double for a terminal on stderr: Rich draws its spinner on it."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("title", ["Strike on [/] market", "[bold]Kyiv[/bold] [link=x]talks", "Gaza [/dim] toll"])
def test_markup_in_an_article_title_is_shown_as_text(monkeypatch: pytest.MonkeyPatch, title: str) -> None:
    terminal = TerminalStream()
    monkeypatch.setattr(sys, "stderr", terminal)
    with Status(enabled=True) as status:
        status.update(f"reading {title}")  # progress messages quote article text
    assert f"reading {title}" in terminal.getvalue()
