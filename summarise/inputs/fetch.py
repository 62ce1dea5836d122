"""Articles from the web: URLs (trafilatura) and RSS/Atom feeds (feedparser, conditional GET).

Only ``http`` and ``https`` are fetched, redirects included (never ``file://`` or any other
scheme), with a size cap and one deadline for the whole fetch: every redirect and the body
together, so a server that trickles its answer cannot stall a scheduled run.

Where a fetch may connect: the URL the user gave (on the command line or in their briefing
config) is fetched where it points, even on their own machine or network. An address chosen by
someone else, a redirect to another host or port or a feed entry's link, must resolve to public
addresses only, unless the user allows private ones (``--allow-private-network``, or
``allow_private_network = true`` in the briefing config). Each host is resolved once per fetch,
every address it resolves to is checked, and the connection goes to a checked address (the Host
header, TLS SNI and certificate check keep the host name), so a DNS answer that changes between
check and connect (DNS rebinding) cannot reach an address that was not checked. Feeds send the
ETag / Last-Modified they got last time, so an unchanged feed costs one small request and no
parsing.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlparse

import httpcore

from summarise.errors import InputError
from summarise.inputs import DEFAULT_MAX_CHARS
from summarise.inputs.article import Article, article_from_text

if TYPE_CHECKING:
    import httpx

MAX_BYTES = 5_000_000
TIMEOUT = 20.0  # seconds for a whole fetch: connecting, every redirect and the body
MAX_REDIRECTS = 5
USER_AGENT = "summarise/0.1 (+https://pypi.org/project/summarise)"
ALLOW_HINT = "pass --allow-private-network, or set allow_private_network = true in the briefing config"
# A NAT64 gateway (RFC 6052) turns 64:ff9b::a.b.c.d into a connection to a.b.c.d: judge a.b.c.d.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class PrivateAddressError(InputError):
    """A redirect or feed entry leads to a non-public address, and private addresses are not allowed."""


def is_url(value: str) -> bool:
    try:
        return urlparse(value).scheme in ("http", "https")
    except ValueError:  # such as a broken IPv6 literal: still meant as a URL, and refused as one by fetch
        return value.lower().startswith(("http://", "https://"))


def _check_scheme(url: str) -> None:
    try:
        scheme = urlparse(url).scheme
    except ValueError as exc:
        raise InputError(f"{url!r} is not a valid URL: {exc}") from None
    if scheme not in ("http", "https"):
        raise InputError(f"refusing to fetch {url!r}: only http and https URLs are read")


def _parse(url: str) -> httpx.URL:
    """``url`` as httpx will fetch it; InputError for another scheme or a malformed URL, which a redirect
    or a feed entry may well send (httpx and the IDNA codec raise ValueError and InvalidURL on those)."""
    import httpx

    _check_scheme(url)
    try:
        parsed = httpx.URL(url)
        _ = parsed.host  # decodes an IDNA host now: httpx would fail on a bad one mid-request, with a ValueError
    except (httpx.InvalidURL, ValueError) as exc:
        raise InputError(f"{url!r} is not a valid URL: {exc}") from None
    return parsed


def _redirect_target(url: str, location: str) -> str:
    try:
        target = urljoin(url, location)
    except ValueError as exc:
        raise InputError(f"{url} redirects to {location!r}, not a valid URL: {exc}") from None
    _parse(target)
    return target


def is_public_address(ip: str) -> bool:
    """Whether ``ip`` is a public internet address: not private, loopback, link-local (cloud metadata at
    169.254.169.254), shared (100.64/10), multicast, reserved or unspecified, nor an IPv6 form of such
    an IPv4 address (IPv4-mapped, 6to4, NAT64)."""
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
        if embedded is not None:
            return is_public_address(str(embedded))
    return address.is_global and not (address.is_private or address.is_loopback or address.is_link_local
                                      or address.is_multicast or address.is_reserved or address.is_unspecified)


class _Deadline:
    """One fetch's time limit; every network operation gets at most what is left of it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds

    def bound(self, timeout: float | None, error: type[httpcore.TimeoutException]) -> float:
        """``timeout`` cut to the time left; ``error`` (an httpcore timeout) once none is left."""
        left = self._at - time.monotonic()
        if left <= 0:
            raise error(f"the fetch's {self.seconds:g} s deadline has passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline, however slowly bytes come."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        # server_hostname is the URL's host name (httpcore passes it), not the address connected to:
        # SNI and the certificate check are for the name.
        left = self._deadline.bound(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def _resolve(host: str, deadline: _Deadline) -> list[str]:
    """Every address of ``host`` (an IP literal is its own), looked up within what is left of the deadline.

    The system resolver has no timeout of its own, so it runs in a daemon thread that is left behind
    if it is too slow."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    answer: list[list[str] | Exception] = []
    done = threading.Event()

    def look_up() -> None:
        try:
            answer.append([str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)])
        except Exception as exc:  # OSError, or UnicodeError from the IDNA codec: the caller reports it
            answer.append(exc)
        finally:
            done.set()

    threading.Thread(target=look_up, name=f"resolve {host}", daemon=True).start()
    if not done.wait(deadline.bound(None, httpcore.ConnectTimeout)):
        raise httpcore.ConnectTimeout(f"no address for {host} within the fetch's {deadline.seconds:g} s deadline")
    if isinstance(answer[0], Exception) or not answer[0]:
        raise httpcore.ConnectError(f"cannot resolve {host}: {answer[0] or 'no address'}")
    return list(dict.fromkeys(answer[0]))


class _CheckedBackend(httpcore.NetworkBackend):
    """httpcore's connections for one fetch: each host resolved once, its addresses checked, and the
    connection made to one of those very addresses, never to a second lookup's answer."""

    def __init__(self, deadline: _Deadline, *, trusted: set[tuple[str, int]], allow_private: bool) -> None:
        self._deadline = deadline
        self._trusted = trusted  # (host, port) of the user's own URL: fetched where it points
        self._allow_private = allow_private
        self._addresses: dict[str, list[str]] = {}  # pinned for the whole fetch, every redirect included
        self._system = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        error: httpcore.ConnectError | None = None
        for address in self._checked(host, port):
            try:
                stream = self._system.connect_tcp(address, port, self._deadline.bound(timeout, httpcore.ConnectTimeout),
                                                  local_address, socket_options)
            except httpcore.ConnectError as exc:  # like socket.create_connection: try the next address
                error = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        raise error or httpcore.ConnectError(f"no address to connect to for {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("fetches never use unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _checked(self, host: str, port: int) -> list[str]:
        if host not in self._addresses:
            self._addresses[host] = _resolve(host, self._deadline)
        addresses = self._addresses[host]
        if (host, port) in self._trusted or self._allow_private:
            return addresses
        for address in addresses:
            if not is_public_address(address):
                raise PrivateAddressError(f"{host} resolves to {address}, not a public address, and a redirect or "
                                          f"feed entry chose it (to allow private addresses, {ALLOW_HINT})")
        return addresses


def _origin(url: str) -> tuple[str, int]:
    """(host, port) of ``url`` as httpcore names them when it connects."""
    parsed = _parse(url)
    return parsed.raw_host.decode("ascii"), parsed.port or _DEFAULT_PORTS[parsed.scheme]


def _transport(backend: httpcore.NetworkBackend) -> httpx.HTTPTransport:
    """httpx's own transport, on a connection pool that connects through ``backend``.

    httpx has no public setting for the network backend yet (encode/httpx#3749), so the pool it built
    is replaced; the check makes a change inside httpx fail loudly rather than connect unchecked."""
    import httpx

    transport = httpx.HTTPTransport(trust_env=False)
    if not isinstance(getattr(transport, "_pool", None), httpcore.ConnectionPool):
        raise RuntimeError(f"httpx {httpx.__version__} builds its transport differently; cannot check addresses")
    transport._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=backend)
    return transport


@dataclass
class Fetched:
    url: str
    status: int
    body: bytes
    headers: dict[str, str]


def fetch(url: str, *, headers: dict[str, str] | None = None, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
          allow_private_network: bool = False, chosen_by_user: bool = True) -> Fetched:
    """GET ``url`` following at most a few http(s) redirects, all within ``timeout`` seconds; InputError
    on anything else.

    ``chosen_by_user``: the user gave this URL, so it is fetched where it points (a redirect on the same
    host and port goes to the same checked addresses); any other address must be public unless
    ``allow_private_network``. Pass False for a URL someone else chose, such as a feed entry's link.
    """
    import httpx

    origin = _origin(url)  # parsing it refuses a malformed URL, whoever chose it
    backend = _CheckedBackend(_Deadline(timeout), trusted={origin} if chosen_by_user else set(),
                              allow_private=allow_private_network)
    request_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    # trust_env=False: a proxy from the environment would resolve and connect itself, unchecked.
    with httpx.Client(transport=_transport(backend), timeout=timeout, follow_redirects=False,
                      trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                with client.stream("GET", url, headers=request_headers) as response:
                    if response.has_redirect_location:
                        url = _redirect_target(url, response.headers.get("location", ""))
                        continue
                    return _read(response, url, max_bytes)
            except PrivateAddressError as exc:
                raise PrivateAddressError(f"refusing to fetch {url}: {exc}") from None
            except httpx.TimeoutException:
                raise InputError(f"{url}: no complete answer within {timeout:g} s (one deadline covers every "
                                 "redirect and the whole body); not read") from None
            except httpx.HTTPError as exc:
                raise InputError(f"cannot fetch {url}: {type(exc).__name__}: {exc}") from None
            except (httpx.InvalidURL, ValueError) as exc:  # httpx reads a redirect's Location even when not following
                raise InputError(f"cannot fetch {url}: its redirect is not a valid URL: {exc}") from None
    raise InputError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _read(response: httpx.Response, url: str, max_bytes: int) -> Fetched:
    body = bytearray()
    for block in response.iter_bytes():
        body.extend(block)
        if len(body) > max_bytes:
            raise InputError(f"{url} is larger than {max_bytes:,} bytes; not read")
    if response.status_code >= 400:
        raise InputError(f"{url} answered HTTP {response.status_code}")
    return Fetched(str(response.url), response.status_code, bytes(body), dict(response.headers))


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


def read_url(url: str, *, max_chars: int = DEFAULT_MAX_CHARS, allow_private_network: bool = False,
             chosen_by_user: bool = True) -> Article:
    """The article at ``url``; pass ``chosen_by_user=False`` for a link someone else chose (a feed entry's)."""
    fetched = fetch(url, allow_private_network=allow_private_network, chosen_by_user=chosen_by_user)
    return article_from_html(fetched.body, fetched.url, max_chars=max_chars)


@dataclass
class FeedEntry:
    url: str
    title: str | None
    published: str | None
    summary: str | None


def read_feed(url: str, state: dict[str, str] | None = None, *,
              allow_private_network: bool = False) -> tuple[list[FeedEntry] | None, dict[str, str]]:
    """Entries of a feed, or None when the server says it has not changed since ``state``.

    Returns the new state (etag, last-modified) to keep for the next call. The feed's URL is the
    user's; its entries' links are not: fetch them with ``read_url(entry.url, chosen_by_user=False)``.
    """
    import feedparser

    headers = {}
    state = state or {}
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    if state.get("modified"):
        headers["If-Modified-Since"] = state["modified"]
    fetched = fetch(url, headers=headers, allow_private_network=allow_private_network)
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


def load(ref: str, *, max_chars: int = DEFAULT_MAX_CHARS, allow_private_network: bool = False) -> Article:
    """A path, ``-`` (standard input) or an http(s) URL; other URL schemes are refused.

    A URL given here is the user's: fetched where it points; ``allow_private_network`` lets its
    redirects reach private addresses too."""
    from summarise.inputs.article import read_article

    if is_url(ref):
        return read_url(ref, max_chars=max_chars, allow_private_network=allow_private_network)
    if "://" in ref:
        _check_scheme(ref)
    article = read_article(ref, max_chars=max_chars)
    if looks_like_html(article.text):  # a saved web page: take its article text, not its markup
        return article_from_html(article.text, None, max_chars=max_chars)
    return article


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text[:5000])
