"""The single-pass strategy and the shared reask loop, on a fake chat endpoint (a test double with a
queue of answers), through the client."""

from __future__ import annotations

import json
from typing import Any

import pytest

from summarise import Article, SummaryResult
from summarise.errors import ExtractionFailed
from summarise.inputs.article import article_from_text
from tests.fakes import FakeChat, completion
from tests.helpers import TEXT, answer, claim, fake_client

ARTICLE = article_from_text(TEXT)


def run(article: Article, chat: FakeChat, **options: Any) -> SummaryResult:
    return fake_client(chat, **options).summarise(article)


def test_valid_first_answer_is_grounded_with_spans() -> None:
    chat = FakeChat(answer(claim()))
    result = run(ARTICLE, chat)
    assert result.attempts == 1
    span = result.casualty_claims[0].quote_span
    assert span is not None and TEXT[span.start:span.end] == "killing 22 people and injuring dozens"
    record = result.model_dump(mode="json")
    assert record["casualty_claims"][0]["quote_span"] == {"start": span.start, "end": span.end}
    assert record["usage"] == {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}


def test_reask_sends_the_article_once_plus_only_the_latest_errors() -> None:
    bad1 = answer(claim(quote="killing 23 people"))
    bad2 = answer(claim(quote="killing 24 people"))
    chat = FakeChat(bad1, bad2, answer(claim()))
    result = run(ARTICLE, chat, max_retries=2)
    assert result.attempts == 3
    assert result.usage.total_tokens == 450  # every attempt counted
    first, second, third = (r["messages"] for r in chat.requests)
    assert len(second) == len(third) == len(first) + 2  # the prompt does not grow per attempt
    assert sum(TEXT in m["content"] for m in third) == 1  # the article once
    assert third[-2]["content"] == bad2 and "killing 24 people" in third[-1]["content"]
    assert "killing 23 people" not in json.dumps(third)


def test_items_still_failing_after_the_last_reask_are_dropped_and_reported() -> None:
    bad = answer(claim(), claim(quote="killing 99 people", count_text="99"))
    chat = FakeChat(bad, bad)
    result = run(ARTICLE, chat, max_retries=1)
    assert [c.count for c in result.casualty_claims] == [22]
    assert len(result.dropped) == 1 and result.dropped[0].section == "casualty_claims"
    assert "not in the article" in result.dropped[0].errors[0]
    assert result.model_dump(mode="json")["dropped"][0]["item"]["quote"] == "killing 99 people"


def test_strict_fails_the_article_instead() -> None:
    bad = answer(claim(), claim(quote="killing 99 people", count_text="99"))
    with pytest.raises(ExtractionFailed, match="failed validation after 2 attempt") as info:
        run(ARTICLE, FakeChat(bad, bad), max_retries=1, strict=True)
    assert info.value.attempts == 2 and info.value.usage["total_tokens"] == 300


def test_errors_outside_items_cannot_be_salvaged() -> None:
    chat = FakeChat(answer(claim(), headline="  "), answer(claim(), headline=""))
    with pytest.raises(ExtractionFailed, match="headline is empty"):
        run(ARTICLE, chat, max_retries=1)


def test_malformed_json_is_reasked_then_fails() -> None:
    chat = FakeChat('{"headline": "x", "summ', "not json at all")
    with pytest.raises(ExtractionFailed) as info:
        run(ARTICLE, chat, max_retries=1)
    assert info.value.attempts == 2


def test_an_answer_cut_at_the_token_budget_fails_fast() -> None:
    looping = completion('{"headline": "x", "strikes": [' + '{"target": "a"},' * 50, finish_reason="length")
    chat = FakeChat(looping, answer(claim()))
    with pytest.raises(ExtractionFailed, match="hit the budget of 700 output tokens"):
        run(ARTICLE, chat, max_tokens=700)
    assert len(chat.requests) == 1  # no reask after a runaway answer


def test_budget_and_temperature_reach_the_model() -> None:
    chat = FakeChat(answer(claim()))
    run(ARTICLE, chat, max_tokens=900)
    request = chat.requests[0]
    assert request["max_tokens"] == 900 and request["temperature"] == 0
    assert request["response_format"]["type"] == "json_schema"


@pytest.mark.parametrize("markup", ["{{ 7 * 7 }}", "{% if x %}unclosed", "{# comment #}"])
def test_template_markup_in_an_article_reaches_the_model_verbatim(markup: str) -> None:
    """Instructor renders messages as Jinja templates when given a context; ours must not be."""
    text = TEXT + f" A banner read {markup} and    indented text\n    stayed."
    chat = FakeChat(answer(claim()))
    result = run(article_from_text(text), chat)
    assert result.attempts == 1
    sent = "".join(m["content"] for m in chat.requests[0]["messages"])
    assert markup in sent
    assert "indented text\n    stayed." in sent


def test_a_summary_too_long_is_cut_by_code_not_reasked() -> None:
    """A mechanical fix costs no model call: the first three sentences are kept and the result says so."""
    data = json.loads(answer(claim(), headline=" ".join(["word"] * 30)))
    data["summary"] = "One. Two. Three. Four. Five."
    chat = FakeChat(json.dumps(data))
    result = run(ARTICLE, chat)
    assert len(chat.requests) == 1 and result.summary == "One. Two. Three."
    assert len(result.headline.split()) == 25
    assert sum("cut by code" in w for w in result.warnings) == 2
