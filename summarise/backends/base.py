"""One attempt at structured output through Instructor, shared by every backend adapter.

Adapters only supply a chat-completions ``create`` callable; this module turns one call into an
``Attempt``: the validated model, or the raw output with the validation errors for the reask.
Instructor's own reask loop is not used (``max_retries=0``): its history grows with every
attempt, ours sends the article once plus only the latest errors (see ``summarise.strategies.loop``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import instructor
import openai
from instructor import ResponseSchema, response_schema
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ValidationError

from summarise.backends.attempt import Attempt, Timing
from summarise.contract.messages import format_errors
from summarise.contract.models import CachedSchema
from summarise.contract.record import Usage
from summarise.errors import BackendUnavailable, ConfigError, SummariseError

log = logging.getLogger("summarise")
# Instructor logs every failed attempt as an error (we ask it for one attempt at a time and handle
# reasks ourselves); keep that out of users' stderr unless they configure logging themselves.
logging.getLogger("instructor").addHandler(logging.NullHandler())


def _usage(completion: Any) -> Usage:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return Usage()
    return Usage(prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                 completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0))


def _timing(completion: Any) -> Timing | None:
    """A llama.cpp server's ``timings`` (prompt tokens processed, tokens generated, milliseconds), or an
    OpenAI-style count of cached prompt tokens; None when the server reports neither."""
    extra = getattr(completion, "model_extra", None) or {}
    timings = extra.get("timings") if isinstance(extra, dict) else None
    if isinstance(timings, dict):
        return Timing(prefill_tokens=timings.get("prompt_n"), prefill_ms=timings.get("prompt_ms"),
                      decode_tokens=timings.get("predicted_n"), decode_ms=timings.get("predicted_ms"))
    usage = getattr(completion, "usage", None)
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None)
    if isinstance(cached, int):
        return Timing(prefill_tokens=int(getattr(usage, "prompt_tokens", 0) or 0) - cached,
                      decode_tokens=int(getattr(usage, "completion_tokens", 0) or 0))
    return None


def _text(completion: Any) -> str:
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return ""
    if message.content:
        return str(message.content)
    calls = getattr(message, "tool_calls", None) or []
    return str(calls[0].function.arguments) if calls else ""


def transport_error(exc: BaseException, where: str) -> SummariseError:
    """Map a final transport/API error to our exceptions, with the cause in words."""
    if isinstance(exc, openai.AuthenticationError):
        return ConfigError(f"{where} rejected the API key (HTTP 401); check OPENAI_API_KEY")
    if isinstance(exc, openai.NotFoundError):
        return ConfigError(f"{where} answered 404: unknown model or wrong base URL")
    if isinstance(exc, openai.APITimeoutError):
        return BackendUnavailable(f"{where} did not answer in time (timeout); raise --timeout or check the server")
    if isinstance(exc, openai.APIConnectionError):
        return BackendUnavailable(f"cannot reach {where}: {exc.__cause__ or exc}")
    if isinstance(exc, openai.APIStatusError):
        retried = " after retries" if exc.status_code >= 500 or exc.status_code == 429 else ""
        return BackendUnavailable(f"{where} answered HTTP {exc.status_code}{retried}: {exc.message[:200]}")
    return BackendUnavailable(f"{where} failed: {type(exc).__name__}: {exc}")


_WRAPPED: dict[type[BaseModel], type[BaseModel]] = {}


def _prepared(model: type[BaseModel]) -> type[BaseModel]:
    """Instructor wraps the response model in a new class on every call unless it already is one.

    That costs milliseconds and, with per-class caches, memory that grows with every call. The
    contract's classes (``CachedSchema``) are wrapped once; per-call models made by the anchored
    strategy are left to Instructor (they are used once).
    """
    if issubclass(model, ResponseSchema) or not issubclass(model, CachedSchema):
        return model
    wrapped = _WRAPPED.get(model)
    if wrapped is None:
        wrapped = _WRAPPED[model] = response_schema(model)
    return wrapped


def check_once(check: Callable[[Any], None]) -> Callable[[Any], None]:
    """``check`` (Instructor's walk of a response model for async validators), run once per contract class.

    Instructor 1.17 walks the whole model four times per call, about 0.3 ms each for the summary
    schema: a quarter of the client's CPU per article in a batch. The walk's outcome depends only
    on the class, so a contract class (``CachedSchema``) that passed once is not walked again.
    Any other model, and any class that failed, is checked every time, as before.
    """
    passed: set[type] = set()

    def reject_async_validators(response_model: Any) -> None:
        if isinstance(response_model, type) and response_model in passed:
            return
        check(response_model)
        if isinstance(response_model, type) and issubclass(response_model, CachedSchema):
            passed.add(response_model)

    reject_async_validators.summarise_check_once = True  # type: ignore[attr-defined]
    return reject_async_validators


def _install_check_once() -> bool:
    """Put ``check_once`` where Instructor looks the check up; False if its layout has changed."""
    try:
        from instructor.v2.core import patch
        from instructor.v2.validation import async_validators
    except ImportError:
        return False
    current: Callable[[Any], None] | None = getattr(async_validators, "reject_async_validators", None)
    if current is None or id(getattr(patch, "reject_async_validators", None)) != id(current):
        return False
    if not getattr(current, "summarise_check_once", False):
        once = check_once(current)
        setattr(async_validators, "reject_async_validators", once)  # noqa: B010 (typed module attribute)
        setattr(patch, "reject_async_validators", once)  # noqa: B010
    return True


_install_check_once()


class Backend:
    """A model reachable through an OpenAI-style ``create`` callable."""

    def __init__(self, name: str, create: Callable[..., Any], *, request_model: str, where: str,
                 mode: instructor.Mode = instructor.Mode.JSON_SCHEMA, default_strategy: str = "single-pass",
                 endpoint: str = "") -> None:
        self.name = name
        self.where = where
        # which server and key answer (a hash, never the key): part of every cache key, so two servers
        # behind the same model name never share answers; "" for the embedded model
        self.endpoint = endpoint
        # Chosen by measurement (benchmarks/README.md): small local models need the anchored strategy
        self.default_strategy = default_strategy
        self._request_model = request_model
        self._create = instructor.patch(create=create, mode=mode)

    def attempt(self, messages: list[dict[str, str]], response_model: type[BaseModel],
                context: dict[str, Any], max_tokens: int) -> Attempt:
        try:
            value = self._create(
                response_model=_prepared(response_model),
                messages=messages,
                max_retries=0,
                model=self._request_model,
                max_tokens=max_tokens,
                temperature=0,
            )
        except IncompleteOutputException as exc:
            completion = exc.last_completion
            return Attempt(None, _text(completion), [f"output cut off at {max_tokens} tokens"],
                           _usage(completion), truncated=True, timing=_timing(completion))
        except InstructorRetryException as exc:
            if not exc.failed_attempts:
                raise transport_error(exc.__cause__ or exc, self.where) from None
            last = exc.failed_attempts[-1]
            if isinstance(last.exception, ValidationError):  # the full list, with the article's checks too
                return self._checked(_text(last.completion), response_model, context, last.completion)
            return Attempt(None, _text(last.completion), format_errors(last.exception), _usage(last.completion))
        except openai.OpenAIError as exc:
            raise transport_error(exc, self.where) from None
        completion = getattr(value, "_raw_response", None)
        return self._checked(_text(completion), response_model, context, completion)

    @staticmethod
    def _checked(text: str, response_model: type[BaseModel], context: dict[str, Any], completion: Any) -> Attempt:
        """Validate the model's JSON against the article, as Instructor would with a ``context``.

        Instructor is called without one: given a context it renders every message as a Jinja
        template (and dedents it), so an article containing "{{", "{%" or "{#" would reach the model
        altered, or fail. The JSON is the text Instructor parsed, validated the same way (strict).
        """
        try:
            value = response_model.model_validate_json(text, context=context, strict=True)
        except ValidationError as exc:
            return Attempt(None, text, format_errors(exc), _usage(completion), timing=_timing(completion))
        return Attempt(value, text, [], _usage(completion), timing=_timing(completion))

    def close(self) -> None:
        """Release resources (a loaded model); the default holds none."""
