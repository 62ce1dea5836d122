"""The OpenAI Batch API's transport and file formats (also what ``vllm run-batch`` reads and writes).

- ``request_line``: one ``/v1/chat/completions`` request of the batch input file, with a strict
  ``json_schema`` response format (every property required, no extra properties: what OpenAI's
  structured outputs demand of a strict schema, made by the SDK's own ``to_strict_json_schema``).
- ``BatchAPI``: upload the input file, create and retrieve a batch, download a file's content.
- ``read_output``: the output (or error) file's lines, by ``custom_id``; a line that cannot be read
  is reported, never dropped silently.
- ``received_attempt``: one received completion turned into an ``Attempt`` exactly as ``Backend``
  turns a live one (cut off at the budget, or checked against the article with the same checks).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import openai
from openai.lib._pydantic import to_strict_json_schema  # the SDK's own strict-schema builder (used by .parse)
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError

from summarise.backends.attempt import Attempt
from summarise.backends.base import Backend, _text, _usage, transport_error
from summarise.backends.transport import with_transport_retries
from summarise.settings import key_fingerprint

ENDPOINT = "/v1/chat/completions"
# the terminal states of a batch; any other (validating, in_progress, finalizing, cancelling) is still running
FINISHED = ("completed", "failed", "expired", "cancelled")
T = TypeVar("T")


def strict_response_format(model: type[BaseModel]) -> dict[str, Any]:
    """``response_format`` for a strict JSON-schema answer shaped like ``model``."""
    return {"type": "json_schema",
            "json_schema": {"name": model.__name__, "strict": True, "schema": to_strict_json_schema(model)}}


def request_line(custom_id: str, model: str, messages: list[dict[str, str]], max_tokens: int,
                 response_format: dict[str, Any]) -> dict[str, Any]:
    """One line of the batch input file: the same request the backend sends live (``temperature`` 0)."""
    return {"custom_id": custom_id, "method": "POST", "url": ENDPOINT,
            "body": {"model": model, "messages": messages, "max_tokens": max_tokens, "temperature": 0,
                     "response_format": response_format}}


@dataclass
class BatchInfo:
    """What the provider says about a batch."""

    id: str
    status: str
    input_file_id: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    total: int = 0
    completed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)  # why the batch failed (the input file's problems)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def _info(batch: Any) -> BatchInfo:
    counts = getattr(batch, "request_counts", None)
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    return BatchInfo(id=batch.id, status=str(batch.status), input_file_id=batch.input_file_id,
                     output_file_id=batch.output_file_id, error_file_id=batch.error_file_id,
                     total=int(getattr(counts, "total", 0) or 0), completed=int(getattr(counts, "completed", 0) or 0),
                     failed=int(getattr(counts, "failed", 0) or 0),
                     errors=[f"{getattr(e, 'code', None) or 'error'}: {getattr(e, 'message', '')}"
                             + (f" (line {e.line})" if getattr(e, "line", None) else "") for e in errors])


class BatchAPI:
    """The provider's files and batches endpoints (OpenAI, or a server that speaks its Batch API)."""

    def __init__(self, *, base_url: str | None, api_key: str | None, timeout: float) -> None:
        self.where = base_url or "the OpenAI API"
        self._client = openai.OpenAI(api_key=api_key or "no-key", base_url=base_url, timeout=timeout, max_retries=0)
        self._timeout = timeout
        # which server and key (a hash, never the key), as a backend's ``endpoint``
        self.endpoint = hashlib.sha256(f"{self.where}\0{key_fingerprint(api_key)}".encode()).hexdigest()[:12]

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return with_transport_retries(fn, deadline=self._timeout * 3)(*args, **kwargs)
        except openai.OpenAIError as exc:
            raise transport_error(exc, self.where) from None

    def upload(self, name: str, content: bytes) -> str:
        """The id of the uploaded batch input file."""
        return self._call(self._client.files.create, file=(name, content, "application/jsonl"), purpose="batch").id

    def create(self, input_file_id: str, metadata: dict[str, str] | None = None) -> BatchInfo:
        return _info(self._call(self._client.batches.create, input_file_id=input_file_id, endpoint=ENDPOINT,
                                completion_window="24h", metadata=metadata))

    def retrieve(self, batch_id: str) -> BatchInfo:
        return _info(self._call(self._client.batches.retrieve, batch_id))

    def content(self, file_id: str) -> str:
        """A file's whole content (the output or error file of a batch)."""
        response = self._call(self._client.files.content, file_id)
        return response.content.decode("utf-8", errors="replace")

    def close(self) -> None:
        self._client.close()


@dataclass
class OutputLine:
    """One request's outcome in an output or error file: its completion, or why it has none."""

    completion: dict[str, Any] | None = None
    error: str | None = None


def read_output(lines: Iterable[str]) -> tuple[dict[str, OutputLine], list[str]]:
    """Each ``custom_id``'s outcome (the first line for it wins), and the lines that could not be read."""
    found: dict[str, OutputLine] = {}
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            problems.append(f"line {number} is not JSON")
            continue
        custom_id = record.get("custom_id") if isinstance(record, dict) else None
        if not isinstance(custom_id, str):
            problems.append(f"line {number} has no custom_id")
            continue
        if custom_id not in found:
            found[custom_id] = _outcome(record)
    return found, problems


def _outcome(record: dict[str, Any]) -> OutputLine:
    error = record.get("error")
    response = record.get("response")
    response = response if isinstance(response, dict) else {}
    status = response.get("status_code")
    body = response.get("body")
    if error or status != 200 or not isinstance(body, dict):
        detail = error.get("message") or error.get("code") if isinstance(error, dict) else error
        if not detail and isinstance(body, dict) and isinstance(body.get("error"), dict):
            detail = body["error"].get("message")
        return OutputLine(error=f"the batch answered HTTP {status}: {str(detail or 'no completion')[:300]}")
    try:
        ChatCompletion.model_validate(body)
    except ValidationError:
        return OutputLine(error="the batch's completion for this request is malformed")
    return OutputLine(completion=body)


def received_attempt(completion: Mapping[str, Any], response_model: type[BaseModel], context: dict[str, Any],
                     max_tokens: int) -> Attempt:
    """A completion received from a batch, as ``Backend.attempt`` would return it had it come live."""
    parsed = ChatCompletion.model_validate(completion)
    choice = parsed.choices[0] if parsed.choices else None
    if choice is None:
        return Attempt(None, "", ["the answer has no choices"], _usage(parsed))
    if choice.finish_reason == "length":
        return Attempt(None, _text(parsed), [f"output cut off at {max_tokens} tokens"], _usage(parsed),
                       truncated=True)
    if not choice.message.content and getattr(choice.message, "refusal", None):
        return Attempt(None, "", [f"the model refused: {choice.message.refusal}"], _usage(parsed))
    return Backend._checked(_text(parsed), response_model, context, parsed)
