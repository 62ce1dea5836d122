"""The ``summarise logs`` command body."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime

import click

from .errors import InputError
from .store import open_store

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_since(value: str | None, now: float | None = None) -> float | None:
    if not value:
        return None
    now = time.time() if now is None else now
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", value.strip())
    if match:
        return now - float(match.group(1)) * _UNITS[match.group(2)]
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise InputError(f"--since {value!r}: use 30m, 24h, 7d or an ISO date") from None


def show_logs(*, as_json: bool, since: str | None, errors: bool, limit: int) -> None:
    rows = list(open_store().calls(since=parse_since(since), errors_only=errors, limit=limit))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("when", "model", "strategy", "tokens in", "out", "ms", "outcome", "error")
    for r in rows:
        table.add_row(datetime.fromtimestamp(r["ts"]).strftime("%Y-%m-%d %H:%M:%S"), r["model"], r["strategy"] or "",
                      str(r["prompt_tokens"]), str(r["completion_tokens"]), str(r["latency_ms"]), r["outcome"],
                      (r["error_class"] or "") + (f": {r['error'][:60]}" if r["error"] else ""))
    console = Console()
    console.print(table)
    tokens_in = sum(r["prompt_tokens"] for r in rows)
    tokens_out = sum(r["completion_tokens"] for r in rows)
    console.print(f"{len(rows)} calls · {tokens_in:,} tokens in · {tokens_out:,} out · "
                  f"{sum(r['outcome'] != 'ok' for r in rows)} not ok · cost: not published by these backends")
