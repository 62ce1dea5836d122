"""``summarise brief``: a briefing from a TOML config, once or on a schedule."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("brief")
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--once", is_flag=True, help="Run once and exit (the default unless a schedule is given).")
@click.option("--every", help="Run now and then every interval (30m, 1h, 1d) until interrupted.")
@click.option("--cron", help="Run on a cron schedule ('0 7 * * *'); overrides [schedule] in the config.")
@click.option("-v", "--verbose", count=True, help="Log progress to stderr.")
def brief_cmd(config: Path, once: bool, every: str | None, cron: str | None, verbose: int) -> None:
    """Build a briefing from a TOML config: casualty ledger, strikes timeline, negotiations, demands.

    Only new or changed articles reach the model; when nothing changed the outputs stay byte-identical.
    """
    from summarise.cli import setup_logging
    from summarise.cli.status import Status
    from summarise.outputs.briefing.build import load_config
    from summarise.outputs.briefing.run import RunReport, run_once, run_scheduled

    setup_logging(verbose)

    def say(report: RunReport) -> None:
        if report.skipped_locked:
            click.echo("summarise brief: another run is in progress; skipped", err=True)
        elif report.unchanged:
            click.echo(f"summarise brief: {report.articles} article(s), nothing changed; outputs untouched", err=True)
        else:
            files = ", ".join(str(p) for p in report.written)
            click.echo(f"summarise brief: {report.articles} article(s), {report.errors} error(s); wrote {files}",
                       err=True)

    schedule = load_config(config).schedule
    cron = cron or (None if every or once else schedule.cron)
    every = every or (None if cron or once else schedule.every)
    if every or cron:
        run_scheduled(config, every=every, cron=cron, on_report=say)
        return
    with Status(enabled=sys.stderr.isatty() or verbose > 0) as status:
        say(run_once(config, progress=status.update))


COMMANDS = [brief_cmd]
