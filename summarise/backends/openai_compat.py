"""OpenAI and any OpenAI-compatible server (Ollama, vLLM, llama.cpp server) over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import openai
from openai import RequestOptions
from openai.types.chat import ChatCompletion

from summarise.backends.base import Backend
from summarise.backends.llamacpp_format import json_object_schema
from summarise.backends.transport import with_transport_retries
from summarise.settings import key_fingerprint


class HTTPBackend(Backend):
    def __init__(self, name: str, model: str, *, base_url: str | None, api_key: str | None,
                 timeout: float, llamacpp: bool = False) -> None:
        client = openai.OpenAI(
            api_key=api_key or "no-key",  # local servers ignore it; never logged
            base_url=base_url,
            timeout=timeout,
            max_retries=0,  # transport retries are ours (tenacity), not the SDK's
        )
        create = with_transport_retries(chat_completions(client), deadline=timeout * 3)
        if llamacpp:
            create = json_object_schema(create)
        where = base_url or "the OpenAI API"
        endpoint = hashlib.sha256(f"{where}\0{key_fingerprint(api_key)}".encode()).hexdigest()[:12]
        super().__init__(name, create, request_model=model, where=where,
                         default_strategy="anchored" if llamacpp else "single-pass", endpoint=endpoint)
        self._client = client

    def close(self) -> None:
        self._client.close()


def chat_completions(client: openai.OpenAI) -> Callable[..., ChatCompletion]:
    """``POST /chat/completions`` through the client's documented raw ``post``.

    ``client.chat.completions.create`` first walks every request (the messages and the whole JSON
    Schema) against its typed parameters to rename and drop fields; none applies to the plain JSON
    that Instructor builds, and the walk was a quarter of the client's CPU per article in a batch.
    ``post`` keeps everything else: base URL, key, timeout, errors, and the parsed ``ChatCompletion``.
    """

    def create(*, extra_headers: dict[str, str] | None = None, extra_query: dict[str, object] | None = None,
               extra_body: dict[str, object] | None = None, timeout: float | None = None,
               **params: Any) -> ChatCompletion:
        # the SDK's request options go where ``create`` puts them, never into the JSON body
        given = {"headers": extra_headers, "params": extra_query, "extra_json": extra_body, "timeout": timeout}
        options: RequestOptions = {k: v for k, v in given.items() if v is not None}  # type: ignore[assignment]
        return client.post("/chat/completions", body=params, cast_to=ChatCompletion, options=options)

    return create
