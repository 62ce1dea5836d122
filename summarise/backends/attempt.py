"""What one model call returns to a strategy: the validated answer, or the raw text and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel

from summarise.contract.record import Usage


@dataclass
class Timing:
    """Where one call's time went, as the server measured it: the prompt tokens it actually processed
    (a cached prefix is not processed again) and the output tokens it generated. None: not reported."""

    prefill_tokens: int | None = None
    prefill_ms: float | None = None
    decode_tokens: int | None = None
    decode_ms: float | None = None


@dataclass
class Attempt:
    value: BaseModel | None
    raw: str = ""
    errors: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    truncated: bool = False
    timing: Timing | None = None


class Model(Protocol):
    """What strategies call: one structured-output attempt (a backend, or the client's wrapper of one)."""

    name: str

    def attempt(self, messages: list[dict[str, str]], response_model: type[BaseModel], context: dict[str, object],
                max_tokens: int) -> Attempt: ...
