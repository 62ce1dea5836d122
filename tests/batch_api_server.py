"""A local OpenAI Batch API server on 127.0.0.1 (a test double), for the provider-batch tests.

It serves ``/v1/files`` (upload, retrieve, ``/content``), ``/v1/batches`` (create, retrieve) and
``/v1/chat/completions`` (the reasks and the articles a batch did not answer). Every completion it
gives is a completion recorded from the real embedded-model server (``cassettes/seed-single-pass.yaml``,
see ``tests.fake_server.recorded_completion``), its content being that recorded answer or the same answer
with its one fabricated claim removed. Each batch follows a ``BatchScript``: how many polls it stays
``in_progress``, its final status, and which requests get no line, a malformed line or an error-file
line.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fake_server import recorded_completion

RECORDED = recorded_completion("seed-single-pass.yaml", index=0)
# The recorded answer quotes "22 people are dead and 4 are injured", which the article does not say
FABRICATED = RECORDED["choices"][0]["message"]["content"]


def _fixed() -> str:
    data = json.loads(FABRICATED)
    data["casualty_claims"] = []  # the recorded answer without its fabricated claim: it passes every check
    return json.dumps(data)


FIXED = _fixed()


def completion(content: str = FIXED, finish_reason: str = "stop") -> dict[str, Any]:
    """The recorded completion body with ``content`` as its answer."""
    body = json.loads(json.dumps(RECORDED))
    body["choices"][0]["message"]["content"] = content
    body["choices"][0]["finish_reason"] = finish_reason
    return dict(body)


@dataclass
class BatchScript:
    """What one batch does: ``polls`` retrieves ``in_progress``, then ``status`` with its files."""

    status: str = "completed"  # completed, expired, failed or cancelled
    polls: int = 0
    answered: int | None = None  # only the first N requests get an output line (None: all)
    malformed: list[str] = field(default_factory=list)  # custom ids whose output line is broken JSON
    errors: list[str] = field(default_factory=list)  # custom ids answered in the error file (HTTP 500)
    contents: dict[str, str] = field(default_factory=dict)  # custom id: answer content (default FIXED)


@dataclass
class BatchServerState:
    scripts: list[BatchScript] = field(default_factory=list)  # one per batch created, in order
    chat: list[str | int] = field(default_factory=list)  # chat answers: content, or an HTTP status to fail with
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    chat_requests: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[bytes] = field(default_factory=list)
    headers_seen: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{len(self.files) + len(self.batches) + 1}"

    def add_file(self, data: bytes) -> str:
        file_id = self.new_id("file")
        self.files[file_id] = data
        return file_id


def _file_object(file_id: str, data: bytes) -> dict[str, Any]:
    return {"id": file_id, "object": "file", "bytes": len(data), "created_at": int(time.time()),
            "filename": f"{file_id}.jsonl", "purpose": "batch", "status": "processed"}


def _finish(state: BatchServerState, batch: dict[str, Any], script: BatchScript) -> None:
    """Run the batch's requests as scripted and attach its output and error files."""
    requests = [json.loads(line) for line in state.files[batch["input_file_id"]].splitlines() if line.strip()]
    batch["status"] = script.status
    batch["request_counts"] = {"total": len(requests), "completed": 0, "failed": 0}
    if script.status == "failed":
        batch["errors"] = {"object": "list", "data": [{"code": "invalid_request", "message": "scripted failure",
                                                        "line": 1, "param": None}]}
        return
    out, err = [], []
    for number, request in enumerate(requests):
        custom_id = request["custom_id"]
        if script.answered is not None and number >= script.answered:
            continue
        if custom_id in script.errors:
            err.append(json.dumps({"id": f"req-{number}", "custom_id": custom_id,
                                   "response": {"status_code": 500, "request_id": f"r{number}",
                                                "body": {"error": {"message": "scripted server error"}}},
                                   "error": None}))
            batch["request_counts"]["failed"] += 1
            continue
        if custom_id in script.malformed:
            out.append(f'{{"id": "req-{number}", "custom_id": "{custom_id}", "response": {{"status_code": 200, "bo')
            continue
        body = completion(script.contents.get(custom_id, FIXED))
        out.append(json.dumps({"id": f"req-{number}", "custom_id": custom_id,
                               "response": {"status_code": 200, "request_id": f"r{number}", "body": body},
                               "error": None}))
        batch["request_counts"]["completed"] += 1
    if out:
        batch["output_file_id"] = state.add_file(("\n".join(out) + "\n").encode())
    if err:
        batch["error_file_id"] = state.add_file(("\n".join(err) + "\n").encode())


