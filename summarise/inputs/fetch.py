"""Articles from the web: URLs (trafilatura) and RSS/Atom feeds (feedparser, conditional GET).

Only ``http`` and ``https`` are fetched, redirects included (never ``file://`` or any other
scheme), with a timeout and a size cap. Feeds send the ETag / Last-Modified they got last time,
so an unchanged feed costs one small request and no parsing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlparse

from summarise.errors import InputError
from summarise.inputs import DEFAULT_MAX_CHARS
from summarise.inputs.article import Article, article_from_text

MAX_BYTES = 5_000_000
TIMEOUT = 20.0
MAX_REDIRECTS = 5
USER_AGENT = "summarise/0.1 (+https://pypi.org/project/summarise)"


def is_url(value: str) -> bool:
    return urlparse(value).scheme in ("http", "https")


def _check_scheme(url: str) -> None:
    scheme = urlparse(url).scheme
    if scheme not in ("http", "https"):
        raise InputError(f"refusing to fetch {url!r}: only http and https URLs are read")


@dataclass
class Fetched:
    url: str
    status: int
    body: bytes
    headers: dict[str, str]


def fetch(url: str, *, headers: dict[str, str] | None = None, timeout: float = TIMEOUT,
          max_bytes: int = MAX_BYTES) -> Fetched:
    """GET ``url`` following at most a few http(s) redirects; InputError on anything else."""
    import httpx

    _check_scheme(url)
    request_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                with client.stream("GET", url, headers=request_headers) as response:
                    if response.has_redirect_location:
                        url = urljoin(url, response.headers.get("location", ""))
                        _check_scheme(url)
                        continue
                    body = bytearray()
                    for block in response.iter_bytes():
                        body.extend(block)
                        if len(body) > max_bytes:
                            raise InputError(f"{url} is larger than {max_bytes:,} bytes; not read")
                    if response.status_code >= 400:
                        raise InputError(f"{url} answered HTTP {response.status_code}")
                    return Fetched(str(response.url), response.status_code, bytes(body), dict(response.headers))
            except httpx.HTTPError as exc:
                raise InputError(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from None
    raise InputError(f"{url}: more than {MAX_REDIRECTS} redirects")


def article_from_html(html: str | bytes, url: str | None = None, *, max_chars: int = DEFAULT_MAX_CHARS,
                      outlet: str | None = None, published: str | None = None) -> Article:
    """The main text and metadata of an HTML page (trafilatura)."""
    import trafilatura

    extracted = trafilatura.extract(html, url=url, output_format="json", with_metadata=True,
                                    include_comments=False, favor_precision=True)
    if not extracted:
        raise InputError(f"{url or 'the HTML'}: no article text found in the page")
    data: dict[str, Any] = json.loads(extracted)
    title = data.get("title")
    text = data.get("text") or ""
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    return article_from_text(text, max_chars=max_chars, source=url or "html", title=title, url=url,
                             outlet=outlet or data.get("sitename") or (urlparse(url).hostname if url else None),
                             published=published or data.get("date"))


def read_url(url: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> Article:
    fetched = fetch(url)
    return article_from_html(fetched.body, fetched.url, max_chars=max_chars)


@dataclass
class FeedEntry:
    url: str
    title: str | None
    published: str | None
    summary: str | None


def read_feed(url: str, state: dict[str, str] | None = None) -> tuple[list[FeedEntry] | None, dict[str, str]]:
    """Entries of a feed, or None when the server says it has not changed since ``state``.

    Returns the new state (etag, last-modified) to keep for the next call.
    """
    import feedparser

    headers = {}
    state = state or {}
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    if state.get("modified"):
        headers["If-Modified-Since"] = state["modified"]
    fetched = fetch(url, headers=headers)
    new_state = {k: v for k, v in (("etag", fetched.headers.get("etag")),
                                   ("modified", fetched.headers.get("last-modified"))) if v}
    if fetched.status == 304:
        return None, {**state, **new_state}
    parsed = feedparser.parse(fetched.body)
    if parsed.bozo and not parsed.entries:
        raise InputError(f"{url} is not a readable RSS/Atom feed")
    entries = [FeedEntry(url=e.get("link", ""), title=e.get("title"), published=e.get("published") or e.get("updated"),
                         summary=e.get("summary")) for e in parsed.entries if e.get("link")]
    return entries, new_state


def load(ref: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> Article:
    """A path, ``-`` (standard input) or an http(s) URL; other URL schemes are refused."""
    from summarise.inputs.article import read_article

    if is_url(ref):
        return read_url(ref, max_chars=max_chars)
    if "://" in ref:
        _check_scheme(ref)
    article = read_article(ref, max_chars=max_chars)
    if looks_like_html(article.text):  # a saved web page: take its article text, not its markup
        return article_from_html(article.text, None, max_chars=max_chars)
    return article


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text[:5000])
