"""``summarise serve``: which requests reach the model (origins, API key, body size), without loading it.

``StandInModel`` (a test double) stands where llama-cpp-python's app would; the tests on the real
app give it ``FakeLlamaProxy`` (a test double) instead of the model. ``os.execve`` and
``uvicorn.run`` are replaced by recorders, so no server process starts and no port opens.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from click.testing import CliRunner

pytest.importorskip("starlette")

from starlette.testclient import TestClient

PAGE = "http://localhost:3000"
EVIL = "https://evil.example"
CHAT = "/v1/chat/completions"


class StandInModel:
    """Test double for the model's server: reads the whole body, answers how many bytes it got."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps({"received": len(body)}).encode()})


def guarded(**options: Any) -> tuple[TestClient, StandInModel]:
    from summarise.backends.server import secure_app

    model = StandInModel()
    return TestClient(secure_app(model, **options)), model


def test_a_page_from_another_origin_cannot_reach_the_model() -> None:
    client, model = guarded()
    refused = client.post(CHAT, json={"messages": []}, headers={"Origin": EVIL})
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    preflight = client.options(CHAT, headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403 and "access-control-allow-origin" not in preflight.headers
    assert model.bodies == []


def test_a_client_that_is_not_a_web_page_is_served() -> None:
    client, model = guarded()
    assert client.post(CHAT, json={"messages": []}).json() == {"received": 15}
    assert "access-control-allow-origin" not in client.post(CHAT, json={}).headers
    assert len(model.bodies) == 2


def test_an_allowed_origin_gets_cors_for_itself_only() -> None:
    client, _ = guarded(allow_origins=[PAGE])
    answer = client.post(CHAT, json={}, headers={"Origin": PAGE})
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == PAGE
    assert "access-control-allow-credentials" not in answer.headers
    preflight = client.options(CHAT, headers={"Origin": PAGE, "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == PAGE
    assert client.post(CHAT, json={}, headers={"Origin": EVIL}).status_code == 403


def test_with_an_api_key_only_its_bearer_is_served() -> None:
    client, model = guarded(api_key="s3cret", allow_origins=[PAGE])
    missing = client.post(CHAT, json={})
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert client.post(CHAT, json={}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post(CHAT, json={}, headers={"Authorization": "s3cret"}).status_code == 401
    assert client.get("/docs").status_code == 401
    assert model.bodies == []
    assert client.post(CHAT, json={}, headers={"Authorization": "Bearer s3cret"}).status_code == 200
    # A browser's preflight carries no key: an allowed page must still be able to ask.
    preflight = client.options(CHAT, headers={"Origin": PAGE, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200


def test_a_body_over_the_limit_is_refused_unread() -> None:
    client, model = guarded(max_body=1000)
    assert client.post(CHAT, content=b"x" * 1001).status_code == 413
    assert client.post(CHAT, content=b"x" * 1000).json() == {"received": 1000}
    assert client.post(CHAT, content=b"x", headers={"Content-Length": "abc"}).status_code == 400
    assert model.bodies == [b"x" * 1000]


def asgi_post(app: Any, chunks: list[bytes], headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, int]:
    """(status, messages the app did not read) of a POST whose body arrives in ``chunks``, no Content-Length."""
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": CHAT, "raw_path": CHAT.encode(), "query_string": b"",
             "headers": headers or [], "scheme": "http", "server": ("127.0.0.1", 8765), "http_version": "1.1"}
    anyio.run(app, scope, receive, send)
    return sent[0]["status"], len(messages)


def test_a_chunked_body_is_cut_off_at_the_limit() -> None:
    from summarise.backends.server import secure_app

    model = StandInModel()
    app = secure_app(model, max_body=1000)
    status, unread = asgi_post(app, [b"x" * 600, b"x" * 600, b"x" * 600, b"x" * 600])
    assert (status, unread) == (413, 2) and model.bodies == []
    assert asgi_post(app, [b"x" * 600, b"x" * 400]) == (200, 0) and model.bodies == [b"x" * 1000]
    assert asgi_post(app, [b"x"], [(b"content-length", "²".encode("latin-1"))]) == (400, 1)  # int() refuses it


# llama-cpp-python's own app, with a stand-in for the model


class FakeLlama:
    """Test double for llama_cpp.Llama: tokenizes by whitespace."""

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        return list(range(len(text.split())))


class FakeLlamaProxy:
    """Test double for llama_cpp.server.model.LlamaProxy: one model, 'local', never loaded."""

    def __init__(self, models: list[Any]) -> None:
        self.models = models

    def __call__(self, model: str | None = None) -> FakeLlama:
        return FakeLlama()

    def __iter__(self) -> Iterator[str]:
        yield "local"


@pytest.fixture
def llama_server(monkeypatch: pytest.MonkeyPatch) -> Any:
    """llama-cpp-python's app module with FakeLlamaProxy in place of the model loader."""
    module = pytest.importorskip("llama_cpp.server.app")
    monkeypatch.setattr(module, "LlamaProxy", FakeLlamaProxy)
    monkeypatch.setattr(module, "_llama_proxy", None)  # create_app sets these module globals: restored after
    monkeypatch.setattr(module, "_server_settings", None)
    return module


COUNT = "/extras/tokenize/count"


def test_llama_cpp_alone_lets_any_page_call_the_model(llama_server: Any) -> None:
    """The finding: the app as llama-cpp-python builds it answers any origin, credentials allowed."""
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    app = llama_server.create_app(server_settings=ServerSettings(), model_settings=[ModelSettings(model="m.gguf")])
    answer = TestClient(app).post(COUNT, json={"input": "one two"}, headers={"Origin": EVIL})
    assert answer.status_code == 200 and answer.headers["access-control-allow-origin"] == EVIL
    assert answer.headers["access-control-allow-credentials"] == "true"


def test_the_served_llama_app_is_guarded(llama_server: Any) -> None:
    from summarise.backends.server import llama_app, secure_app

    client = TestClient(secure_app(llama_app("m.gguf"), allow_origins=[PAGE], api_key="s3cret", max_body=1000))
    key = {"Authorization": "Bearer s3cret"}
    assert client.post(COUNT, json={"input": "one two three"}, headers=key).json() == {"count": 3}
    assert client.post(COUNT, json={"input": "one"}).status_code == 401
    assert client.post(COUNT, json={"input": "one"}, headers={**key, "Origin": EVIL}).status_code == 403
    assert client.post(COUNT, json={"input": "x" * 2000}, headers=key).status_code == 413
    allowed = client.post(COUNT, json={"input": "one"}, headers={**key, "Origin": PAGE})
    assert allowed.headers["access-control-allow-origin"] == PAGE
    assert "access-control-allow-credentials" not in allowed.headers  # llama's own CORS * is gone


def test_the_server_process_serves_the_guarded_app(llama_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``serve`` execs: ``python -m summarise.backends.server``, here with uvicorn.run recorded."""
    uvicorn = pytest.importorskip("uvicorn")
    from summarise.backends import server

    served: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.append((app, kwargs)))
    monkeypatch.setenv(server.API_KEY_ENV, "s3cret")
    server.main(["--model", "m.gguf", "--port", "8799", "--allow-origin", PAGE])
    assert server.API_KEY_ENV not in os.environ
    app, kwargs = served[0]
    assert kwargs == {"host": "127.0.0.1", "port": 8799}
    client = TestClient(app)
    assert client.post(COUNT, json={"input": "one"}).status_code == 401
    assert client.post(COUNT, json={"input": "one"}, headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.post(COUNT, content=b"x" * 2_000_001, headers={"Authorization": "Bearer s3cret"}).status_code == 413


@pytest.fixture
def execs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], dict[str, str]]]:
    """Records the exec of the server process (a test double for os.execve) instead of doing it."""
    from summarise.backends import server

    pytest.importorskip("llama_cpp.server")
    pytest.importorskip("uvicorn")
    seen: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(server, "model_path", lambda local_model, progress: "/models/stand-in.gguf")
    monkeypatch.setattr(server.os, "execve", lambda path, argv, env: seen.append((list(argv), dict(env))))
    # execv too: the server used to be exec'd that way, and a test must never replace the test process.
    monkeypatch.setattr(server.os, "execv", lambda path, argv: seen.append((list(argv), dict(os.environ))))
    return seen


def test_serve_passes_origins_on_the_command_line_and_the_key_in_the_environment(
        execs: list[tuple[list[str], dict[str, str]]]) -> None:
    from summarise.cli import main

    result = CliRunner().invoke(main, ["serve", "--api-key", "s3cret", "--allow-origin", "http://LocalHost:3000/"])
    assert result.exit_code == 0, result.output
    argv, env = execs[0]
    assert argv[1:3] == ["-m", "summarise.backends.server"]
    assert argv[argv.index("--allow-origin") + 1] == PAGE
    assert "s3cret" not in " ".join(argv) and env["SUMMARISE_SERVE_API_KEY"] == "s3cret"


def test_serve_reads_the_key_from_the_environment_and_warns_without_one_off_loopback(
        execs: list[tuple[list[str], dict[str, str]]]) -> None:
    from summarise.cli import main

    result = CliRunner().invoke(main, ["serve"], env={"SUMMARISE_SERVE_API_KEY": "from-env"})
    assert execs[0][1]["SUMMARISE_SERVE_API_KEY"] == "from-env"
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"], env={"SUMMARISE_SERVE_API_KEY": ""})
    assert "SUMMARISE_SERVE_API_KEY" not in execs[1][1] and "no --api-key" in result.output


@pytest.mark.parametrize("origin", ["*", "http://localhost:3000/app", "localhost:3000", "null"])
def test_serve_refuses_an_origin_that_is_not_one(origin: str, execs: list[tuple[list[str], dict[str, str]]]) -> None:
    from summarise.cli import main

    result = CliRunner().invoke(main, ["serve", "--allow-origin", origin])
    assert result.exit_code == 3 and "--allow-origin" in result.output and execs == []
