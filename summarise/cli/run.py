"""``summarise run``: one article to the terminal, JSON, Markdown or a review page (HTML)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from summarise.cli.options import client_options, model_options

if TYPE_CHECKING:
    from summarise.contract.record import SummaryResult

FORMATS = ("pretty", "json", "md", "html")


@click.command("run")
@click.argument("article", metavar="ARTICLE|URL|-")
@click.option("--json", "as_json", is_flag=True, help="Print schema-v1 JSON (same as --format json).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (html: a review page, the article with every quote highlighted). "
              "Default: pretty in a terminal, json when piped.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result to this file (atomically) instead of standard output.")
@click.option("--allow-private-network", is_flag=True,
              help="Let the URL's redirects lead to private, loopback and link-local addresses (the URL itself "
              "is always fetched where it points).")
@model_options
@click.option("-v", "--verbose", count=True, help="Log progress (-v) or debug detail (-vv) to stderr.")
def run_cmd(article: str, as_json: bool, fmt: str | None, output: Path | None, allow_private_network: bool,
            verbose: int, **options: object) -> None:
    """Summarise one article: a text file, an http(s) URL, or - for standard input."""
    from summarise.cli import setup_logging
    from summarise.cli.status import Status
    from summarise.client.summariser import Summariser
    from summarise.inputs.fetch import load
    from summarise.outputs import render
    from summarise.outputs.review import review_page
    from summarise.storage.files import write_atomic

    setup_logging(verbose)
    settings = client_options(**options)  # type: ignore[arg-type]
    fmt = "json" if as_json else fmt or ("pretty" if sys.stdout.isatty() and not output else "json")
    art = load(article, max_chars=settings["max_chars"], allow_private_network=allow_private_network)
    for warning in art.warnings:
        click.echo(f"summarise: warning: {warning}", err=True)
    with Status(enabled=sys.stderr.isatty() or verbose > 0) as status:
        result = Summariser(**settings).summarise(art, progress=status.update)
    def to_html(result: SummaryResult) -> str:  # the review page needs the article's text
        return review_page(result, art.text)

    text = {"json": render.to_json, "md": render.to_markdown, "html": to_html}.get(fmt)
    if output:
        write_atomic(output, (text or render.to_json)(result))
        click.echo(f"summarise: wrote {output}", err=True)
    elif text:
        click.echo(text(result), nl=False)
    else:
        from rich.console import Console

        Console().print(render.to_rich(result))


COMMANDS = [run_cmd]
