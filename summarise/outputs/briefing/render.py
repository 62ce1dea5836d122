"""Render a briefing to Markdown, self-contained HTML (Jinja2, no external assets) and JSON."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from summarise.storage.jsonl import escape_line_breaks


def _cell(value: Any) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


@lru_cache(maxsize=2)
def _env(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                             autoescape=autoescape, undefined=jinja2.StrictUndefined, trim_blocks=False,
                             keep_trailing_newline=True)
    env.filters["cell"] = _cell
    return env


def to_markdown(briefing: dict[str, Any]) -> str:
    return _env(False).get_template("briefing.md.j2").render(b=briefing)


def to_html(briefing: dict[str, Any]) -> str:
    return _env(True).get_template("briefing.html.j2").render(b=briefing)


def to_json(briefing: dict[str, Any]) -> str:
    """Readable UTF-8 JSON; line separators from article text escaped, so every reader splits it the same way."""
    return escape_line_breaks(json.dumps(briefing, indent=2, ensure_ascii=False, sort_keys=True)) + "\n"


RENDERERS = {"markdown": to_markdown, "html": to_html, "json": to_json}
