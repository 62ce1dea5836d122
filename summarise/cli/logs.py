"""``summarise logs``: the log of model calls, with token totals."""

from __future__ import annotations

import json
import time
from datetime import datetime

import click

from summarise.errors import InputError


def parse_since(value: str | None, now: float | None = None) -> float | None:
    """A timestamp from "30m", "24h", "7d" (that long ago) or an ISO date."""
    if not value:
        return None
    from summarise.settings import parse_duration

    now = time.time() if now is None else now
    try:
        return now - parse_duration(value).total_seconds()
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise InputError(f"--since {value!r}: use 30m, 24h, 7d or an ISO date") from None


def show_logs(*, as_json: bool, since: str | None, errors: bool, limit: int) -> None:
    from summarise.storage.store import open_store

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


@click.command("logs")
@click.option("--json", "as_json", is_flag=True, help="A JSON array, one object per model call.")
@click.option("--since", help="Only calls newer than this: 30m, 24h, 7d, or an ISO date.")
@click.option("--errors", is_flag=True, help="Only calls that failed (invalid output, truncated, errors).")
@click.option("-n", "--limit", type=click.IntRange(1), default=50, show_default=True, help="Most recent N calls.")
def logs_cmd(as_json: bool, since: str | None, errors: bool, limit: int) -> None:
    """List the log of model calls (one row per call) with token totals."""
    show_logs(as_json=as_json, since=since, errors=errors, limit=limit)


COMMANDS = [logs_cmd]
