"""End to end over HTTP, replayed from cassettes recorded from the embedded model's real server.

Re-record: ``SUMMARISE_RECORD=1 python -m pytest tests/test_e2e_cassettes.py`` (needs the local extra).
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from summarise import summarise
from summarise.cli import main
from summarise.contract.grounding import normalise
from summarise.contract.record import SummaryResult
from summarise.evaluation.score import fabricated_numbers
from tests.cassette_support import BASE_URL, cassette_path, llama_server, make_vcr, recording
from tests.helpers import EXAMPLES

__all__ = ["llama_server"]

ARTICLES = {  # cassette name: (article, strategy)
    "seed-zelensky-chernihiv": (EXAMPLES / "zelensky-chernihiv.txt", "anchored"),
    "isaf-2011-10-S-020": (EXAMPLES / "isaf" / "2011-10-S-020.txt", "anchored"),
    "fakes-1914947533-nna": (EXAMPLES / "fakes" / "1914947533-nna.txt", "anchored"),
    "seed-single-pass": (EXAMPLES / "zelensky-chernihiv.txt", "single-pass"),
}
@pytest.mark.usefixtures("llama_server")
@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_replayed_summary_is_valid_and_grounded(name: str) -> None:
    path, strategy = ARTICLES[name]
    text = path.read_text(encoding="utf-8")
    if recording():
        cassette_path(name).unlink(missing_ok=True)  # a fresh recording, no stale interactions
    else:
        assert cassette_path(name).exists(), f"missing cassette {name}; record it (see README)"
    with make_vcr().use_cassette(f"{name}.yaml") as cassette:
        result = summarise(text, model="llamacpp/local", base_url=BASE_URL, strategy=strategy, cache=False)
    if not recording():
        assert cassette.all_played, "unplayed interactions: the request flow changed; re-record"
    assert result.attempts == len(cassette.requests)
    SummaryResult.model_validate(result.model_dump(mode="json"))  # the record reads back without its article
    for _, item in result.items():
        assert item.quote_span is not None
        assert normalise(text[item.quote_span.start:item.quote_span.end]) == normalise(item.quote)
    assert fabricated_numbers(result.model_dump(mode="json"), text)[0] == 0
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0


@pytest.mark.usefixtures("llama_server")
def test_cli_json_replayed_from_the_server() -> None:
    path, _ = ARTICLES["seed-zelensky-chernihiv"]
    if recording():
        cassette_path("cli-seed-zelensky-chernihiv").unlink(missing_ok=True)
    with make_vcr().use_cassette("cli-seed-zelensky-chernihiv.yaml"):
        result = CliRunner().invoke(main, [str(path), "--json", "--model", "llamacpp/local", "--base-url", BASE_URL])
    assert result.exit_code == 0, result.output
    record = SummaryResult.model_validate(json.loads(result.stdout))
    assert record.model == "llamacpp/local"


def test_no_secret_in_any_cassette() -> None:
    pattern = re.compile(r"authorization|api[-_]key|cookie|sk-[A-Za-z0-9]{8,}|bearer ", re.I)
    cassettes = sorted(cassette_path("x").parent.glob("*.yaml"))
    assert cassettes
    for path in cassettes:
        hits = pattern.findall(path.read_text(encoding="utf-8"))
        assert not hits, f"{path.name}: {hits[:3]}"
