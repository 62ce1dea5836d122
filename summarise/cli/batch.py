"""``summarise batch``: many articles to a JSONL file; inputs, resume, progress, clean Ctrl-C."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from summarise.cli.batch_provider import pop_provider_options, provider_options, run_provider_batch
from summarise.cli.batch_ray import pop_ray_options, ray_options, run_batch_ray
from summarise.cli.options import client_options, model_options
from summarise.errors import SummariseError

if TYPE_CHECKING:
    from summarise.client.batch import Item, Result

log = logging.getLogger("summarise")


@dataclass
class _Tally:
    """What the inputs met in the results file, counted as the batch reaches them."""

    skipped: int = 0  # already done: not run again
    failed_before: int = 0  # their last record failed: retried, or skipped with --skip-failed


def _pending(inputs: list[str], done: set[str], tally: _Tally,
             failed_before: AbstractSet[str] = frozenset()) -> Iterator[Item]:
    """The items whose id is not in ``done``, lazily."""
    from summarise.client.batch import item_id
    from summarise.inputs.article import expand_inputs

    for item in expand_inputs(inputs):
        ident = item_id(item)
        tally.failed_before += ident in failed_before
        if ident in done:
            tally.skipped += 1
            continue
        yield item


def _count_in_background(inputs: list[str], done: set[str], report: Callable[[int], None]) -> None:
    """Count the items still to do in a second pass over the inputs, on a background thread so the
    batch starts at once; the bar then shows a total and an ETA. Only used when a bar is drawn."""

    def count() -> None:
        with contextlib.suppress(SummariseError):  # a bad input: the batch itself reports it
            report(sum(1 for _ in _pending(inputs, done, _Tally())))

    threading.Thread(target=count, name="summarise-count", daemon=True).start()


def _log_above(progress_bar: Any) -> Callable[[], None]:
    """Send our log lines (transport retries) through the progress bar's console while it runs.

    Rich redirects ``sys.stderr`` for a live display, but a logging handler keeps the stream it was
    given, and its lines would tear the bar. Returns the function that puts the streams back.
    """
    handlers = [h for h in log.handlers if isinstance(h, logging.StreamHandler) and h.stream is sys.__stderr__]
    for handler in handlers:
        handler.setStream(sys.stderr)  # Rich's proxy while the bar is live

    def restore() -> None:
        for handler in handlers:
            handler.setStream(sys.__stderr__)

    return restore


def run_batch(inputs: list[str], out: Path, *, concurrency: int, rpm: float | None, cache: bool,
              options: dict[str, Any], skip_failed: bool = False) -> int:
    """Returns the exit code: 0 when every item succeeded, 1 when some failed, 130 when interrupted.

    Ids whose last record in ``out`` is ok are skipped; failed ones run again unless ``skip_failed``.
    """
    from summarise.client.summariser import Summariser
    from summarise.storage import jsonl

    earlier = jsonl.read_results(out)  # before anything is written: a file that is not ours stays untouched
    done = earlier.ok | earlier.failed if skip_failed else earlier.ok
    tally = _Tally()
    counts = {"ok": 0, "failed": 0, "dropped": 0}
    local = (options.get("model") or "local") == "local" and not options.get("base_url")
    note = " (embedded model: one article at a time)" if local else ""
    started = time.monotonic()
    interrupted = False
    progress_bar: Any = None
    task: Any = None
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        progress_bar = Progress(TextColumn("[bold]summarise batch[/bold]" + note), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), transient=False,
                                console=__import__("rich.console").console.Console(stderr=True))
        task = progress_bar.add_task("batch", total=None, rate="")
        progress_bar.start()
        restore = _log_above(progress_bar)
        _count_in_background(inputs, done, lambda total: progress_bar.update(task, total=total))
    else:
        log.info("summarise batch%s: writing %s", note, out)

    def on_result(result: Result) -> None:
        counts["ok" if result.ok else "failed"] += 1
        counts["dropped"] += bool(result.result is not None and result.result.dropped)
        finished = counts["ok"] + counts["failed"]
        rate = finished / max(time.monotonic() - started, 1e-6)
        if progress_bar is not None:
            progress_bar.update(task, completed=finished, rate=f"{rate * 60:.1f}/min · {counts['failed']} failed")
        else:
            log.info("%d done (%d failed), %.1f/min: %s", finished, counts["failed"], rate * 60, result.id)

    fh = jsonl.open_append(out)
    try:
        client = Summariser(cache=cache, **options)
        pending = _pending(inputs, done, tally, earlier.failed)
        for result in client.batch(pending, concurrency=concurrency, rate_limit=rpm):
            jsonl.append(fh, result.to_record())
            on_result(result)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        fh.close()
        if progress_bar is not None:
            restore()
            progress_bar.stop()
    click.echo(_closing_line(counts, tally, out, skip_failed=skip_failed, interrupted=interrupted), err=True)
    if interrupted:
        return 130
    return 1 if counts["failed"] else 0


def _closing_line(counts: dict[str, int], tally: _Tally, out: Path, *, skip_failed: bool, interrupted: bool) -> str:
    """One line on stderr: what ran, what was skipped, and what became of the earlier failures."""
    total = counts["ok"] + counts["failed"]
    dropped = f"; {counts['dropped']} with items dropped by the checks (see 'dropped')" if counts["dropped"] else ""
    line = (f"summarise batch: {total} done ({counts['ok']} ok, {counts['failed']} failed{dropped}), "
            f"{tally.skipped} already in {out}")
    if skip_failed:
        line += f" ({tally.failed_before} of them failed; not retried: --skip-failed)"
    else:
        line += f", retried {tally.failed_before} failed record(s)"
    return line + ("; interrupted: run the same command to resume" if interrupted else "")


@click.command("batch")
@click.argument("inputs", nargs=-1, metavar="INPUT...")
@click.option("-o", "--out", type=click.Path(path_type=Path),
              help="JSONL results file; rerunning with the same file skips ids already done and retries "
              "failed ones.")
@click.option("--skip-failed", is_flag=True,
              help="On a rerun, skip ids whose last record failed too, instead of retrying them.")
@model_options
@click.option("--concurrency", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Articles in flight at once (the embedded model still runs one at a time).")
@click.option("--rpm", type=click.FloatRange(0.1),
              help="At most this many model requests per minute (reasks count; cached articles make none).")
@click.option("--no-cache", is_flag=True, help="Ask the model again even for cached summaries.")
@click.option("-v", "--verbose", count=True, help="Log progress to stderr.")
@ray_options
@provider_options
def batch_cmd(inputs: tuple[str, ...], out: Path | None, skip_failed: bool, concurrency: int, rpm: float | None,
              no_cache: bool, verbose: int, **options: Any) -> None:
    """Summarise many articles: files, folders, globs, JSONL or Parquet records (id, text, url, ...).

    Each output line is one complete JSON record {"id", "ok", "summary" | "error"}; "summary" is the
    same record 'summarise run --json' prints. Ctrl-C stops cleanly; run the same command again to resume.

    A rerun retries the ids whose record failed (not with --skip-failed) and appends their new record:
    the file is only ever appended to, so an id can have several records and the last one counts.
    An output file that holds anything but records is refused untouched (exit 2); only a record cut
    short by a crash, at the very end, is removed.
    """
    from summarise.cli import setup_logging

    setup_logging(verbose)
    if (provider := pop_provider_options(options)) is not None:  # --via openai-batch, --collect, ...
        if pop_ray_options(options) is not None:
            raise click.UsageError("--via/--collect and --engine ray cannot be used together")
        sys.exit(run_provider_batch(list(inputs), out, provider, concurrency=concurrency, rpm=rpm, cache=not no_cache,
                                    options=client_options(**options), skip_failed=skip_failed))
    if not inputs or out is None:
        raise click.UsageError("give INPUT... and --out FILE")
    if (ray_run := pop_ray_options(options, out)) is not None:
        sys.exit(run_batch_ray(list(inputs), out, ray_run, concurrency=concurrency, rpm=rpm, cache=not no_cache,
                               options=client_options(**options), skip_failed=skip_failed))
    sys.exit(run_batch(list(inputs), out, concurrency=concurrency, rpm=rpm, cache=not no_cache,
                       options=client_options(**options), skip_failed=skip_failed))


COMMANDS = [batch_cmd]
