"""Ask an OpenAI-compatible server, cheaply, whether it answers and which structured output it accepts.

For ``summarise doctor --base-url URL``: ``GET /models`` with a short timeout, then one tiny chat request
per structured-output mode, in order, until one works: ``json_schema`` (``response_format`` with a JSON
Schema), ``json_object`` (JSON mode), ``tools`` (a forced function call). A mode works when the server
answers 200 with a JSON object in the message (or a tool call, for ``tools``). Each request asks for at
most 16 tokens. The key goes in the Authorization header only; no message here ever holds it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

MODES = ("json_schema", "json_object", "tools")
_SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"],
           "additionalProperties": False}
_MESSAGES = [{"role": "user", "content": 'Reply with the JSON object {"ok": true} and nothing else.'}]


@dataclass
class ModeResult:
    mode: str
    works: bool
    detail: str


@dataclass
class ServerProbe:
    base_url: str
    answers: bool
    detail: str  # what GET /models said: the models listed, or why it did not answer
    models: list[str] = field(default_factory=list)
    modes: list[ModeResult] = field(default_factory=list)

    @property
    def structured_output(self) -> str | None:
        """The first mode that worked, or None."""
        return next((m.mode for m in self.modes if m.works), None)


def _request(mode: str, model: str) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": _MESSAGES, "max_tokens": 16, "temperature": 0}
    if mode == "json_schema":
        body["response_format"] = {"type": "json_schema",
                                   "json_schema": {"name": "probe", "schema": _SCHEMA, "strict": True}}
    elif mode == "json_object":
        body["response_format"] = {"type": "json_object"}
    else:
        body["tools"] = [{"type": "function", "function": {"name": "probe", "parameters": _SCHEMA}}]
        body["tool_choice"] = {"type": "function", "function": {"name": "probe"}}
    return body


def _judge(mode: str, response: httpx.Response) -> ModeResult:
    if response.status_code != 200:
        return ModeResult(mode, False, f"refused: HTTP {response.status_code}")
    try:
        message = response.json()["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        return ModeResult(mode, False, "answered 200 without a chat completion")
    if mode == "tools":
        calls = message.get("tool_calls") or []
        return ModeResult(mode, bool(calls), "a tool call came back" if calls else "no tool call came back")
    try:
        parsed = json.loads(message.get("content") or "")
    except ValueError:
        return ModeResult(mode, False, "accepted, but the answer is not JSON")
    if not isinstance(parsed, dict):
        return ModeResult(mode, False, "accepted, but the answer is not a JSON object")
    return ModeResult(mode, True, "accepted; answered with a JSON object")


def _reason(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def probe_server(base_url: str, *, model: str, api_key: str | None, timeout: float = 5.0) -> ServerProbe:
    """What the server at ``base_url`` answers; never raises for a server that is down or refuses."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    root = base_url.rstrip("/")
    with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False) as client:
        try:
            listed = client.get(f"{root}/models")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return ServerProbe(base_url, False, f"not answering ({_reason(exc)})")
        probe = ServerProbe(base_url, True, f"GET /models: HTTP {listed.status_code}")
        if listed.status_code == 200:
            try:
                data = listed.json().get("data") or []
                probe.models = [str(m.get("id")) for m in data if isinstance(m, dict)][:10]
            except (ValueError, AttributeError):
                pass
        for mode in MODES:
            try:
                result = _judge(mode, client.post(f"{root}/chat/completions", json=_request(mode, model)))
            except httpx.HTTPError as exc:
                result = ModeResult(mode, False, f"no answer ({_reason(exc)})")
            probe.modes.append(result)
            if result.works:
                break
    return probe
