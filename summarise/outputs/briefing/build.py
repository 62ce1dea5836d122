"""Build a briefing from a TOML config: collect, summarise (cached), reconcile, render, write.

Only new or changed articles reach the model (the store's cache). When nothing in the briefing
changed, the output files are left untouched, byte for byte.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from summarise.errors import InputError, SummariseError
from summarise.inputs.article import Article, read_article
from summarise.outputs.briefing.config import BriefConfig, Source, load_config
from summarise.outputs.briefing.ledger import Entry, ledger, resolve_day, signature

__all__ = ["BriefConfig", "build", "changes", "core", "load_config"]

log = logging.getLogger("summarise")
Progress = Callable[[str], None]
def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    for candidate in (value[:10], value):
        try:
            return date.fromisoformat(candidate)
        except ValueError:
            pass
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        return None


def _with_meta(article: Article, source: Source) -> Article:
    from dataclasses import replace

    return replace(article, outlet=source.outlet or article.outlet, published=source.published or article.published)


def collect(config: BriefConfig, errors: list[dict[str, str]], feed_state: dict[str, dict[str, str]]) -> Iterator[
        Article]:
    """Every article the sources name; a source that fails is recorded, never fatal."""
    from summarise.inputs.fetch import read_feed, read_url

    for source in config.sources:
        try:
            if source.path:
                matches = sorted((config.base).glob(source.path)) if any(c in source.path for c in "*?[") \
                    else [config.base / source.path]
                for p in matches:
                    files = sorted(p.glob("*.txt")) if p.is_dir() else [p]
                    for f in files:
                        yield _with_meta(read_article(f, max_chars=config.max_chars), source)
            elif source.url:
                yield _with_meta(read_url(source.url, max_chars=config.max_chars), source)
            elif source.feed:
                entries, feed_state[source.feed] = read_feed(source.feed, feed_state.get(source.feed))
                for entry in entries or []:
                    try:
                        article = read_url(entry.url, max_chars=config.max_chars)
                    except InputError as exc:
                        errors.append({"source": entry.url, "error": str(exc)})
                        continue
                    yield _with_meta(article, source.model_copy(update={"published": entry.published}))
        except SummariseError as exc:
            errors.append({"source": source.path or source.url or source.feed or "?", "error": str(exc)})


def _keep(article: Article, config: BriefConfig, now: datetime) -> bool:
    text = article.text.lower()
    if config.keywords and not any(k.lower() in text for k in config.keywords):
        return False
    if config.places and not any(p.lower() in text for p in config.places):
        return False
    published = _parse_date(article.published)
    window = config.window_delta
    return not (window and published and published < (now - window).date())


def build(config: BriefConfig, *, progress: Progress | None = None, now: datetime | None = None,
          feed_state: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """The briefing as data (what the renderers show)."""
    from summarise.client.summariser import Summariser

    client = Summariser(config.model, base_url=config.base_url, strategy=config.strategy, max_chars=config.max_chars)

    now = now or datetime.now(UTC)
    errors: list[dict[str, str]] = []
    articles: list[dict[str, Any]] = []
    entries: list[Entry] = []
    timeline: list[dict[str, Any]] = []
    talks: list[dict[str, Any]] = []
    demands: list[dict[str, Any]] = []
    seen: set[str] = set()
    for article in collect(config, errors, feed_state if feed_state is not None else {}):
        if article.id in seen or not _keep(article, config, now):
            continue
        seen.add(article.id)
        if progress:
            progress(f"article {len(seen)}: {article.title or article.source}")
        try:
            result = client.summarise(article)
        except SummariseError as exc:
            errors.append({"source": article.source or article.id, "error": f"{type(exc).__name__}: {exc}"})
            continue
        record = result.model_dump(mode="json")
        published = _parse_date(article.published)
        meta = {"article_id": article.id, "title": article.title or "", "outlet": article.outlet,
                "published": published.isoformat() if published else None, "url": article.url,
                "source": article.source, "headline": record["headline"]}
        articles.append(meta)
        for claim in record["casualty_claims"]:
            entries.append(Entry(claim, article.id, article.title or "", article.outlet, published, article.url,
                                 len(entries), signature(claim.get("event", ""), claim["quote"], article.title or "")))
        for strike in record["strikes"]:
            resolved, ok = resolve_day(strike.get("when"), published)
            timeline.append({**strike, "date": resolved or (published.isoformat() if published else None),
                             "date_resolved": ok, **_ref(meta)})
        for item in record["negotiations"]:
            talks.append({**item, **_ref(meta)})
        for item in record["key_demands"]:
            demands.append({**item, **_ref(meta)})
    timeline.sort(key=lambda s: (s["date"] or "", s["article_id"]))
    return {
        "title": config.title,
        "articles": sorted(articles, key=lambda a: (a["published"] or "", a["article_id"])),
        "ledger": ledger(entries),
        "timeline": timeline,
        "negotiations": _board(talks),
        "demands": _demands(demands),
        "errors": errors,
    }


def _ref(meta: dict[str, Any]) -> dict[str, Any]:
    return {"article_id": meta["article_id"], "outlet": meta["outlet"], "published": meta["published"],
            "url": meta["url"], "article_title": meta["title"]}


def _board(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest status per process (same parties), with its history."""
    processes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for item in items:
        key = tuple(sorted(p.lower() for p in item["parties"])) or (item["description"].lower(),)
        processes.setdefault(key, []).append(item)
    board = []
    for history in processes.values():
        history.sort(key=lambda i: (i["published"] or "", i["article_id"]))
        latest = history[-1]
        board.append({"parties": latest["parties"], "status": latest["status"], "venue": latest.get("venue"),
                      "mediator": latest.get("mediator"), "description": latest["description"],
                      "history": history})
    return board


def _demands(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in items:
        grouped.setdefault((item["made_by"], item.get("addressed_to") or ""), []).append(item)
    return [{"made_by": k[0], "addressed_to": k[1] or None, "demands": v} for k, v in grouped.items()]


def changes(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[str]:
    """What changed since the last briefing, in plain lines."""
    if previous is None:
        return ["first briefing"]
    lines = []
    before = {a["article_id"] for a in previous.get("articles", [])}
    for article in current["articles"]:
        if article["article_id"] not in before:
            lines.append(f"new article: {article['title']} ({article['outlet'] or 'unknown outlet'})")
    old_figures = {(f["article_id"], f["count_text"], f["claimed_by"]) for g in previous.get("ledger", [])
                   for f in g["figures"]}
    for group in current["ledger"]:
        for f in group["figures"]:
            if (f["article_id"], f["count_text"], f["claimed_by"]) not in old_figures:
                lines.append(f"new figure in {group['event']}: {f['count_text']} ({f['claimed_by']})")
    old_status = {tuple(sorted(n["parties"])): n["status"] for n in previous.get("negotiations", [])}
    for n in current["negotiations"]:
        was = old_status.get(tuple(sorted(n["parties"])))
        if was and was != n["status"]:
            lines.append(f"negotiations {', '.join(n['parties'])}: {was} → {n['status']}")
    return lines or ["no change in content"]


def core(data: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in data.items() if k != "changes"}, sort_keys=True, ensure_ascii=False)