def _handler(state: BatchServerState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, payload: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _json(self, status: int, obj: Any) -> None:
            self._send(status, json.dumps(obj).encode())

        def _body(self) -> bytes:
            state.headers_seen.append(str(self.headers))
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self) -> None:
            self._body()
            parts = self.path.split("?")[0].strip("/").split("/")  # v1, files|batches, id[, content]
            with state.lock:
                if parts[1] == "files" and len(parts) >= 3 and parts[2] in state.files:
                    data = state.files[parts[2]]
                    if len(parts) == 4 and parts[3] == "content":
                        return self._send(200, data, "application/octet-stream")
                    return self._json(200, _file_object(parts[2], data))
                if parts[1] == "batches" and len(parts) == 3 and parts[2] in state.batches:
                    batch = state.batches[parts[2]]
                    script: BatchScript = batch["_script"]
                    if batch["status"] not in ("completed", "failed", "expired", "cancelled"):
                        batch["_polls"] += 1
                        if batch["_polls"] > script.polls:
                            _finish(state, batch, script)
                        else:
                            batch["status"] = "in_progress"
                    return self._json(200, {k: v for k, v in batch.items() if not k.startswith("_")})
            return self._json(404, {"error": {"message": f"no such resource {self.path}"}})

        def do_POST(self) -> None:
            raw = self._body()
            path = self.path.split("?")[0].rstrip("/")
            with state.lock:
                if path == "/v1/files":
                    message = BytesParser(policy=email_policy).parsebytes(
                        b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + raw)
                    fields = {part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
                              for part in message.iter_parts()}
                    if fields.get("purpose") != b"batch":
                        return self._json(400, {"error": {"message": "purpose must be batch"}})
                    state.uploads.append(fields["file"])
                    file_id = state.add_file(fields["file"])
                    return self._json(200, _file_object(file_id, fields["file"]))
                if path == "/v1/batches":
                    request = json.loads(raw)
                    if request["input_file_id"] not in state.files or request["endpoint"] != "/v1/chat/completions":
                        return self._json(400, {"error": {"message": "bad batch request"}})
                    batch_id = state.new_id("batch")
                    script = state.scripts.pop(0) if state.scripts else BatchScript()
                    state.batches[batch_id] = {
                        "id": batch_id, "object": "batch", "endpoint": request["endpoint"],
                        "input_file_id": request["input_file_id"], "completion_window": request["completion_window"],
                        "status": "validating", "created_at": int(time.time()), "output_file_id": None,
                        "error_file_id": None, "metadata": request.get("metadata"),
                        "request_counts": {"total": 0, "completed": 0, "failed": 0},
                        "_script": script, "_polls": 0}
                    return self._json(200, {k: v for k, v in state.batches[batch_id].items() if not k.startswith("_")})
                if path == "/v1/chat/completions":
                    state.chat_requests.append(json.loads(raw))
                    answer = state.chat.pop(0) if state.chat else FIXED
                    if isinstance(answer, int):
                        return self._json(answer, {"error": {"message": "scripted failure"}})
                    return self._json(200, completion(answer))
            return self._json(404, {"error": {"message": f"no such endpoint {self.path}"}})

    return Handler


@contextmanager
def batch_api_server(*scripts: BatchScript) -> Iterator[tuple[str, BatchServerState]]:
    """Yields (base URL, state); the server stops when the block ends."""
    state = BatchServerState(scripts=list(scripts))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()

