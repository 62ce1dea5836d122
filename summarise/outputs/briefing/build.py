"""Build a briefing from a TOML config: collect, summarise (cached), reconcile, render, write.

Only new or changed articles reach the model (the store's cache). When nothing in the briefing
changed, the output files are left untouched, byte for byte. A feed that answers 304 Not Modified
gives the entries kept from its last good read; a read is kept only once every entry in it was
fetched and summarised, so a run that failed part way reads the feed again next time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from summarise.errors import InputError, SummariseError
from summarise.inputs.article import Article, read_article
from summarise.outputs.briefing.config import BriefConfig, Source, expand, load_config
from summarise.outputs.briefing.ledger import Entry, ledger, resolve_day, signature
from summarise.storage.store import FeedRecord

if TYPE_CHECKING:
    from summarise.inputs.fetch import FeedEntry

__all__ = ["BriefConfig", "Feeds", "build", "changes", "core", "load_config"]

log = logging.getLogger("summarise")
Progress = Callable[[str], None]


@dataclass
class Feeds:
    """Each feed's last good read (from the store), and what this run reads and how it went."""

    known: dict[str, FeedRecord] = field(default_factory=dict)
    read: dict[str, FeedRecord] = field(default_factory=dict)
    articles: dict[str, set[str]] = field(default_factory=dict)  # feed URL -> ids of the articles it gave
    broken: set[str] = field(default_factory=set)  # feeds with an entry that could not be fetched
    failed: set[str] = field(default_factory=set)  # ids of articles whose summary failed

    def to_keep(self) -> dict[str, FeedRecord]:
        """This run's reads of feeds whose every entry was fetched and summarised."""
        return {url: record for url, record in self.read.items()
                if url not in self.broken and not self.articles.get(url, set()) & self.failed}


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


def collect(config: BriefConfig, errors: list[dict[str, str]], feeds: Feeds) -> Iterator[Article]:
    """Every article the sources name; a source that fails is recorded, never fatal."""
    from summarise.inputs.fetch import read_url

    for source in config.sources:
        try:
            if source.path:
                for p in expand(config.base, source.path):
                    files = sorted(p.glob("*.txt")) if p.is_dir() else [p]
                    for f in files:
                        yield _with_meta(read_article(f, max_chars=config.max_chars), source)
            elif source.url:
                article = read_url(source.url, max_chars=config.max_chars,
                                   allow_private_network=config.allow_private_network)
                yield _with_meta(article, source)
            elif source.feed:
                yield from _feed_articles(source, config, errors, feeds)
        except SummariseError as exc:
            errors.append({"source": source.path or source.url or source.feed or "?", "error": str(exc)})


def _feed_articles(source: Source, config: BriefConfig, errors: list[dict[str, str]],
                   feeds: Feeds) -> Iterator[Article]:
    from summarise.inputs.fetch import read_url

    url = str(source.feed)
    for entry in _feed_entries(url, config, feeds):
        try:  # an entry's link is the feed's choice, not the user's: fetch.py checks where it leads
            article = read_url(entry.url, max_chars=config.max_chars, chosen_by_user=False,
                               allow_private_network=config.allow_private_network)
        except InputError as exc:
            feeds.broken.add(url)
            errors.append({"source": entry.url, "error": str(exc)})
            continue
        feeds.articles.setdefault(url, set()).add(article.id)
        yield _with_meta(article, source.model_copy(update={"published": entry.published}))


def _feed_entries(url: str, config: BriefConfig, feeds: Feeds) -> list[FeedEntry]:
    """The feed's entries now: read afresh, or on 304 Not Modified those of its last good read."""
    from summarise.inputs.fetch import FeedEntry, read_feed

    allow = config.allow_private_network
    known = feeds.known.get(url)
    entries, state = read_feed(url, known.state if known else None, allow_private_network=allow)
    if entries is None and known is not None and known.entries is not None:
        entries = [FeedEntry(url=e["url"], title=e.get("title"), published=e.get("published"),
                             summary=e.get("summary")) for e in known.entries]
    elif entries is None:  # a validator kept without its entries (before the store kept them): read in full
        entries, state = read_feed(url, None, allow_private_network=allow)
    entries = entries or []  # None here only from a server that answers 304 to a plain GET
    feeds.read[url] = FeedRecord(state, [asdict(e) for e in entries])
    return entries


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
          feeds: Feeds | None = None) -> dict[str, Any]:
    """The briefing as data (what the renderers show); ``feeds`` learns which feed reads to keep."""
    from summarise.outputs.briefing.client import summariser

    client = summariser(config)
    feeds = feeds if feeds is not None else Feeds()
    now = now or datetime.now(UTC)
    errors: list[dict[str, str]] = []
    articles: list[dict[str, Any]] = []
    entries: list[Entry] = []
    timeline: list[dict[str, Any]] = []
    talks: list[dict[str, Any]] = []
    demands: list[dict[str, Any]] = []
    seen: set[str] = set()
    for article in collect(config, errors, feeds):
        if article.id in seen or not _keep(article, config, now):
            continue
        seen.add(article.id)
        if progress:
            progress(f"article {len(seen)}: {article.title or article.source}")
        try:
            result = client.summarise(article)
        except SummariseError as exc:
            feeds.failed.add(article.id)
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
