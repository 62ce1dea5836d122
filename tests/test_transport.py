"""Transport retries on openai's own exception types, with a recorded (not real) sleep."""

from __future__ import annotations

from typing import Any

import httpx2
import openai
import pytest

from summarise.backends.transport import with_transport_retries

REQUEST = httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def status_error(code: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    response = httpx2.Response(code, headers=headers or {}, request=REQUEST)
    cls = {429: openai.RateLimitError, 500: openai.InternalServerError, 400: openai.BadRequestError}.get(
        code, openai.APIStatusError)
    return cls(f"HTTP {code}", response=response, body=None)


class Flaky:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self, **kwargs: Any) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def run(fn: Flaky, **options: Any) -> tuple[str, list[float]]:
    sleeps: list[float] = []
    wrapped = with_transport_retries(fn, sleep=sleeps.append, **options)
    return wrapped(), sleeps


def test_429_honours_retry_after() -> None:
    result, sleeps = run(Flaky(status_error(429, {"retry-after": "7"})))
    assert result == "ok" and sleeps == [7.0]


def test_429_retry_after_ms() -> None:
    _, sleeps = run(Flaky(status_error(429, {"retry-after-ms": "1500"})))
    assert sleeps == [1.5]


def test_5xx_timeouts_and_resets_back_off_and_succeed() -> None:
    fn = Flaky(status_error(500), status_error(503), openai.APITimeoutError(request=REQUEST),
               openai.APIConnectionError(request=REQUEST))
    result, sleeps = run(fn)
    assert result == "ok" and fn.calls == 5
    assert len(sleeps) == 4 and all(0 <= s <= 30 for s in sleeps)


def test_client_errors_are_not_retried() -> None:
    fn = Flaky(status_error(400))
    with pytest.raises(openai.BadRequestError):
        run(fn)
    assert fn.calls == 1


def test_gives_up_after_the_bounded_number_of_tries() -> None:
    fn = Flaky(*[status_error(502) for _ in range(10)])
    with pytest.raises(openai.APIStatusError):
        run(fn, tries=3)
    assert fn.calls == 3


def recording_client(replies: list[httpx2.Response]) -> tuple[openai.OpenAI, list[httpx2.Request]]:
    """An OpenAI client on an in-memory transport (a test double) that records each request."""
    seen: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return replies.pop(0)

    client = openai.OpenAI(api_key="sk-test-double", base_url="http://127.0.0.1:9/v1", max_retries=0,
                           http_client=httpx2.Client(transport=httpx2.MockTransport(handle)))
    return client, seen


def test_raw_post_sends_what_the_sdk_create_sends_and_parses_the_same() -> None:
    import json

    from summarise.backends.base import _prepared
    from summarise.backends.openai_compat import chat_completions
    from summarise.contract.models import ArticleSummary
    from tests.fakes import completion

    body = completion('{"headline": "x"}').model_dump_json().encode()
    client, seen = recording_client([httpx2.Response(200, content=body) for _ in range(2)])
    schema = _prepared(ArticleSummary).model_json_schema()
    params: dict[str, Any] = {
        "messages": [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "An article."}],
        "model": "m", "max_tokens": 64, "temperature": 0,
        "response_format": {"type": "json_schema", "json_schema": {"name": "ArticleSummary", "schema": schema}},
    }
    via_sdk = client.chat.completions.create(**params)
    via_post = chat_completions(client)(**params)
    assert len(seen) == 2 and json.loads(seen[1].content) == json.loads(seen[0].content)
    assert (seen[1].url, seen[1].headers["authorization"]) == (seen[0].url, seen[0].headers["authorization"])
    assert via_post == via_sdk


def test_raw_post_raises_the_sdk_errors_that_transport_retries_read() -> None:
    from summarise.backends.openai_compat import chat_completions

    client, _ = recording_client([httpx2.Response(429, headers={"retry-after": "3"}, json={"error": {}})])
    with pytest.raises(openai.RateLimitError) as caught:
        chat_completions(client)(messages=[], model="m")
    assert caught.value.response.headers["retry-after"] == "3"


def test_raw_post_keeps_request_options_out_of_the_body() -> None:
    import json

    from summarise.backends.openai_compat import chat_completions
    from tests.fakes import completion

    body = completion("{}").model_dump_json().encode()
    client, seen = recording_client([httpx2.Response(200, content=body)])
    chat_completions(client)(messages=[], model="m", extra_headers={"X-Trace": "1"}, extra_body={"seed": 3},
                             timeout=5.0)
    assert json.loads(seen[0].content) == {"messages": [], "model": "m", "seed": 3}
    assert seen[0].headers["x-trace"] == "1"


class FakeClock:
    """A test double for time: ``sleep`` records the wait and moves the clock on; so does each call."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_a_retry_after_longer_than_the_time_left_is_not_slept() -> None:
    fn = Flaky(status_error(429, {"retry-after": "30"}))
    with pytest.raises(openai.RateLimitError):  # the usual error, at once
        run(fn, deadline=10.0)
    assert fn.calls == 1


def test_a_retry_after_that_fits_in_the_time_left_is_slept() -> None:
    result, sleeps = run(Flaky(status_error(429, {"retry-after": "9"})), deadline=10.0)
    assert result == "ok" and sleeps == [9.0]


def test_waits_and_tries_end_within_the_deadline() -> None:
    clock = FakeClock()
    failures = [status_error(429, {"retry-after": "4"}) for _ in range(10)]
    flaky = Flaky(*failures)

    def slow(**kwargs: Any) -> str:
        clock.now += 1.0  # each try takes a second
        return flaky(**kwargs)

    wrapped = with_transport_retries(slow, tries=10, deadline=12.0, sleep=clock.sleep, clock=clock)
    with pytest.raises(openai.RateLimitError):
        wrapped()
    # tries at 0, 5 and 10 s; the third wait would end at 15 s, past the deadline: not slept
    assert flaky.calls == 3 and clock.sleeps == [4.0, 4.0] and clock.now <= 12.0
