"""Test doubles, named as such: a fake chat-completions endpoint with a queue of answers.

``FakeChat`` stands where the OpenAI client or llama.cpp would; the real ``Backend`` (Instructor
parsing, our validators, the reask loop) runs on top of it. Nothing here is a recording.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from openai.types.chat import ChatCompletion

from summarise.backends.base import Backend


def completion(content: str, *, prompt_tokens: int = 100, completion_tokens: int = 50,
               finish_reason: str = "stop") -> ChatCompletion:
    return ChatCompletion.model_validate({
        "id": "fake", "object": "chat.completion", "created": int(time.time()), "model": "fake",
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    })


class FakeChat:
    """Answers each ``create`` call with the next queued answer; records every request."""

    def __init__(self, *answers: str | dict[str, Any] | ChatCompletion | Exception,
                 responder: Callable[[list[dict[str, str]]], str | dict[str, Any]] | None = None) -> None:
        self.queue = list(answers)
        self.requests: list[dict[str, Any]] = []
        self.responder = responder  # answers from the request when the queue is empty
        self._lock = threading.Lock()  # a batch's worker threads share one fake

    def enqueue(self, answer: str | dict[str, Any] | ChatCompletion | Exception) -> None:
        self.queue.append(answer)

    def create(self, **kwargs: Any) -> ChatCompletion:
        with self._lock:
            return self._create(**kwargs)

    def _create(self, **kwargs: Any) -> ChatCompletion:
        self.requests.append(copy.deepcopy(kwargs))  # snapshot: Instructor edits messages afterwards
        if not self.queue and self.responder is not None:
            reply = self.responder(kwargs["messages"])
            return completion(reply if isinstance(reply, str) else json.dumps(reply))
        if not self.queue:
            raise AssertionError("FakeChat: no answer queued for this request")
        answer = self.queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, ChatCompletion):
            return answer
        return completion(answer if isinstance(answer, str) else json.dumps(answer))


def fake_backend(chat: FakeChat, name: str = "fake") -> Backend:
    return Backend(name, chat.create, request_model="fake-model", where="the fake model")
