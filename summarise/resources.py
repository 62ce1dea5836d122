"""Find the data files that ship with the package (prompts, exported schemas)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """``prompts`` or ``schemas``: inside the installed wheel, or at the source tree's root."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"package data folder {name!r} is missing; reinstall summarise")
