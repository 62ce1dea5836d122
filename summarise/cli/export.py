"""``summarise export``: a batch's results as a CSV or Parquet table, one row per item (or event)."""

from __future__ import annotations

from pathlib import Path

import click

TABLES = ("claims", "strikes", "demands", "negotiations", "events")  # summarise.outputs.tables.TABLES


@click.command("export")
@click.argument("results", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--table", type=click.Choice(TABLES), required=True,
              help="One row per casualty claim, strike, demand or negotiation; 'events': strikes joined with "
              "their death figures in ACLED-style columns (see docs/export.md).")
@click.option("--format", "fmt", type=click.Choice(("csv", "parquet")),
              help="Default: parquet when FILE ends in .parquet, else csv. Parquet needs the 'parquet' extra.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the table here (atomically); CSV goes to standard output without it.")
def export_cmd(results: Path, table: str, fmt: str | None, output: Path | None) -> None:
    """Export a batch's results (summarise batch --out FILE) as a CSV or Parquet table.

    Each row carries the article's id, URL, title, outlet and date, every field of the item and its
    quote's character span (quote_start, quote_end). Failed records are left out and counted on
    standard error; for an id with several records the last one counts.
    """
    from summarise.outputs.tables import export

    fmt = fmt or ("parquet" if output is not None and output.suffix.lower() == ".parquet" else "csv")
    count, records, text = export(results, table, fmt, output)
    if text is not None:
        click.echo(text, nl=False)
    failed = f"; {len(records.failed)} failed record(s) left out" if records.failed else ""
    where = f" to {output}" if output is not None else ""
    click.echo(f"summarise export: {count} {table} row(s) from {len(records.summaries)} article(s){where}{failed}",
               err=True)


COMMANDS = [export_cmd]
