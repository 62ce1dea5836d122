"""Validation errors as instructions to the model (they become the reask), and where they point."""

from __future__ import annotations

import json

from pydantic import ValidationError


def format_errors(exc: BaseException) -> list[str]:
    """Validation errors as short instructions, one per failed field."""
    if isinstance(exc, ValidationError):
        out = []
        for err in exc.errors(include_url=False):
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"]).lstrip(".")
            msg = err["msg"].removeprefix("Value error, ")
            out.append(f"{where}: {msg}" if where else msg)
        return out
    if isinstance(exc, json.JSONDecodeError):
        return [f"the answer is not valid JSON ({exc.msg} at character {exc.pos}); return one JSON object"]
    return [str(exc)]


def item_errors(exc: BaseException) -> dict[tuple[str, int], list[str]] | None:
    """The list items a validation error points at, each with its messages (the item's own path, so
    ``count_text: ...``); None when some error lies outside the items (the headline, say)."""
    if not isinstance(exc, ValidationError):
        return None
    found: dict[tuple[str, int], list[str]] = {}
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        if len(loc) < 2 or not isinstance(loc[0], str) or not isinstance(loc[1], int):
            return None
        inner = ".".join(str(p) for p in loc[2:])
        msg = err["msg"].removeprefix("Value error, ")
        found.setdefault((loc[0], loc[1]), []).append(f"{inner}: {msg}" if inner else msg)
    return found
