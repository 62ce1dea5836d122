"""Regenerate the ``--help`` blocks in README.md (``python tools/readme_help.py``); a test checks them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

from summarise.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- help: (?P<args>[^>]*?) -->\n```text\n)(?P<body>.*?)(```)", re.S)


def help_text(args: str) -> str:
    argv = [*args.split(), "--help"] if args else ["--help"]
    out = CliRunner().invoke(main, argv, terminal_width=100, prog_name="summarise").output
    return out


def render(readme: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + help_text(m.group("args")) + m.group(4), readme)


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in sys.argv:
        sys.exit(0 if new == text else 1)
    README.write_text(new, encoding="utf-8")
