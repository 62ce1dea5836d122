"""``summarise review``: review pages for a batch results file, one per article, and an index."""

from __future__ import annotations

import logging
from pathlib import Path

import click

log = logging.getLogger("summarise")


@click.command("review")
@click.argument("results", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("more_inputs", nargs=-1, metavar="[--inputs INPUT...]")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the pages and index.html (created if missing).")
@click.option("--inputs", "inputs", multiple=True, metavar="INPUT...",
              help="The batch's inputs (files, folders, globs, JSONL records), for the texts of ids that "
              "are not readable file paths.")
@click.option("--max-chars", type=click.IntRange(1), default=None,
              help="The longest article accepted, as given to 'summarise batch'.")
@click.option("-v", "--verbose", count=True, help="Log each page to stderr.")
def review_cmd(results: Path, more_inputs: tuple[str, ...], out: Path, inputs: tuple[str, ...],
               max_chars: int | None, verbose: int) -> None:
    """Review pages for a 'summarise batch' results file: one HTML page per article with every quote
    highlighted in its text, and OUT/index.html with each article's counts and the failures.

    \b
    summarise review results.jsonl --out review/
    summarise review results.jsonl --out review/ --inputs records.jsonl articles/

    A record does not carry its article's text: an id that is a file path is read from the file;
    other texts come from --inputs. A page whose text is missing still lists every item, with a note.
    Each page is a self-contained file (no network), written atomically; the index is written last.
    """
    from summarise.cli import setup_logging
    from summarise.inputs import DEFAULT_MAX_CHARS
    from summarise.outputs.review_batch import review_batch

    setup_logging(verbose)
    report = review_batch(results, out, [*inputs, *more_inputs], max_chars=max_chars or DEFAULT_MAX_CHARS,
                          progress=log.info)
    for note in report.notes[:5]:
        click.echo(f"summarise review: note: {note}", err=True)
    if len(report.notes) > 5:
        click.echo(f"summarise review: and {len(report.notes) - 5} more note(s): see the index", err=True)
    click.echo(f"summarise review: {report.pages} page(s) ({report.highlighted} with their quotes highlighted), "
               f"{report.failures} failure(s) listed; open {report.index}", err=True)


COMMANDS = [review_cmd]
