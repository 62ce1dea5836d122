"""Where fetches may connect, and for how long (server-side request forgery, slow servers).

A URL the user gave is fetched where it points; an address a redirect or a feed entry chose must
be public unless private networks are allowed. Every server here listens on 127.0.0.1; names that
resolve elsewhere come from ``FakeResolver`` (a test double for the system resolver), and the
suite's network guard (tests/conftest.py) refuses every connection that is not to loopback, so no
packet leaves the machine. ``connects`` records each connection the client attempts.
"""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from summarise.errors import InputError
from summarise.inputs.fetch import fetch, load, read_feed, read_url
from tests.helpers import EXAMPLES

RELEASE = (EXAMPLES / "isaf" / "2011-10-S-020.txt").read_text()
PAGE = ("<!doctype html><html><head><title>Patrol kills insurgents in Paktika</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in RELEASE.split("\n") if p.strip()) + "</article></body></html>").encode()
PUBLIC = "93.184.216.34"  # a public address: the network guard refuses it, so nothing is sent there


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[dict[str, int]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        Handler.hits[url.path] = Handler.hits.get(url.path, 0) + 1
        if url.path == "/to":  # a redirect to wherever the query says: the server (a third party) chooses
            self._answer(302, b"", {"Location": parse_qs(url.query)["u"][0]})
        elif url.path == "/article":
            self._answer(200, PAGE)
        elif url.path == "/host":
            self._answer(200, str(self.headers.get("Host")).encode())
        elif url.path == "/feed":
            link = parse_qs(url.query)["link"][0]
            self._answer(200, f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
                              f"<title>Patrol</title><link>{link}</link></item></channel></rss>".encode(),
                         {"Content-Type": "application/rss+xml"})
        elif url.path.startswith("/slow/"):  # each hop answers within any per-read timeout, all of them do not
            hop = int(url.path.rsplit("/", 1)[1])
            time.sleep(0.4)
            self._answer(302, b"", {"Location": f"/slow/{hop + 1}" if hop < 4 else "/article"})
        elif url.path == "/trickle":
            self._trickle()

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "text/html", "Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self) -> None:
        """One byte every 0.2 s for 4 s: every read finishes well within any per-read timeout."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(20):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:  # the client gave up: that is the point
            pass


def _serve(context: ssl.SSLContext | None = None) -> tuple[ThreadingHTTPServer, int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, server.server_address[1]


@pytest.fixture
def port() -> Iterator[int]:
    Handler.hits = {}
    server, number = _serve()
    yield number
    server.shutdown()
    server.server_close()


class FakeResolver:
    """Test double for ``socket.getaddrinfo``: made-up names get the answers given, in turn (the last one
    repeats); every other name and every IP literal goes to the real resolver."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self._real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,
                 flags: int = 0) -> list[Any]:
        if host not in self.answers:
            return self._real(host, port, family, type, proto, flags)
        self.asked.append(host)
        turns = self.answers[host]
        addresses = turns.pop(0) if len(turns) > 1 else turns[0]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port or 0))
                for a in addresses]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> FakeResolver:
    fake = FakeResolver({})
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every (address, port) the client tries to connect to, refused or not by the network guard."""
    seen: list[tuple[str, int]] = []
    guarded = socket.socket.connect

    def recording(sock: socket.socket, address: Any) -> Any:
        seen.append((str(address[0]), int(address[1])))
        return guarded(sock, address)

    monkeypatch.setattr(socket.socket, "connect", recording)
    return seen


def redirect(port: int, target: str) -> str:
    return f"http://127.0.0.1:{port}/to?u={target}"


@pytest.mark.parametrize("target", [
    "http://localhost:{port}/article",  # another name for the user's server
    "http://127.0.0.2:{port}/article",
    "http://127.0.0.1:9/",  # the user's host, another port: another service
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://100.100.100.200/latest/meta-data/",  # shared address space (100.64/10), metadata on some clouds
    "http://0.0.0.0:{port}/article",
    "http://224.0.0.1/",
    "http://[::1]:{port}/article",
    "http://[::ffff:127.0.0.1]:{port}/article",  # IPv4-mapped IPv6
    "http://[fe80::1]/",
    "http://[fd00::1]/",
])
def test_a_redirect_to_a_private_address_is_refused_before_connecting(
        port: int, target: str, connects: list[tuple[str, int]]) -> None:
    with pytest.raises(InputError, match="not a public address") as caught:
        fetch(redirect(port, target.format(port=port)))
    assert "--allow-private-network" in str(caught.value)
    assert connects == [("127.0.0.1", port)]  # the user's URL only
    assert "/article" not in Handler.hits


def test_a_feed_entry_link_to_a_private_address_is_not_fetched(port: int) -> None:
    """The briefing's flow: the feed's URL is the user's, its entries' links are the feed's."""
    entries, _ = read_feed(f"http://127.0.0.1:{port}/feed?link=http://127.0.0.1:{port}/article")
    assert entries and entries[0].url == f"http://127.0.0.1:{port}/article"
    with pytest.raises(InputError, match="not a public address"):
        read_url(entries[0].url, chosen_by_user=False)
    assert "/article" not in Handler.hits
    article = read_url(entries[0].url, chosen_by_user=False, allow_private_network=True)
    assert article.title == "Patrol kills insurgents in Paktika"


