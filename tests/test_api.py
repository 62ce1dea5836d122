from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import summarise
from tests.fakes import FakeChat
from tests.helpers import TEXT, answer, claim


def test_public_surface() -> None:
    assert sorted(summarise.__all__) == sorted([
        "SCHEMA_VERSION", "Article", "ArticleSummary", "BackendUnavailable", "CasualtyClaim", "ConfigError",
        "DroppedItem", "ExtractionFailed", "Hooks", "InputError", "KeyDemand", "Negotiation", "Strike",
        "SummariseError", "Summariser", "SummaryResult", "Usage", "asummarise", "summarise",
    ])
    for name in summarise.__all__:
        assert getattr(summarise, name) is not None
    for child in (summarise.InputError, summarise.ConfigError, summarise.BackendUnavailable,
                  summarise.ExtractionFailed):
        assert issubclass(child, summarise.SummariseError)


@pytest.fixture
def chat(fake_provider: FakeChat) -> FakeChat:
    return fake_provider


def test_summarise_text_path_and_article(chat: FakeChat, tmp_path: Path) -> None:
    for _ in range(3):
        chat.enqueue(answer(claim()))
    p = tmp_path / "a.txt"
    p.write_text(TEXT)
    by_text = summarise.summarise(TEXT)
    by_path = summarise.summarise(p)
    by_article = summarise.summarise(summarise.Article(text=TEXT, url="https://example.org/a"))
    assert by_text.article_id == by_path.article_id == by_article.article_id
    assert by_text.casualty_claims[0].count == 22
    assert by_text.schema_version == summarise.SCHEMA_VERSION


def test_async_twin(chat: FakeChat) -> None:
    chat.enqueue(answer(claim()))
    result = asyncio.run(summarise.asummarise(TEXT))
    assert result.headline.startswith("Russian strike")


def test_bad_input_raises_input_error() -> None:
    with pytest.raises(summarise.InputError):
        summarise.summarise("   ")
