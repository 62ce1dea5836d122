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

    table = Table("when", "model", "strategy", "why", "tokens in", "processed", "out", "ms", "outcome", "error")
    for r in rows:
        processed = r.get("prefill_tokens")
        table.add_row(datetime.fromtimestamp(r["ts"]).strftime("%Y-%m-%d %H:%M:%S"), r["model"], r["strategy"] or "",
                      r.get("why") or "", str(r["prompt_tokens"]), "" if processed is None else str(processed),
                      str(r["completion_tokens"]), str(r["latency_ms"]), r["outcome"],
                      (r["error_class"] or "") + (f": {r['error'][:60]}" if r["error"] else ""))
    console = Console()
    console.print(table)
    tokens_in = sum(r["prompt_tokens"] for r in rows)
    tokens_out = sum(r["completion_tokens"] for r in rows)
    console.print(f"{len(rows)} calls · {tokens_in:,} tokens in · {tokens_out:,} out · "
                  f"{sum(r['outcome'] != 'ok' for r in rows)} not ok · cost: not published by these backends")


@click.group("logs", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="A JSON array, one object per model call.")
@click.option("--since", help="Only calls newer than this: 30m, 24h, 7d, or an ISO date.")
@click.option("--errors", is_flag=True, help="Only calls that failed (invalid output, truncated, errors).")
@click.option("-n", "--limit", type=click.IntRange(1), default=50, show_default=True, help="Most recent N calls.")
@click.pass_context
def logs_cmd(ctx: click.Context, as_json: bool, since: str | None, errors: bool, limit: int) -> None:
    """List the log of model calls (one row per call) with token totals.

    'summarise logs path' prints where the log (and the summary cache) is kept.
    """
    if ctx.invoked_subcommand is None:
        show_logs(as_json=as_json, since=since, errors=errors, limit=limit)


@logs_cmd.command("budget")
@click.option("--article", "article_id", help="Only this article id (the record's article_id).")
@click.option("--since", help="Only calls newer than this: 30m, 24h, 7d, or an ISO date.")
@click.option("--json", "as_json", is_flag=True, help="JSON: one object per article, with its calls by kind.")
def logs_budget_cmd(article_id: str | None, since: str | None, as_json: bool) -> None:
    """Where each article's model time went: per kind of call (figure, select, section, overview,
    reask:…), the calls, prompt tokens processed past the cached prefix, output tokens, and seconds
    of prefill, decode and other (grammar, sampling, validation)."""
    from dataclasses import asdict

    from summarise.client.budget import budgets
    from summarise.storage.store import open_store

    rows = [r for r in open_store().calls(since=parse_since(since))
            if article_id is None or r["article_id"] == article_id]
    found = budgets(reversed(rows))  # the log reads newest first; a budget reads in call order
    if as_json:
        click.echo(json.dumps([{**asdict(b), "total": {**asdict(b.total), "other_ms": b.total.other_ms}}
                               for b in found], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for budget in found:
        table = Table("why", "calls", "prompt tok", "processed", "output tok", "wall s", "prefill s", "decode s",
                      "other s", title=f"article {budget.article_id[:16]}")
        for why, share in [*sorted(budget.by_why.items()), ("total", budget.total)]:
            table.add_row(why, str(share.calls), f"{share.prompt_tokens:,}", f"{share.processed_tokens:,}",
                          f"{share.output_tokens:,}", f"{share.wall_ms / 1000:.1f}", f"{share.prefill_ms / 1000:.1f}",
                          f"{share.decode_ms / 1000:.1f}", f"{share.other_ms / 1000:.1f}")
        console.print(table)
    if not found:
        console.print("no calls logged" + (f" for article {article_id}" if article_id else ""))


@logs_cmd.command("path")
def logs_path_cmd() -> None:
    """Print the path of the database that holds the call log and the summary cache."""
    from summarise.storage.store import db_path

    click.echo(str(db_path()))


COMMANDS = [logs_cmd]
