"""The ``summarise`` command: parse arguments, call the library, print. No logic of its own.

One module per command group; each imports the library inside its command body, so that
``summarise --help`` stays fast.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, NoReturn

import click

from summarise.errors import SummariseError


class _DefaultGroup(click.Group):
    """``summarise ARTICLE`` means ``summarise run ARTICLE``; named commands win."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("summarise: interrupted", err=True)
            sys.exit(130)
        except SummariseError as exc:
            fail(exc)
        except Exception as exc:  # a bug: say so plainly, keep the traceback for -vv and bug reports
            if logging.getLogger("summarise").isEnabledFor(logging.DEBUG):
                raise
            click.echo(f"summarise: internal error: {type(exc).__name__}: {exc} (run with -vv for the traceback)",
                       err=True)
            sys.exit(70)


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="summarise")
def main() -> None:
    """Grounded, validated summaries of conflict and crisis news articles.

    \b
    summarise ARTICLE.txt             readable summary (JSON when piped: use --json)
    summarise ARTICLE.txt --json      schema-v1 JSON with quote spans and usage
    summarise - < article.txt         read the article from standard input
    summarise schema                  print the JSON Schema of the output
    summarise serve                   serve the embedded model over an OpenAI-compatible API

    With no API key the embedded local model runs (no network). Set OPENAI_API_KEY to use
    OpenAI, or --base-url for any OpenAI-compatible server.
    """


def setup_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("summarise: %(message)s"))
    logger = logging.getLogger("summarise")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    # Instructor logs each failed attempt as an error; our own log line says it better.
    logging.getLogger("instructor").setLevel(logging.CRITICAL if verbose < 2 else logging.DEBUG)


def fail(exc: SummariseError) -> NoReturn:
    """The error in one line on stderr, and its class's exit code."""
    click.echo(f"summarise: error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _register() -> None:
    from summarise.cli import batch, brief, doctor, evaluate, export, keys, logs, review, run, tools

    for module in (run, batch, brief, logs, evaluate, tools, review, export, keys, doctor):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
