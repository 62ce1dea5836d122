"""What one model call returns to a strategy: the validated answer, or the raw text and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pydantic import BaseModel

from summarise.contract.record import Usage


@dataclass
class Attempt:
    value: BaseModel | None
    raw: str = ""
    errors: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    truncated: bool = False


class Model(Protocol):
    """What strategies call: one structured-output attempt (a backend, or the client's wrapper of one)."""

    name: str

    def attempt(self, messages: list[dict[str, str]], response_model: type[BaseModel], context: dict[str, object],
                max_tokens: int) -> Attempt: ...
