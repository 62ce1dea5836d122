"""Briefings over a feed served by a local HTTP server: 304 Not Modified reuses the feed's last
entries, and a feed read is kept only once its entries were fetched and summarised."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from summarise.outputs.briefing.run import run_once
from summarise.storage.store import MIGRATIONS, home
from tests.fakes import FakeChat
from tests.helpers import EXAMPLES

RELEASE = (EXAMPLES / "isaf" / "2011-10-S-020.txt").read_text()
PAGE = ("<!doctype html><html><head><title>Patrol kills insurgents in Paktika</title></head><body><article>"
        "<h1>Patrol kills insurgents in Paktika</h1>"
        + "".join(f"<p>{p}</p>" for p in RELEASE.split("\n") if p.strip()) + "</article></body></html>")
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>ISAF</title>
<item><title>Patrol kills insurgents</title><link>{base}/article</link>
<pubDate>Mon, 10 Oct 2011 12:00:00 GMT</pubDate></item>
</channel></rss>"""
ANSWER = {"headline": "Patrol kills insurgents in Paktika", "summary": "A patrol killed insurgents.",
          "key_demands": [], "strikes": [], "casualty_claims": [], "negotiations": []}


@dataclass
class Site:
    """What the test server serves and what it was asked."""

    base: str = ""
    article_fails: bool = False
    feed_validators: list[str | None] = field(default_factory=list)  # If-None-Match of each feed request


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/feed":
                site.feed_validators.append(self.headers.get("If-None-Match"))
                if self.headers.get("If-None-Match") == '"v1"':
                    self._send(304, b"")
                else:
                    self._send(200, FEED.format(base=site.base).encode(), "application/rss+xml")
            elif site.article_fails:
                self._send(503, b"busy")
            else:
                self._send(200, PAGE.encode(), "text/html")

        def _send(self, status: int, body: bytes, ctype: str = "text/plain") -> None:
            self.send_response(status)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def config(tmp_path: Path, site: Site, fake_provider: FakeChat) -> Path:
    fake_provider.responder = lambda messages: ANSWER
    path = tmp_path / "brief.toml"
    # the test server is on loopback, which feeds may only reach when the config allows it
    path.write_text(f'strategy = "single-pass"\nallow_private_network = true\nwindow = "all"\n'
                    f'[output]\njson = "out/brief.json"\n[[sources]]\nfeed = "{site.base}/feed"\n')
    return path


def test_an_unchanged_feed_keeps_its_articles(config: Path, site: Site) -> None:
    first = run_once(config)
    second = run_once(config)
    assert site.feed_validators == [None, '"v1"']  # the second read was answered 304 Not Modified
    assert first.articles == second.articles == 1 and first.errors == second.errors == 0
    assert second.unchanged
    assert len(json.loads((config.parent / "out" / "brief.json").read_text())["articles"]) == 1


@pytest.mark.parametrize("failure", ["fetch", "summary"])
def test_a_failed_run_reads_the_feed_again(config: Path, site: Site, fake_provider: FakeChat, failure: str) -> None:
    if failure == "fetch":
        site.article_fails = True
    else:
        fake_provider.responder = lambda messages: "not JSON"
    failed = run_once(config)
    assert failed.articles == 0 and failed.errors == 1
    site.article_fails = False
    fake_provider.responder = lambda messages: ANSWER
    again = run_once(config)
    assert site.feed_validators == [None, None]  # nothing kept from the failed run: a full read
    assert again.articles == 1 and again.errors == 0
    run_once(config)
    assert site.feed_validators[-1] == '"v1"'  # kept once it worked


def _store_before_entries(feed: str) -> None:
    """A store as version 2 left it: the feed's validator, without the entries it stands for."""
    db = sqlite3.connect(home() / "summarise.db")
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO feeds VALUES (?, ?, 0)", (feed, json.dumps({"etag": '"v1"'})))
    db.commit()
    db.close()


def test_a_validator_kept_without_entries_leads_to_a_full_read(config: Path, site: Site) -> None:
    home().mkdir(parents=True)
    _store_before_entries(f"{site.base}/feed")
    report = run_once(config)
    assert site.feed_validators == ['"v1"', None]  # 304 with nothing to reuse: read again in full
    assert report.articles == 1
    assert run_once(config).unchanged and site.feed_validators[-1] == '"v1"'

