"""OpenAI and any OpenAI-compatible server (Ollama, vLLM, llama.cpp server) over HTTP."""

from __future__ import annotations

import openai

from .base import Backend
from .llamacpp_format import json_object_schema
from .transport import with_transport_retries


class HTTPBackend(Backend):
    def __init__(self, name: str, model: str, *, base_url: str | None, api_key: str | None,
                 timeout: float, llamacpp: bool = False) -> None:
        client = openai.OpenAI(
            api_key=api_key or "no-key",  # local servers ignore it; never logged
            base_url=base_url,
            timeout=timeout,
            max_retries=0,  # transport retries are ours (tenacity), not the SDK's
        )
        create = with_transport_retries(client.chat.completions.create, deadline=timeout * 3)
        if llamacpp:
            create = json_object_schema(create)
        where = base_url or "the OpenAI API"
        super().__init__(name, create, request_model=model, where=where,
                         default_strategy="anchored" if llamacpp else "single-pass")
        self._client = client

    def close(self) -> None:
        self._client.close()
