"""``summarise batch --engine ray``: the same inputs, resume and records as the thread pool, on Ray.

The driver reads the inputs (files, folders, JSONL and Parquet records), checks each article as
the thread pool would (a bad one becomes its error record here), and hands the rest to
``summarise.ray.summarise_dataset`` a chunk at a time (memory stays bounded by one chunk). Records
are appended as they stream back, so a crash loses at most the articles in flight; a rerun skips
the ids already done. ``--format parquet`` writes a folder of Parquet parts instead (see
``summarise.storage.parquet``).
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
CHUNK = 10_000  # articles per Ray dataset: the driver holds at most this many inputs at once
FLUSH_ROWS, FLUSH_SECONDS = 1000, 10.0  # a Parquet part is written at whichever comes first
log = logging.getLogger("summarise")


def ray_options(func: F) -> F:
    """--engine, --ray-address, --per-actor, --actor-cpus, --format."""
    for option in reversed([
        click.option("--engine", type=click.Choice(["threads", "ray"]), default="threads", show_default=True,
                     help="threads: this process. ray: Ray Data actors, each with one client; --concurrency "
                     "is then the number of actors."),
        click.option("--ray-address", metavar="ADDR", help="Ray cluster to join (default: RAY_ADDRESS, else a "
                     "local Ray runtime). --engine ray only."),
        click.option("--per-actor", type=click.IntRange(1, 256), default=1, show_default=True,
                     help="Articles in flight per Ray actor. --engine ray only."),
        click.option("--actor-cpus", type=click.FloatRange(0.01), help="CPUs each Ray actor reserves "
                     "[default: 1 for the embedded model, 0.25 for a server]. --engine ray only."),
        click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet"]), default="jsonl", show_default=True,
                     help="parquet: OUT is a folder of Parquet parts (id, ok, record). --engine ray only."),
    ]):
        func = option(func)
    return func


@dataclass
class RayRun:
    """The Ray engine's own options, taken out of the command's keyword arguments."""

    address: str | None
    per_actor: int
    actor_cpus: float | None
    fmt: str


def pop_ray_options(options: dict[str, Any], out: Path | None = None) -> RayRun | None:
    """Removes the options ``ray_options`` added; ``None`` for the thread pool (which takes none of them).

    Also checks ``out``: a JSONL results file, or the folder of a Parquet one.
    """
    engine = options.pop("engine")
    run = RayRun(options.pop("ray_address"), options.pop("per_actor"), options.pop("actor_cpus"), options.pop("fmt"))
    if run.fmt == "jsonl" and out is not None and out.is_dir():
        raise click.BadParameter(f"{out} is a folder; JSONL results go to a file", param_hint="'--out'")
    if engine == "ray":
        return run
    if run.address or run.per_actor != 1 or run.actor_cpus is not None or run.fmt != "jsonl":
        raise click.UsageError("--ray-address, --per-actor, --actor-cpus and --format parquet need --engine ray")
    return None


def _start_ray(address: str | None, cpus_needed: float) -> bool:
    """Joins ``address`` (or RAY_ADDRESS) or starts a local runtime; True when this call started one."""
    from summarise.errors import BackendUnavailable
    from summarise.ray import import_ray

    ray = import_ray()
    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS") or None
    quiet = {"include_dashboard": False, "logging_level": logging.WARNING, "configure_logging": True}
    try:
        if address:
            ray.init(address=address, logging_level=logging.WARNING)
        else:
            ray.init(num_cpus=max(os.cpu_count() or 1, math.ceil(cpus_needed) + 1), **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise BackendUnavailable(f"cannot reach the Ray cluster at {address or 'a new local runtime'}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # our progress line instead of Ray's bars
    logging.getLogger("ray.data").setLevel(logging.ERROR if not log.isEnabledFor(logging.INFO) else logging.INFO)
    return True


def _rows(items: Iterator[Any], max_chars: int, failed: Callable[[dict[str, Any]], None]) -> list[dict[str, Any]]:
    """Each item checked here as the thread pool checks it: a row for Ray, or its error record at once."""
    from summarise.client.batch import item_id, to_article
    from summarise.ray import failure, result_row

    rows = []
    for item in items:
        ident = item_id(item)
        try:
            article = to_article(item, max_chars)
        except Exception as exc:  # the same error record as the thread pool's
            failed(result_row(failure(ident, exc)))
            continue
        rows.append({"id": ident, "text": article.text, "title": article.title, "url": article.url,
                     "published": article.published, "outlet": article.outlet,
                     "warnings": json.dumps(list(article.warnings))})
    return rows


class _Output:
    """Appends each row to the JSONL results file, or collects it for the next Parquet part."""

    def __init__(self, out: Path, fmt: str) -> None:
        from summarise.storage import jsonl
        from summarise.storage.parquet import PartWriter

        self.fh = jsonl.open_append(out) if fmt == "jsonl" else None
        self.parts = PartWriter(out) if fmt == "parquet" else None
        self.flushed = time.monotonic()

    def write(self, row: dict[str, Any]) -> None:
        from summarise.storage import jsonl

        if self.fh is not None:
            jsonl.append(self.fh, json.loads(row["record"]))
        elif self.parts is not None:
            self.parts.add(row["id"], row["ok"], row["record"])
            if len(self.parts.rows) >= FLUSH_ROWS or time.monotonic() - self.flushed > FLUSH_SECONDS:
                self.parts.flush()
                self.flushed = time.monotonic()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
        if self.parts is not None:
            self.parts.flush()


class _Progress:
    """Counts as records arrive; a line on stderr at most every ``every`` seconds, each record with -v."""

    def __init__(self, every: float = 5.0) -> None:
        self.counts = {"ok": 0, "failed": 0, "dropped": 0}
        self.started = self.shown = time.monotonic()
        self.every = every

    def __call__(self, row: dict[str, Any]) -> None:
        self.counts["ok" if row["ok"] else "failed"] += 1
        self.counts["dropped"] += bool(row["ok"] and json.loads(row["record"])["summary"].get("dropped"))
        done = self.counts["ok"] + self.counts["failed"]
        rate = done / max(time.monotonic() - self.started, 1e-6) * 60
        log.info("%d done (%d failed), %.1f/min: %s", done, self.counts["failed"], rate, row["id"])
        if time.monotonic() - self.shown >= self.every and not log.isEnabledFor(logging.INFO):
            self.shown = time.monotonic()
            click.echo(f"summarise batch (ray): {done} done ({self.counts['failed']} failed), {rate:.1f}/min",
                       err=True)


def run_batch_ray(inputs: list[str], out: Path, run: RayRun, *, concurrency: int, rpm: float | None, cache: bool,
                  options: dict[str, Any], skip_failed: bool = False) -> int:
    """As ``run_batch`` (exit 0, 1 or 130), through Ray; a comma-separated --base-url lists several servers."""
    from summarise.cli.batch import _closing_line, _pending, _Tally
    from summarise.ray import import_ray, summarise_dataset
    from summarise.storage import jsonl, parquet

    ray = import_ray()
    earlier = parquet.read_results(out) if run.fmt == "parquet" else jsonl.read_results(out)
    done = earlier.ok | earlier.failed if skip_failed else earlier.ok
    urls = [u.strip() for u in options.pop("base_url").split(",") if u.strip()] if options.get("base_url") else None
    local = (options.get("model") or "local") == "local" and not urls
    cpus = run.actor_cpus if run.actor_cpus is not None else (1.0 if local else 0.25)
    tally, progress, output = _Tally(), _Progress(), _Output(out, run.fmt)
    interrupted = started_here = ready = False

    def record(row: dict[str, Any]) -> None:
        output.write(row)
        progress(row)

    try:
        pending = _pending(inputs, done, tally, earlier.failed)
        while chunk := list(itertools.islice(pending, CHUNK)):
            rows = _rows(iter(chunk), options["max_chars"], record)
            del chunk
            if not rows:
                continue
            if not ready:  # not before there is work: a rerun with nothing to do starts nothing
                started_here, ready = _start_ray(run.address, concurrency * cpus), True
                click.echo(f"summarise batch (ray): {concurrency} actor(s) x {run.per_actor} in flight, "
                           f"{len(urls or [None])} endpoint(s); writing {out}", err=True)
            # no more actors than articles, and at least a block of input for each (Ray warns otherwise)
            actors = min(concurrency, len(rows))
            blocks = min(len(rows), max(200, actors))
            results = summarise_dataset(ray.data.from_items(rows, override_num_blocks=blocks), base_url=urls,
                                        concurrency=actors, per_actor=run.per_actor, rate_limit=rpm, num_cpus=cpus,
                                        cache=cache, **options)
            del rows
            for row in results.iter_rows():
                record(dict(row))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        output.close()
        if started_here:
            ray.shutdown()
    click.echo(_closing_line(progress.counts, tally, out, skip_failed=skip_failed, interrupted=interrupted), err=True)
    if interrupted:
        return 130
    return 1 if progress.counts["failed"] else 0
