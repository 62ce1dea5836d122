"""The ``summarise`` command: parse arguments, call the library, print. No logic of its own."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from .errors import SummariseError
from .files import write_atomic

FORMATS = ("pretty", "json", "md")
STRATEGY_NAMES = ("auto", "anchored", "single-pass", "anchored-casualties")


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


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("summarise: %(message)s"))
    logger = logging.getLogger("summarise")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    # Instructor logs each failed attempt as an error; our own log line says it better.
    logging.getLogger("instructor").setLevel(logging.CRITICAL if verbose < 2 else logging.DEBUG)


def _fail(exc: SummariseError) -> None:
    click.echo(f"summarise: error: {exc}", err=True)
    sys.exit(exc.exit_code)


@main.command("run")
@click.argument("article", metavar="ARTICLE|URL|-")
@click.option("--json", "as_json", is_flag=True, help="Print schema-v1 JSON (same as --format json).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format. Default: pretty in a terminal, json when piped.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result to this file (atomically) instead of standard output.")
@click.option("-m", "--model", help="'local' (embedded, default without a key), 'openai/<model>', "
              "or 'llamacpp/<alias>' with --base-url. Env: SUMMARISE_MODEL.")
@click.option("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8765/v1. Env: OPENAI_BASE_URL.")
@click.option("--max-retries", type=click.IntRange(0, 10), help="Validation reasks after the first try [default: 2].")
@click.option("--timeout", type=click.FloatRange(1), help="Seconds per model request [default: 300].")
@click.option("--max-tokens", type=click.IntRange(64),
              help="Output-token budget per call [default: from article length].")
@click.option("--max-chars", type=click.IntRange(100), default=100_000, show_default=True,
              help="Refuse longer articles.")
@click.option("--strategy", type=click.Choice(STRATEGY_NAMES),
              help="auto [default]: anchored for the local model and llama.cpp servers, single-pass otherwise.")
@click.option("--strict", is_flag=True, help="Fail the article when any item still fails its checks "
              "after the last reask, instead of dropping and reporting those items.")
@click.option("-v", "--verbose", count=True, help="Log progress (-v) or debug detail (-vv) to stderr.")
def run_cmd(article: str, as_json: bool, fmt: str | None, output: Path | None, model: str | None,
            base_url: str | None, max_retries: int | None, timeout: float | None, max_tokens: int | None,
            max_chars: int, strategy: str | None, strict: bool, verbose: int) -> None:
    """Summarise one article: a text file, an http(s) URL, or - for standard input."""
    _setup_logging(verbose)
    from . import render
    from .api import summarise
    from .fetch import load
    from .status import Status

    fmt = "json" if as_json else fmt or ("pretty" if sys.stdout.isatty() and not output else "json")
    try:
        art = load(article, max_chars=max_chars)
        for warning in art.warnings:
            click.echo(f"summarise: warning: {warning}", err=True)
        with Status(enabled=sys.stderr.isatty() or verbose > 0) as status:
            result = summarise(art, model=model, base_url=base_url, max_retries=max_retries,
                               timeout=timeout, max_tokens=max_tokens, max_chars=max_chars,
                               strict=strict, strategy=strategy, progress=status.update)
    except SummariseError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        click.echo("summarise: interrupted", err=True)
        sys.exit(130)
    text = {"json": render.to_json, "md": render.to_markdown}.get(fmt)
    if output:
        write_atomic(output, (text or render.to_json)(result))
        click.echo(f"summarise: wrote {output}", err=True)
    elif text:
        click.echo(text(result), nl=False)
    else:
        from rich.console import Console

        Console().print(render.to_rich(result))


@main.command("batch")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="JSONL results file; rerunning with the same file skips ids already done.")
@click.option("-m", "--model", help="Model string, as for 'summarise run'.")
@click.option("--base-url", help="OpenAI-compatible server.")
@click.option("--strategy", type=click.Choice(STRATEGY_NAMES), help="As for 'summarise run'.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Articles in flight at once (the embedded model still runs one at a time).")
@click.option("--rpm", type=click.FloatRange(0.1),
              help="At most this many model requests per minute (reasks count; cached articles make none).")
@click.option("--max-retries", type=click.IntRange(0, 10), help="Validation reasks per call.")
@click.option("--timeout", type=click.FloatRange(1), help="Seconds per model request.")
@click.option("--max-chars", type=click.IntRange(100), default=100_000, show_default=True)
@click.option("--no-cache", is_flag=True, help="Ask the model again even for cached summaries.")
@click.option("-v", "--verbose", count=True, help="Log progress to stderr.")
def batch_cmd(inputs: tuple[str, ...], out: Path, model: str | None, base_url: str | None, strategy: str | None,
              concurrency: int, rpm: float | None, max_retries: int | None, timeout: float | None,
              max_chars: int, no_cache: bool, verbose: int) -> None:
    """Summarise many articles: files, folders, globs or JSONL records (id, text, url, title, ...).

    Each output line is one complete JSON record {"id", "ok", "summary" | "error", "usage", "model", ...}.
    Ctrl-C stops cleanly; run the same command again to resume.
    """
    _setup_logging(verbose)
    from .batch_cli import run_batch

    try:
        code = run_batch(list(inputs), out, concurrency=concurrency, rpm=rpm, max_chars=max_chars,
                         options={"model": model, "base_url": base_url, "strategy": strategy,
                                  "max_retries": max_retries, "timeout": timeout, "cache": not no_cache})
    except SummariseError as exc:
        _fail(exc)
    sys.exit(code)


@main.command("brief")
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--once", is_flag=True, help="Run once and exit (the default unless a schedule is given).")
@click.option("--every", help="Run now and then every interval (30m, 1h, 1d) until interrupted.")
@click.option("--cron", help="Run on a cron schedule ('0 7 * * *'); overrides [schedule] in the config.")
@click.option("-v", "--verbose", count=True, help="Log progress to stderr.")
def brief_cmd(config: Path, once: bool, every: str | None, cron: str | None, verbose: int) -> None:
    """Build a briefing from a TOML config: casualty ledger, strikes timeline, negotiations, demands.

    Only new or changed articles reach the model; when nothing changed the outputs stay byte-identical.
    """
    _setup_logging(verbose)
    from .briefing.build import load_config
    from .briefing.run import RunReport, run_once, run_scheduled
    from .status import Status

    def say(report: RunReport) -> None:
        if report.skipped_locked:
            click.echo("summarise brief: another run is in progress; skipped", err=True)
        elif report.unchanged:
            click.echo(f"summarise brief: {report.articles} article(s), nothing changed; outputs untouched", err=True)
        else:
            files = ", ".join(str(p) for p in report.written)
            click.echo(f"summarise brief: {report.articles} article(s), {report.errors} error(s); wrote {files}",
                       err=True)

    try:
        schedule = load_config(config).schedule
        cron = cron or (None if every or once else schedule.get("cron"))
        every = every or (None if cron or once else schedule.get("every"))
        if every or cron:
            run_scheduled(config, every=every, cron=cron, on_report=say)
            return
        with Status(enabled=sys.stderr.isatty() or verbose > 0) as status:
            say(run_once(config, progress=status.update))
    except SummariseError as exc:
        _fail(exc)


@main.command("logs")
@click.option("--json", "as_json", is_flag=True, help="A JSON array, one object per model call.")
@click.option("--since", help="Only calls newer than this: 30m, 24h, 7d, or an ISO date.")
@click.option("--errors", is_flag=True, help="Only calls that failed (invalid output, truncated, errors).")
@click.option("-n", "--limit", type=click.IntRange(1), default=50, show_default=True, help="Most recent N calls.")
def logs_cmd(as_json: bool, since: str | None, errors: bool, limit: int) -> None:
    """List the log of model calls (one row per call) with token totals."""
    from .logs_cli import show_logs

    try:
        show_logs(as_json=as_json, since=since, errors=errors, limit=limit)
    except SummariseError as exc:
        _fail(exc)


@main.command("eval")
@click.option("--articles", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of articles (NAME.txt).")
@click.option("--gold", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of gold files (NAME.json) in the output contract.")
@click.option("--isaf", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="ISAF press releases (JSONL with gold_min_killed / gold_min_captured).")
@click.option("--fakes", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="FA-KES folder (articles plus annotations.csv).")
@click.option("--sample", type=int, help="ISAF: score a fixed random sample of this many items.")
@click.option("--seed", type=int, default=2024, show_default=True, help="ISAF: seed of the sample.")
@click.option("--strategy", "strategies", default="anchored,single-pass,plain,regex", show_default=True,
              help="Comma-separated: anchored, single-pass (ours); baselines plain (plain Instructor), regex and "
              "langextract (LangExtract; needs the [eval] extra and --base-url of a server such as 'summarise "
              "serve'). plain and langextract run on --articles/--gold only.")
@click.option("-m", "--model", help="Model string, as for 'summarise run'.")
@click.option("--base-url", help="OpenAI-compatible server.")
@click.option("--max-retries", type=click.IntRange(0, 10), help="Validation reasks per call.")
@click.option("--no-cache", is_flag=True, help="Ask the model again even for cached summaries.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON report here.")
@click.option("-v", "--verbose", count=True, help="Log progress to stderr.")
def eval_cmd(articles: Path | None, gold: Path | None, isaf: Path | None, fakes: Path | None, sample: int | None,
             seed: int, strategies: str, model: str | None, base_url: str | None, max_retries: int | None,
             no_cache: bool, report: Path | None, verbose: int) -> None:
    """Score strategies and baselines against gold; prints a Markdown table (summaries are cached)."""
    _setup_logging(verbose)
    import json

    from .evaluation import runner
    from .status import Status

    names = [s.strip() for s in strategies.split(",") if s.strip()]
    unknown = set(names) - set(runner.OURS) - set(runner.BASELINES)
    if unknown or not ((articles and gold) or isaf or fakes):
        raise click.UsageError(f"unknown strategies {sorted(unknown)}" if unknown else
                               "give --articles and --gold, --isaf FILE or --fakes DIR")
    options = runner.Options(model=model, base_url=base_url, max_retries=max_retries, cache=not no_cache)
    out: dict[str, Any] = {}
    try:
        with Status(enabled=sys.stderr.isatty() or verbose > 0) as status:
            if articles and gold:
                out["dev"] = runner.evaluate(runner.gold_pairs(articles, gold), names, options, status.update)
                click.echo(runner.markdown(out["dev"]), nl=False)
            if isaf:
                out["isaf"] = runner.evaluate_isaf(isaf, names, options,
                                                   sample=sample, seed=seed, progress=status.update)
                click.echo(runner.isaf_markdown(out["isaf"]), nl=False)
            if fakes:
                out["fakes"] = runner.evaluate_fakes(fakes, names, options,
                                                     status.update)
                click.echo(json.dumps(out["fakes"], indent=2))
    except SummariseError as exc:
        _fail(exc)
    if report:
        write_atomic(report, json.dumps(out, indent=2) + "\n")
        click.echo(f"summarise: wrote {report}", err=True)


@main.command("schema")
@click.option("--record", is_flag=True, help="The full output record (with quote spans and usage), "
              "not just what the model fills.")
def schema_cmd(record: bool) -> None:
    """Print the JSON Schema of the output contract (schema v1)."""
    from .export import schema_json

    click.echo(schema_json(record=record), nl=False)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (keep it local).")
@click.option("--port", type=int, default=8765, show_default=True)
@click.option("--n-ctx", type=int, default=8192, show_default=True, help="Context window in tokens.")
def serve_cmd(host: str, port: int, n_ctx: int) -> None:
    """Serve the embedded model on an OpenAI-compatible HTTP API (llama-cpp-python's server).

    Point a client at it with --model llamacpp/local --base-url http://HOST:PORT/v1.
    """
    from .backends.server import serve

    try:
        sys.exit(serve(host=host, port=port, n_ctx=n_ctx, progress=lambda m: click.echo(f"summarise: {m}", err=True)))
    except SummariseError as exc:
        _fail(exc)


if __name__ == "__main__":
    main()
