"""``summarise serve``: the embedded model behind llama-cpp-python's OpenAI-compatible server.

llama-cpp-python's app answers every web page (CORS ``*``, with credentials), takes no key unless
told and reads request bodies of any size. It runs here behind ``secure_app``:

- a request from a web page whose origin is not on the ``--allow-origin`` list is refused (403)
  before it reaches the model: CORS only hides the answer from that page, the request would
  still run (and a page on a rebound DNS name carries its own origin, so it is refused too);
- with an API key, every request must send ``Authorization: Bearer KEY`` (401 otherwise);
- a request body over ``MAX_BODY`` bytes is refused (413) without being read in full.

The server is a process of its own (this module, run as ``python -m summarise.backends.server``),
and ``serve`` becomes it (exec) so that signals reach it directly.
"""

from __future__ import annotations

import argparse
import hmac
import importlib.util
import ipaddress
import os
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping, Sequence
from typing import Any

from summarise.backends.local import N_CTX, model_path
from summarise.backends.model_file import INSTALL_HINT
from summarise.errors import ConfigError

MAX_BODY = 2_000_000  # bytes; a chat request for the longest article allowed (100,000 characters) is far below
# The key goes to the server process in its environment: a command line is visible to every user (ps).
API_KEY_ENV = "SUMMARISE_SERVE_API_KEY"
_ORIGIN = re.compile(r"https?://[^/\s?#*]+")
_DIGITS = re.compile(r"[0-9]+")  # str.isdigit() also takes digits that int() refuses, such as "²"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _refuse(send: Send, status: int, text: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


