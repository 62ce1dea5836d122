"""llama.cpp (in-process and its server) wants ``json_object`` + ``schema``, not ``json_schema``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def json_object_schema(create: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``create`` so an OpenAI ``json_schema`` response format becomes a llama.cpp grammar."""

    def call(**kwargs: Any) -> Any:
        fmt = kwargs.get("response_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
            kwargs["response_format"] = {"type": "json_object", "schema": fmt["json_schema"]["schema"]}
        return create(**kwargs)

    return call
