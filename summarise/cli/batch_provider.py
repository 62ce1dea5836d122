"""``summarise batch --via openai-batch``: the batch through a provider's batch API (or ``vllm run-batch``).

The options are added to ``summarise batch``; the work is in ``summarise.client.provider_batch``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from summarise.errors import InputError

if TYPE_CHECKING:
    from summarise.backends.openai_batch import BatchAPI
    from summarise.client.provider_batch import Collected
    from summarise.storage.store import Store

F = TypeVar("F", bound=Callable[..., Any])
_KEYS = ("via", "wait", "collect", "write_requests", "collect_file", "poll_seconds")


def provider_options(func: F) -> F:
    """--via, --wait/--no-wait, --collect, --write-requests, --collect-file."""
    for option in reversed([
        click.option("--via", type=click.Choice(["openai-batch"]),
                     help="Send every article's request through the OpenAI Batch API (answers within 24 h, at "
                     "batch prices); each answer is checked like a live one and failures are reasked through "
                     "the ordinary API. Needs --model openai/<model>."),
        click.option("--wait/--no-wait", default=True, show_default=True,
                     help="With --via: wait for the batch and collect it, or submit it and return."),
        click.option("--collect", metavar="BATCH_ID",
                     help="Finish a batch submitted earlier (its inputs, results file and settings are in the store)."),
        click.option("--write-requests", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the batch request file (one request per article; 'vllm run-batch' runs it too) and "
                     "stop."),
        click.option("--collect-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Finish from a batch output file made elsewhere (e.g. by 'vllm run-batch'), with the same "
                     "checks and reasks."),
        click.option("--poll-seconds", type=click.FloatRange(0.01), default=5.0, hidden=True),
    ]):
        func = option(func)
    return func


@dataclass
class ProviderRun:
    via: str | None
    wait: bool
    collect: str | None
    write_requests: Path | None
    collect_file: Path | None
    poll_seconds: float


def pop_provider_options(options: dict[str, Any]) -> ProviderRun | None:
    """Take this module's options out of ``options``; None when none of them asks for a provider batch."""
    run = ProviderRun(**{key: options.pop(key) for key in _KEYS})
    if run.via or run.collect or run.write_requests or run.collect_file:
        return run
    if not run.wait:
        raise click.UsageError("--no-wait needs --via openai-batch or --collect")
    return None


def _say(message: str) -> None:
    click.echo(f"summarise batch: {message}", err=True)


def run_provider_batch(inputs: list[str], out: Path | None, run: ProviderRun, *, concurrency: int,
                       rpm: float | None, cache: bool, options: dict[str, Any], skip_failed: bool) -> int:
    """Returns the exit code: 0 when every article succeeded (or a batch was left running), 1 when some failed."""
    from summarise.client import provider_batch as pb
    from summarise.storage import jsonl
    from summarise.storage.store import open_store

    chosen = [name for name, given in (("--collect", run.collect), ("--write-requests", run.write_requests),
                                       ("--collect-file", run.collect_file)) if given]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} cannot be used together")
    if run.collect:
        return _collect(run, inputs, out, options, concurrency=concurrency, rpm=rpm, cache=cache)
    if not inputs:
        raise click.UsageError("give the INPUT... articles")
    options = pb.batch_options(options)

    def done() -> set[str]:
        earlier = jsonl.read_results(out) if out is not None else jsonl.Results()
        return earlier.ok | earlier.failed if skip_failed else earlier.ok

    if run.write_requests:
        from summarise.storage.files import atomic_writer

        with atomic_writer(run.write_requests) as fh:
            count, unreadable = pb.write_requests(inputs, fh, options, done())
        for result in unreadable[:5]:
            _say(f"left out {result.id}: {result.error}")
        _say(f"{count} requests written to {run.write_requests}" + (f"; {len(unreadable)} unreadable article(s) "
                                                                     "left out" if unreadable else ""))
        return 1 if unreadable else 0
    if out is None:
        raise click.UsageError("give --out FILE for the results")
    if run.collect_file:
        collected = pb.ingest(run.collect_file, inputs, out, options, done(), cache=cache, concurrency=concurrency,
                              rpm=rpm)
        _say(f"{run.collect_file}: {collected.describe()}; written to {out}")
        return 1 if collected.counts["failed"] else 0
    store = open_store()
    api = pb.batch_api(options)
    failed = 0
    try:
        running = []
        for row in pb.open_batches(store, out):  # a rerun finishes what an earlier run left
            code = _finish(api, store, row, run, concurrency=concurrency, rpm=rpm, cache=cache)
            failed += code == 1
            if code == 75:
                running.extend(row["article_ids"])
        batch_ids, unreadable = pb.submit(api, store, inputs, out, options, done() | set(running), _say)
        if unreadable:
            with contextlib.closing(jsonl.open_append(out)) as results:
                for result in unreadable:
                    jsonl.append(results, result.to_record())
        for batch_id in batch_ids:
            row = store.provider_batches(batch_id)[0]
            failed += _finish(api, store, row, run, concurrency=concurrency, rpm=rpm, cache=cache) == 1
        if not batch_ids and not running:
            _say(f"nothing to submit: every article already has a record in {out}")
    finally:
        api.close()
    return 1 if failed or unreadable else 0


def _collect(run: ProviderRun, inputs: list[str], out: Path | None, options: dict[str, Any], *, concurrency: int,
             rpm: float | None, cache: bool) -> int:
    from summarise.client import provider_batch as pb
    from summarise.storage.store import open_store

    store = open_store()
    rows = store.provider_batches(run.collect)
    if not rows:
        raise InputError(f"no batch {run.collect!r} in the store; 'summarise batch --via openai-batch' submits one")
    row = rows[0]
    if out is not None and str(out.resolve()) != row["out_path"]:
        raise InputError(f"batch {run.collect} writes to {row['out_path']}, not {out}; leave out --out")
    if row["status"] == pb.COLLECTED:
        _say(f"batch {run.collect} was collected already ({row['detail']}); its records are in {row['out_path']}")
        return 0
    overrides = {k: v for k, v in options.items() if k in ("model", "base_url", "timeout") and v is not None}
    api = pb.batch_api({**row["job"]["options"], **overrides})
    try:
        code = _finish(api, store, row, run, inputs=inputs or None, options=overrides, concurrency=concurrency,
                       rpm=rpm, cache=cache)
    finally:
        api.close()
    return 0 if code == 75 else code


def _finish(api: BatchAPI, store: Store, row: dict[str, Any], run: ProviderRun, *, inputs: list[str] | None = None,
            options: dict[str, Any] | None = None, concurrency: int, rpm: float | None, cache: bool) -> int:
    """Wait for one batch (or look once) and collect it: 0 all ok, 1 some failed, 75 still running."""
    from summarise.client import provider_batch as pb

    batch_id = row["batch_id"]
    try:
        info = pb.wait(api, store, batch_id, progress=_say, poll=run.poll_seconds, once=not run.wait)
    except KeyboardInterrupt:
        _say(f"batch {batch_id} keeps running at the provider; finish it with: summarise batch --collect {batch_id}")
        sys.exit(130)
    if not info.finished:
        _say(f"batch {batch_id} is {info.status}; finish it later with: summarise batch --collect {batch_id}")
        return 75
    collected: Collected = pb.collect(api, store, row, info, inputs=inputs, options=options, cache=cache,
                                      concurrency=concurrency, rpm=rpm)
    _say(f"batch {batch_id} ({info.status}): {collected.describe()}; written to {row['out_path']}")
    return 1 if collected.counts["failed"] else 0