class OriginGate:
    """403 for a request whose Origin header is not allowed; requests without one (not from a page) pass."""

    def __init__(self, app: ASGIApp, allow_origins: Iterable[str]) -> None:
        self.app = app
        self.allow_origins = frozenset(allow_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _header(scope, b"origin")
        if scope["type"] == "http" and origin is not None and origin not in self.allow_origins:
            await _refuse(send, 403, f"requests from web pages at {origin} are not allowed "
                                     "(summarise serve --allow-origin ORIGIN allows one)\n")
            return
        await self.app(scope, receive, send)


class BearerKey:
    """401 for a request without ``Authorization: Bearer <key>``; compared in constant time."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self._expected = f"Bearer {key}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._authorised(scope):
            await _refuse(send, 401, "missing or wrong API key: send 'Authorization: Bearer <key>'\n",
                          [(b"www-authenticate", b"Bearer")])
            return
        await self.app(scope, receive, send)

    def _authorised(self, scope: Scope) -> bool:
        sent = (_header(scope, b"authorization") or "").encode("latin-1")
        return hmac.compare_digest(sent, self._expected)


class _ClientGone(Exception):
    """The client disconnected before it had sent the whole body."""


class BodyLimit:
    """413 for a request body over ``max_body`` bytes, declared or sent.

    The body is read here (at most ``max_body`` bytes held) and handed to the app whole, so the app
    never starts on a request that turns out too large, whatever framework it is."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and not _DIGITS.fullmatch(declared.strip()):
            await _refuse(send, 400, "bad Content-Length\n")
            return
        if declared is not None and int(declared) > self.max_body:
            await self._too_large(send)
            return
        try:
            body = await self._read(receive)
        except _ClientGone:
            return
        if body is None:
            await self._too_large(send)
        else:
            await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit."""
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise _ClientGone
            body.extend(message.get("body", b""))
            if len(body) > self.max_body:
                return None
            if not message.get("more_body", False):
                return bytes(body)

    async def _too_large(self, send: Send) -> None:
        await _refuse(send, 413, f"request body over {self.max_body:,} bytes\n", [(b"connection", b"close")])


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives ``body`` first, then whatever the client sends next (its disconnect)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed


def secure_app(app: ASGIApp, *, allow_origins: Sequence[str] = (), api_key: str | None = None,
               max_body: int = MAX_BODY) -> ASGIApp:
    """``app`` behind the origin gate, CORS for the allowed origins only, the API key and the body limit.

    CORS comes before the key: a browser's preflight (OPTIONS) never carries one."""
    from starlette.middleware.cors import CORSMiddleware

    guarded: ASGIApp = BodyLimit(app, max_body)
    if api_key:
        guarded = BearerKey(guarded, api_key)
    guarded = CORSMiddleware(guarded, allow_origins=list(allow_origins), allow_methods=["GET", "POST"],
                             allow_headers=["Authorization", "Content-Type"])
    return OriginGate(guarded, allow_origins)


def checked_origins(origins: Iterable[str]) -> tuple[str, ...]:
    """Origins as browsers send them (``scheme://host[:port]``); ConfigError for anything else, ``*`` included."""
    result = []
    for origin in origins:
        normal = origin.strip().rstrip("/")
        if not _ORIGIN.fullmatch(normal):
            raise ConfigError(f"--allow-origin {origin!r}: give an origin such as http://localhost:3000 "
                              "(scheme, host and port; no path, no wildcard)")
        result.append(normal.lower())
    return tuple(result)


def llama_app(path: str, *, n_ctx: int = N_CTX) -> Any:
    """llama-cpp-python's app on the model at ``path`` (this loads it), without its CORS ``*``.

    ``logits_all`` off halves its memory (3.7 → 2.2 GB)."""
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings
    from starlette.middleware.cors import CORSMiddleware

    app = create_app(server_settings=ServerSettings(),
                     model_settings=[ModelSettings(model=path, model_alias="local", n_ctx=n_ctx, logits_all=False)])
    app.user_middleware = [m for m in app.user_middleware if m.cls is not CORSMiddleware]
    return app


def server_command(path: str, *, host: str, port: int, n_ctx: int = N_CTX, allow_origins: Iterable[str] = (),
                   max_body: int = MAX_BODY) -> list[str]:
    """The server process's command line (never the API key: see API_KEY_ENV)."""
    command = [sys.executable, "-m", "summarise.backends.server", "--model", path, "--host", host,
               "--port", str(port), "--n-ctx", str(n_ctx), "--max-body", str(max_body)]
    for origin in allow_origins:
        command += ["--allow-origin", origin]
    return command


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(*, host: str, port: int, n_ctx: int = N_CTX, local_model: str | None = None, api_key: str | None = None,
          allow_origins: Iterable[str] = (), progress: Callable[[str], None] | None = None) -> int:
    """Become the server (exec): signals reach it directly and no orphan can outlive this process."""
    if importlib.util.find_spec("llama_cpp.server") is None or importlib.util.find_spec("uvicorn") is None:
        raise ConfigError(f"'summarise serve' needs llama-cpp-python[server]; run: {INSTALL_HINT}")
    origins = checked_origins(allow_origins)
    path = model_path(local_model, progress)
    if progress:
        progress(f"serving {path} on http://{host}:{port}/v1 as model 'local' (Ctrl-C stops)")
        if not api_key and not _is_loopback(host):
            progress(f"warning: {host} is reachable from other machines and there is no --api-key: "
                     "anyone who can reach it can use the model")
    command = server_command(path, host=host, port=port, n_ctx=n_ctx, allow_origins=origins)
    environment = {name: value for name, value in os.environ.items() if name != API_KEY_ENV}
    if api_key:
        environment[API_KEY_ENV] = api_key
    os.execve(command[0], command, environment)
    return 0  # not reached


def main(argv: Sequence[str] | None = None) -> None:
    """The server process (what ``serve`` becomes): load the model, serve it behind ``secure_app``."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m summarise.backends.server")
    parser.add_argument("--model", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--n-ctx", type=int, default=N_CTX)
    parser.add_argument("--max-body", type=int, default=MAX_BODY)
    parser.add_argument("--allow-origin", action="append", default=[])
    args = parser.parse_args(argv)
    api_key = os.environ.pop(API_KEY_ENV, None) or None
    app = secure_app(llama_app(args.model, n_ctx=args.n_ctx), allow_origins=checked_origins(args.allow_origin),
                     api_key=api_key, max_body=args.max_body)
    uvicorn.run(app, host=args.host, port=args.port)


if __name__ == "__main__":
    main()
