"""Provider batch APIs (OpenAI Batch, or ``vllm run-batch`` offline): the single-pass strategy's first
call for every article goes in one batch; every answer is then checked against its article and reasked
through the ordinary API, exactly as a live answer would be.

Submit: the pending articles (not done in the results file) become request lines (``custom_id`` = the
batch item id), uploaded in batches of at most 50,000 requests; each batch is kept in the store with
the settings to collect it (never a key). Collect: the output and error files are read, and every
article of the batch goes through the ordinary batch engine (``Summariser.batch``) with
``Prefilled``, a backend whose first answer for an article is the one the batch gave: it is checked
with the same checks as a live answer, and reasked through the ordinary API within ``max_retries``.
An article without a usable answer (the batch failed or expired, its line is missing, malformed or
an error) is summarised through the ordinary API from the start, or recorded as an error record when
that fails. Every article of the batch ends with exactly one record in the results file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import BaseModel

from summarise.backends.attempt import Attempt
from summarise.backends.base import Backend
from summarise.client.batch import Item, Result, item_id, to_article
from summarise.client.summariser import Summariser
from summarise.errors import ConfigError, SummariseError
from summarise.inputs.article import expand_inputs
from summarise.storage import jsonl
from summarise.storage.store import Store
from summarise.strategies import single_pass
from summarise.strategies.loop import Options

if TYPE_CHECKING:
    from summarise.backends.openai_batch import BatchAPI, BatchInfo, OutputLine

PROVIDER = "openai-batch"
MAX_REQUESTS = 50_000  # OpenAI: at most 50,000 requests per batch
MAX_BYTES = 180 * 1024 * 1024  # and an input file of at most 200 MB
COLLECTED = "collected"
Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


def batch_options(options: dict[str, Any]) -> dict[str, Any]:
    """The client options for a provider batch: an ``openai/<model>`` model and the single-pass strategy
    (the model as the environment or config file gives it when not among ``options``)."""
    if options.get("strategy") not in (None, "auto", "single-pass"):
        raise ConfigError(f"--via {PROVIDER} runs the single-pass strategy (one request per article), not "
                          f"{options['strategy']!r}")
    options = {**options, "strategy": "single-pass"}
    model = Summariser(**options).settings.model
    if not model.startswith("openai/"):
        raise ConfigError(f"--via {PROVIDER} needs --model openai/<model> (the model the batch runs), not {model!r}")
    return {**options, "model": model}


def request_key(messages: list[dict[str, str]], max_tokens: int) -> str:
    """What identifies a request: its messages and budget (the model and schema are the batch's own)."""
    return hashlib.sha256(json.dumps([messages, max_tokens], ensure_ascii=False).encode("utf-8")).hexdigest()


class Prefilled(Backend):
    """``inner``, except that a request the batch already answered (the same messages and budget: an
    article's first single-pass call) gets the batch's completion, checked by ``single_pass.check_received``
    exactly as a live answer. Every other call (the reasks, articles without an answer) goes to ``inner``:
    the ordinary API. Each completion answers one request (identical articles each bring their own)."""

    def __init__(self, inner: Backend, answers: dict[str, list[dict[str, Any]]]) -> None:
        # no Backend.__init__: this wrapper sends nothing itself
        self.name, self.where, self.endpoint = inner.name, inner.where, inner.endpoint
        self.default_strategy = "single-pass"
        self._inner = inner
        self._answers = answers  # request key: the batch's completions for that request
        self._lock = threading.Lock()
        self.checked: Counter[str] = Counter()  # "valid" / "invalid": the batch's answers as received

    def unused(self) -> int:
        """Completions no request took (their article was cached, or its request changed since submission)."""
        with self._lock:
            return sum(len(queue) for queue in self._answers.values())

    def attempt(self, messages: list[dict[str, str]], response_model: type[BaseModel], context: dict[str, Any],
                max_tokens: int) -> Attempt:
        with self._lock:
            queue = self._answers.get(request_key(messages, max_tokens))
            completion = queue.pop() if queue else None
        if completion is None:
            return self._inner.attempt(messages, response_model, context, max_tokens)
        outcome = single_pass.check_received(completion, context, max_tokens)
        with self._lock:
            self.checked["valid" if outcome.value is not None else "invalid"] += 1
        return outcome

    def close(self) -> None:
        self._inner.close()


def pending_items(inputs: list[str], done: set[str]) -> Iterator[tuple[str, Item]]:
    """(id, item) for each input whose id is not in ``done``, each id once, lazily."""
    seen = set(done)
    for item in expand_inputs(inputs):
        ident = item_id(item)
        if ident not in seen:
            seen.add(ident)
            yield ident, item


def request_lines(items: Iterable[tuple[str, Item]], options: dict[str, Any],
                  unreadable: list[Result]) -> Iterator[tuple[str, str]]:
    """(id, JSONL request line) per readable article; an unreadable one becomes an error ``Result``."""
    from summarise.backends.openai_batch import request_line, strict_response_format
    from summarise.contract.models import ArticleSummary

    response_format = strict_response_format(ArticleSummary)
    client = Summariser(**options)
    run_options = Options(max_retries=client.settings.max_retries, max_tokens=client.settings.max_tokens,
                          strict=client.strict)
    request_model = client.settings.model.partition("/")[2]
    for ident, item in items:
        try:
            article = to_article(item, client.max_chars)
        except SummariseError as exc:
            unreadable.append(Result(ident, False, error_class=type(exc).__name__, error=str(exc)))
            continue
        messages, max_tokens = single_pass.first_request(article, run_options)
        line = request_line(ident, request_model, messages, max_tokens, response_format)
        yield ident, json.dumps(line, ensure_ascii=False)


def write_requests(inputs: list[str], target: IO[str], options: dict[str, Any],
                   done: set[str]) -> tuple[int, list[Result]]:
    """Write the request file for every pending article (for ``vllm run-batch``, or to inspect): how many
    requests, and the unreadable articles' errors."""
    unreadable: list[Result] = []
    count = 0
    for _, line in request_lines(pending_items(inputs, done), options, unreadable):
        target.write(line + "\n")
        count += 1
    return count, unreadable


def _chunks(lines: Iterable[tuple[str, str]]) -> Iterator[tuple[list[str], bytes]]:
    ids: list[str] = []
    data: list[bytes] = []
    size = 0
    for ident, line in lines:
        encoded = (line + "\n").encode("utf-8")
        if ids and (len(ids) >= MAX_REQUESTS or size + len(encoded) > MAX_BYTES):
            yield ids, b"".join(data)
            ids, data, size = [], [], 0
        ids.append(ident)
        data.append(encoded)
        size += len(encoded)
    if ids:
        yield ids, b"".join(data)


def submit(api: BatchAPI, store: Store, inputs: list[str], out: Path, options: dict[str, Any], done: set[str],
           progress: Progress = _quiet) -> tuple[list[str], list[Result]]:
    """Upload and create a batch per chunk of pending articles; their ids, and the unreadable articles' errors."""
    unreadable: list[Result] = []
    job = {"inputs": inputs, "cwd": os.getcwd(), "options": {k: v for k, v in options.items() if k != "api_key"}}
    batch_ids = []
    for ids, data in _chunks(request_lines(pending_items(inputs, done), options, unreadable)):
        file_id = api.upload(f"summarise-{int(time.time())}.jsonl", data)
        info = api.create(file_id, {"source": "summarise"})
        store.save_provider_batch({"batch_id": info.id, "provider": PROVIDER, "input_file_id": file_id,
                                   "out_path": str(out.resolve()), "article_ids": ids, "status": "submitted",
                                   "detail": f"{len(ids)} requests", "job": job})
        progress(f"batch {info.id}: {len(ids)} articles submitted ({info.status})")
        batch_ids.append(info.id)
    return batch_ids, unreadable


def open_batches(store: Store, out: Path) -> list[dict[str, Any]]:
    """The batches writing to ``out`` that are not collected yet."""
    target = str(out.resolve())
    return [row for row in store.provider_batches() if row["out_path"] == target and row["status"] != COLLECTED]


def wait(api: BatchAPI, store: Store, batch_id: str, *, progress: Progress = _quiet, poll: float = 5.0,
         poll_max: float = 60.0, sleep: Callable[[float], None] = time.sleep, once: bool = False) -> BatchInfo:
    """Poll the batch until it has finished (``once``: ask once), saying how far it is when that changes."""
    shown = ""
    row = store.provider_batches(batch_id)[0]
    while True:
        info = api.retrieve(batch_id)
        line = f"batch {batch_id}: {info.status}, {info.completed}/{info.total} done, {info.failed} failed"
        if line != shown:
            progress(line)
            shown = line
            store.save_provider_batch({**row, "status": info.status, "detail": line})
        if info.finished or once:
            return info
        sleep(poll)
        poll = min(poll * 1.5, poll_max)


def answers_from(api: BatchAPI, info: BatchInfo) -> tuple[dict[str, OutputLine], list[str]]:
    """Each custom id's outcome from the output and error files, and the lines that could not be read."""
    from summarise.backends.openai_batch import read_output

    found: dict[str, OutputLine] = {}
    problems: list[str] = []
    for file_id, what in ((info.output_file_id, "output"), (info.error_file_id, "error")):
        if file_id:
            lines, bad = read_output(api.content(file_id).splitlines())
            for ident, line in lines.items():
                found.setdefault(ident, line)
            problems.extend(f"{what} file {p}" for p in bad)
    return found, problems


@dataclass
class Collected:
    """What collecting did: the results written, and how each article's answer was used."""

    counts: Counter[str] = field(default_factory=Counter)  # ok, failed, dropped
    sources: Counter[str] = field(default_factory=Counter)  # valid as received, reasked, through the API (why)
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        parts = [f"{n} {what}" for what, n in sorted(self.sources.items())]
        bad = f"; unreadable lines: {', '.join(self.problems[:5])}" if self.problems else ""
        return (f"{self.counts['ok']} ok, {self.counts['failed']} failed"
                + (f" ({'; '.join(parts)})" if parts else "") + bad)


def finish(items: Iterable[Item], answers: dict[str, OutputLine], why_missing: str, out: Path,
           options: dict[str, Any], *, cache: bool = True, concurrency: int = 4, rpm: float | None = None,
           problems: list[str] | None = None, lost: Iterable[Result] = (),
           on_result: Callable[[Result], None] | None = None) -> Collected:
    """Write one record per item to ``out``: its batch answer checked (and reasked), or the ordinary API.

    ``answers`` is by item id; ``why_missing`` says why an item without one goes through the API;
    ``lost`` are error records written first (articles that cannot be read any more).
    """
    collected = Collected(problems=list(problems or []))
    client = Summariser(cache=cache, **options)
    run_options = Options(max_retries=client.settings.max_retries, max_tokens=client.settings.max_tokens,
                          strict=client.strict)
    completions: dict[str, list[dict[str, Any]]] = {}
    todo: list[Item] = []
    for item in items:
        ident = item_id(item)
        answer = answers.get(ident)
        if answer is not None and answer.completion is not None:
            with contextlib.suppress(SummariseError):  # unreadable now: the engine writes its error record
                key = request_key(*single_pass.first_request(to_article(item, client.max_chars), run_options))
                completions.setdefault(key, []).append(answer.completion)
        else:
            reason = answer.error if answer is not None and answer.error else why_missing
            collected.sources[f"through the API ({reason})"] += 1
        todo.append(item)
    prefilled = Prefilled(client.backend(), completions)
    engine = Summariser(cache=cache, backend=prefilled, **options)
    with contextlib.closing(jsonl.open_append(out)) as fh:
        for result in (*lost, *engine.batch(todo, concurrency=concurrency, rate_limit=rpm)):
            jsonl.append(fh, result.to_record())
            collected.counts["ok" if result.ok else "failed"] += 1
            collected.counts["dropped"] += bool(result.result is not None and result.result.dropped)
            if on_result is not None:
                on_result(result)
    if prefilled.checked["valid"]:
        collected.sources["valid as received"] = prefilled.checked["valid"]
    if prefilled.checked["invalid"]:
        collected.sources["reasked after failing the checks"] = prefilled.checked["invalid"]
    if unused := prefilled.unused():
        collected.sources["answers not used (cached article, or a request changed since submission)"] = unused
    return collected


def job_items(row: dict[str, Any], inputs: list[str] | None, done: set[str]) -> tuple[list[Item], list[Result]]:
    """The batch's articles still without a record, from its inputs (or ``inputs`` given now), and an error
    result for each one no longer found there (never a lost article)."""
    wanted = set(row["article_ids"]) - done
    items: list[Item] = []
    for item in expand_inputs(inputs or row["job"]["inputs"]):
        ident = item_id(item)
        if ident in wanted:
            wanted.discard(ident)
            items.append(item)
    lost = [Result(ident, False, error_class="InputError",
                   error=f"the article is no longer among the batch's inputs ({', '.join(row['job']['inputs'])})")
            for ident in sorted(wanted)]
    return items, lost


def collect(api: BatchAPI, store: Store, row: dict[str, Any], info: BatchInfo, *,
            inputs: list[str] | None = None, options: dict[str, Any] | None = None, cache: bool = True,
            concurrency: int = 4, rpm: float | None = None,
            on_result: Callable[[Result], None] | None = None) -> Collected:
    """Finish a batch that has ended (completed, expired, failed or cancelled): one record per article."""
    if not info.finished:
        raise ConfigError(f"batch {info.id} is still {info.status}; wait for it to finish")
    out = Path(row["out_path"])
    earlier = jsonl.read_results(out)
    answers, problems = answers_from(api, info) if info.status != "failed" else ({}, [])
    why = {"completed": "no answer in the output file", "expired": "the batch expired before answering it",
           "cancelled": "the batch was cancelled before answering it",
           "failed": "the batch failed: " + ("; ".join(info.errors[:3]) or "no reason given")}[info.status]
    settings = {**row["job"]["options"], **{k: v for k, v in (options or {}).items() if v is not None}}
    cwd = Path(row["job"]["cwd"]) if not inputs and Path(row["job"]["cwd"]).is_dir() else Path.cwd()
    with contextlib.chdir(cwd):  # paths given relative to where the batch was submitted keep their ids
        items, lost = job_items(row, inputs, earlier.ok | earlier.failed)
        collected = finish(items, answers, why, out, settings, cache=cache, concurrency=concurrency, rpm=rpm,
                           problems=problems, lost=lost, on_result=on_result)
    detail = f"{info.status}: {collected.describe()}"
    store.save_provider_batch({**row, "status": COLLECTED, "detail": detail})
    return collected


def ingest(results_file: Path, inputs: list[str], out: Path, options: dict[str, Any], done: set[str], *,
           cache: bool = True, concurrency: int = 4, rpm: float | None = None,
           on_result: Callable[[Result], None] | None = None) -> Collected:
    """Finish from an output file made offline (``vllm run-batch``): every pending input gets one record."""
    from summarise.backends.openai_batch import read_output

    with results_file.open(encoding="utf-8", errors="replace") as fh:
        answers, problems = read_output(fh)
    items = [item for _, item in pending_items(inputs, done)]
    return finish(items, answers, f"no answer in {results_file.name}", out, options, cache=cache,
                  concurrency=concurrency, rpm=rpm, problems=problems, on_result=on_result)


def batch_api(options: dict[str, Any]) -> BatchAPI:
    """The provider's Batch API for these client options (their base URL, the key from the environment)."""
    from summarise.backends.openai_batch import BatchAPI

    settings = Summariser(**options).settings
    if not settings.base_url and not settings.api_key:
        raise ConfigError(f"--via {PROVIDER} needs an API key: set OPENAI_API_KEY, or pass --base-url for a server "
                          "that speaks the Batch API")
    return BatchAPI(base_url=settings.base_url, api_key=settings.api_key, timeout=settings.timeout)
