"""Run a briefing once or on a schedule (APScheduler), never two runs at once (a lock file).

The state file (the JSON output, or a hidden one next to the outputs) says what the outputs show,
so it is written last, and feed reads are kept only after it: a run that fails anywhere leaves
the old state, and the next run sees a change and writes everything again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarise.errors import ConfigError
from summarise.outputs.briefing.build import Feeds, build, changes, core, load_config
from summarise.outputs.briefing.render import RENDERERS
from summarise.settings import parse_duration
from summarise.storage.files import write_all
from summarise.storage.store import open_store

log = logging.getLogger("summarise")
Progress = Callable[[str], None]


@dataclass
class RunReport:
    articles: int
    errors: int
    written: list[Path] = field(default_factory=list)
    unchanged: bool = False
    skipped_locked: bool = False


def _state_path(outputs: dict[str, Path]) -> Path:
    if "json" in outputs:
        return outputs["json"]
    first = next(iter(outputs.values()))
    return first.with_name(f".{first.stem}.state.json")


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_once(config_path: Path, progress: Progress | None = None) -> RunReport:
    """Build the briefing; write the outputs only when their content changed (or one is missing)."""
    config = load_config(config_path)
    state_path = _state_path(config.outputs)
    with _lock(state_path.with_name(f".{state_path.name}.lock")) as got:
        if not got:
            log.warning("another run of %s is in progress; this one is skipped", config_path)
            return RunReport(0, 0, skipped_locked=True)
        store = open_store()
        feeds = Feeds(known=store.feeds())
        data = build(config, progress=progress, feeds=feeds)
        report = RunReport(len(data["articles"]), len(data["errors"]))
        previous = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else None
        present = all(p.exists() for p in config.outputs.values())  # one deleted or newly configured: write
        if previous is not None and core(previous) == core(data) and present:
            report.unchanged = True
        else:
            data["changes"] = changes(previous, data)
            report.written = _write(config.outputs, state_path, data)
        for url, record in feeds.to_keep().items():
            store.save_feed(url, record)
        return report


def _write(outputs: dict[str, Path], state_path: Path, data: dict[str, Any]) -> list[Path]:
    """Render every output before writing any (a renderer that fails changes nothing), the state last."""
    texts = {path: RENDERERS[fmt](data) for fmt, path in outputs.items() if path != state_path}
    texts[state_path] = RENDERERS["json"](data)
    write_all(texts)
    return [path for path in texts if path in outputs.values()]


def every_seconds(value: str) -> int:
    try:
        return int(parse_duration(value).total_seconds())
    except ValueError:
        raise ConfigError(f"--every {value!r}: use e.g. 30m, 1h, 1d") from None


def run_scheduled(config_path: Path, *, every: str | None = None, cron: str | None = None,
                  on_report: Callable[[RunReport], None] | None = None) -> None:
    """Run now, then on the schedule, until interrupted. Missed runs coalesce into one."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    try:
        trigger = CronTrigger.from_crontab(cron) if cron else IntervalTrigger(seconds=every_seconds(every or "1h"))
    except ValueError as exc:
        raise ConfigError(f"schedule: {exc}") from None

    def job() -> None:
        try:
            report = run_once(config_path)
        except Exception as exc:  # a failed run is logged; the schedule goes on
            log.error("briefing run failed: %s: %s", type(exc).__name__, exc)
            return
        if on_report:
            on_report(report)

    scheduler = BlockingScheduler()
    job()
    scheduler.add_job(job, trigger, coalesce=True, max_instances=1, misfire_grace_time=3600)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