@pytest.mark.parametrize("target", ["http://[::1", "http://xn--/"])
def test_a_malformed_url_is_an_input_error_whoever_gave_it(port: int, target: str) -> None:
    """A feed or a redirect may send anything; a ValueError would end the whole briefing run."""
    with pytest.raises(InputError, match=r"not a valid URL|Invalid URL"):
        fetch(redirect(port, target))
    with pytest.raises(InputError, match="not a valid URL"):
        read_url(target, chosen_by_user=False)
    with pytest.raises(InputError, match="not a valid URL"):
        load(target)


def test_allowing_private_networks_lets_redirects_reach_them(port: int) -> None:
    fetched = fetch(redirect(port, f"http://localhost:{port}/article"), allow_private_network=True)
    assert fetched.status == 200 and fetched.url == f"http://localhost:{port}/article"


def test_every_address_a_name_resolves_to_is_checked(port: int, resolver: FakeResolver,
                                                     connects: list[tuple[str, int]]) -> None:
    """One private address among public ones is enough to refuse: a client that tried them in turn
    would reach the private one once the public one failed."""
    resolver.answers["mixed.test"] = [[PUBLIC, "127.0.0.1"]]
    with pytest.raises(InputError, match=re.escape("mixed.test resolves to 127.0.0.1, not a public address")):
        fetch(redirect(port, f"http://mixed.test:{port}/article"))
    assert connects == [("127.0.0.1", port)] and "/article" not in Handler.hits


def test_the_connection_goes_to_the_address_that_was_checked(port: int, resolver: FakeResolver,
                                                            connects: list[tuple[str, int]]) -> None:
    """DNS rebinding: the name is public when checked and loopback a moment later. The name is looked up
    once and the connection goes to the checked (public) address, which the network guard refuses."""
    resolver.answers["rebind.test"] = [[PUBLIC], ["127.0.0.1"]]
    with pytest.raises(InputError, match="cannot fetch"):
        fetch(redirect(port, f"http://rebind.test:{port}/article"))
    assert resolver.asked == ["rebind.test"]
    assert connects == [("127.0.0.1", port), (PUBLIC, port)] and "/article" not in Handler.hits


def test_the_host_name_is_sent_though_the_checked_address_is_connected_to(port: int, resolver: FakeResolver) -> None:
    resolver.answers["news.test"] = [["127.0.0.1"]]
    assert fetch(f"http://news.test:{port}/host").body == f"news.test:{port}".encode()


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    assert shutil.which("openssl"), "the openssl command makes the test certificate (Debian: apt-get install openssl)"
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize(("certified", "ok"), [("news.test", True), ("other.test", False)])
def test_tls_checks_the_certificate_of_the_host_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     resolver: FakeResolver, certified: str, ok: bool) -> None:
    """Connecting to the checked address must not turn the certificate check into one for that address."""
    cert, key = _certificate(tmp_path, certified)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server, number = _serve(context)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the test certificate is the only one trusted
    resolver.answers["news.test"] = [["127.0.0.1"]]
    try:
        if ok:
            assert fetch(f"https://news.test:{number}/host").body == f"news.test:{number}".encode()
        else:
            with pytest.raises(InputError, match="CERTIFICATE_VERIFY_FAILED"):
                fetch(f"https://news.test:{number}/host")
    finally:
        server.shutdown()
        server.server_close()


def test_a_trickling_body_is_cut_off_by_the_deadline(port: int) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match=r"no complete answer within 1 s"):
        fetch(f"http://127.0.0.1:{port}/trickle", timeout=1.0)
    assert time.monotonic() - started < 2.5


def test_one_deadline_covers_every_redirect(port: int) -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match=r"no complete answer within 1 s"):
        fetch(f"http://127.0.0.1:{port}/slow/1", timeout=1.0)
    assert time.monotonic() - started < 2.5
    assert "/article" not in Handler.hits


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.216.34", True), ("2606:4700:4700::1111", True), ("1.1.1.1", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.0.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("255.255.255.255", False),
    ("224.0.0.251", False), ("240.0.0.1", False), ("::1", False), ("::", False), ("fe80::1", False),
    ("fd12:3456::1", False), ("ff02::1", False), ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False),
    ("::127.0.0.1", False), ("64:ff9b::a9fe:a9fe", False), ("2002:7f00:1::", False), ("2002:5db8:d822::", True),
])
def test_public_addresses(address: str, public: bool) -> None:
    from summarise.inputs.fetch import is_public_address

    assert is_public_address(address) is public


def test_run_passes_allow_private_network_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarise.cli import main
    from summarise.inputs import fetch as fetch_module

    seen: list[dict[str, Any]] = []

    def fake_load(ref: str, **kwargs: Any) -> Any:  # a test double: records, then stops the run
        seen.append(kwargs)
        raise InputError("stop here")

    monkeypatch.setattr(fetch_module, "load", fake_load)
    runner = CliRunner()
    assert runner.invoke(main, ["run", "http://127.0.0.1:9/a"]).exit_code == 2
    assert runner.invoke(main, ["run", "--allow-private-network", "http://127.0.0.1:9/a"]).exit_code == 2
    assert [kwargs.get("allow_private_network") for kwargs in seen] == [False, True]
