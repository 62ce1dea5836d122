"""URLs and feeds from a local HTTP server started by the test (no outside network)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from summarise.errors import InputError
from summarise.inputs.fetch import fetch, load, read_feed, read_url
from tests.helpers import EXAMPLES

RELEASE = (EXAMPLES / "isaf" / "2011-10-S-020.txt").read_text()
PARAGRAPHS = "".join(f"<p>{p}</p>" for p in RELEASE.split("\n") if p.strip())
PAGE = f"""<!doctype html><html><head><title>Patrol kills insurgents in Paktika</title>
<meta property="og:site_name" content="ISAF Joint Command"><meta name="date" content="2011-10-10"></head>
<body><nav>Home | News | Contact</nav><article><h1>Patrol kills insurgents in Paktika</h1>{PARAGRAPHS}</article>
<footer>Copyright notice and links</footer></body></html>"""
FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>ISAF</title>
<item><title>Patrol kills insurgents</title><link>{base}/article</link>
<pubDate>Mon, 10 Oct 2011 12:00:00 GMT</pubDate></item>
</channel></rss>"""


class Handler(BaseHTTPRequestHandler):
    feed_hits = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        routes = {
            "/article": (200, "text/html", PAGE.encode(), {}),
            "/huge": (200, "text/html", b"x" * 6_000_000, {}),
            "/to-file": (302, "text/plain", b"", {"Location": "file:///etc/passwd"}),
            "/hop": (302, "text/plain", b"", {"Location": "/article"}),
            "/missing": (404, "text/plain", b"no", {}),
        }
        if self.path == "/feed":
            Handler.feed_hits += 1
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.send_header("ETag", '"v1"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, ctype, body, headers = 200, "application/rss+xml", FEED.format(base=base).encode(), {"ETag": '"v1"'}
        else:
            status, ctype, body, headers = routes[self.path]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_article_text_and_metadata_from_html(base: str) -> None:
    article = read_url(f"{base}/hop")
    assert "Gomal district, Paktika province" in article.text
    assert "Home | News" not in article.text and "Copyright notice" not in article.text
    assert article.title == "Patrol kills insurgents in Paktika"
    assert article.url == f"{base}/article"
    assert article.published == "2011-10-10"


def test_only_http_is_fetched(base: str) -> None:
    with pytest.raises(InputError, match="only http and https"):
        load("file:///etc/passwd")
    with pytest.raises(InputError, match="only http and https"):
        fetch(f"{base}/to-file")
    with pytest.raises(InputError, match="larger than"):
        fetch(f"{base}/huge")
    with pytest.raises(InputError, match="HTTP 404"):
        fetch(f"{base}/missing")


def test_feed_uses_conditional_get(base: str) -> None:
    entries, state = read_feed(f"{base}/feed")
    assert entries and entries[0].url == f"{base}/article" and state == {"etag": '"v1"'}
    again, state2 = read_feed(f"{base}/feed", state)
    assert again is None and state2["etag"] == '"v1"'
