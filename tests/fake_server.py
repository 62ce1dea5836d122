"""A local OpenAI-compatible HTTP server for benchmarks and fault injection (a test double).

It answers ``POST /v1/chat/completions`` on 127.0.0.1 with a completion body taken from a cassette
recorded from the real embedded-model server, after an optional delay, or with the next scripted
fault: HTTP errors (with or without Retry-After), a stall longer than the client's timeout, a
connection reset in the middle of the body, a cut-off completion, malformed JSON, no choices.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def recorded_completion(cassette: str = "seed-single-pass.yaml", index: int = -1) -> dict[str, Any]:
    """A real completion body from a cassette (``index`` picks the interaction)."""
    data = yaml.safe_load((ROOT / "cassettes" / cassette).read_text(encoding="utf-8"))
    body = data["interactions"][index]["response"]["body"]["string"]
    return dict(json.loads(body))


@dataclass
class Fault:
    """One scripted answer: ``kind`` is status, stall, reset, length, malformed, empty or content."""

    kind: str
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    content: str | None = None


@dataclass
class ServerState:
    body: dict[str, Any]
    delay: float = 0.0
    script: list[Fault] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: list[dict[str, Any]] = field(default_factory=list)  # each request's path, Authorization and JSON body

    def next_fault(self) -> Fault | None:
        with self.lock:
            self.requests += 1
            return self.script.pop(0) if self.script else None


def _handler(state: ServerState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # headers and body go out as two writes; without this, Nagle's algorithm and the client's
        # delayed ACK add about 40 ms to every answer, which a real server does not
        disable_nagle_algorithm = True

        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # GET /v1/models, as servers list their models
            state.seen.append({"path": self.path, "authorization": self.headers.get("Authorization"), "body": None})
            if self.path.rstrip("/").endswith("/models"):
                return self._send(200, json.dumps({"object": "list", "data": [{"id": "local"}]}).encode())
            return self._send(404, b'{"error": {"message": "not found"}}')

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            state.seen.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                               "body": json.loads(raw) if raw else None})
            fault = state.next_fault()
            if state.delay:
                time.sleep(state.delay)
            body = json.loads(json.dumps(state.body))
            if fault is None:
                return self._send(200, json.dumps(body).encode())
            if fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return self._send(fault.status, json.dumps({"error": {"message": "injected"}}).encode(), headers)
            if fault.kind == "stall":
                time.sleep(fault.seconds)
                return self._send(200, json.dumps(body).encode())
            if fault.kind == "reset":
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload[: len(payload) // 3])
                self.wfile.flush()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.close()
                return None
            if fault.kind == "length":
                body["choices"][0]["finish_reason"] = "length"
                body["choices"][0]["message"]["content"] = body["choices"][0]["message"]["content"][:200]
                return self._send(200, json.dumps(body).encode())
            if fault.kind == "malformed":
                return self._send(200, b'{"id": "x", "choices": [{"message": ')
            if fault.kind == "empty":
                body["choices"] = []
                return self._send(200, json.dumps(body).encode())
            if fault.kind == "content":
                body["choices"][0]["message"]["content"] = fault.content or ""
                return self._send(200, json.dumps(body).encode())
            raise ValueError(fault.kind)

    return Handler


@contextmanager
def fake_openai_server(body: dict[str, Any] | None = None, *, delay: float = 0.0,
                       script: list[Fault] | None = None) -> Iterator[tuple[str, ServerState]]:
    """Yields (base URL, state); the server stops when the block ends."""
    state = ServerState(body=body or recorded_completion(), delay=delay, script=list(script or []))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    server.request_queue_size = 256
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":  # python -m tests.fake_server DELAY: serve until killed, print the base URL
    import sys

    with fake_openai_server(delay=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0) as (base_url, _):
        print(base_url, flush=True)
        threading.Event().wait()
