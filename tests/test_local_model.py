"""The embedded model for real: unpacked from its packages, checksummed, loaded, grammar-constrained.

Slow (model load plus a short generation on 2 cores), but it is what proves a broken model
install cannot pass CI. Marked ``model``; run alone with ``pytest -m model``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from summarise.backends.local import LocalBackend
from summarise.backends.model_file import MODEL_SHA256, embedded_model_path, sha256_of
from summarise.contract.grounding import ArticleIndex
from summarise.contract.models import ArticleSummary, CasualtyClaim

pytestmark = pytest.mark.model

SENTENCE = "An air strike on the market in Kharkiv killed 14 civilians on Tuesday, the regional governor said."


class OneClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    casualty_claims: list[CasualtyClaim] = Field(min_length=1, max_length=2)


@pytest.fixture(scope="module")
def local() -> Iterator[LocalBackend]:
    backend = LocalBackend(None)
    yield backend
    backend.close()


def test_the_unpacked_model_has_the_pinned_checksum(local: LocalBackend, model_dir: Path) -> None:
    path = embedded_model_path()
    assert path.parent == model_dir
    assert sha256_of(path) == MODEL_SHA256


def test_our_schema_compiles_to_a_llama_grammar() -> None:
    from llama_cpp.llama_grammar import LlamaGrammar

    for model in (ArticleSummary, OneClaim):
        # llama-cpp-python falls back to free JSON when a schema does not compile: make sure ours does
        LlamaGrammar.from_json_schema(json.dumps(model.model_json_schema()), verbose=False)


def test_a_grammar_constrained_answer_validates_against_the_article(local: LocalBackend) -> None:
    messages = [
        {"role": "system", "content": "Extract casualty claims as JSON. Copy quotes exactly."},
        {"role": "user", "content": f"ARTICLE:\n{SENTENCE}"},
    ]
    outcome = local.attempt(messages, OneClaim, {"article": ArticleIndex(SENTENCE)}, max_tokens=300)
    json.loads(outcome.raw)  # the grammar guarantees parseable JSON
    assert outcome.usage.completion_tokens > 0
    assert outcome.value is not None, outcome.errors
    claims = outcome.value.casualty_claims  # type: ignore[attr-defined]
    assert claims and claims[0].count == 14 and claims[0].outcome.value == "killed"
