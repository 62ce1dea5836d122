"""The LangExtract baseline without LangExtract: conversion, errors, wiring and the eval CLI.

LangExtract itself is not installed for the tests (it is the optional ``eval`` extra). Its objects are
stood in for by test doubles named as such: ``FakeExtraction`` for ``langextract.data.Extraction``
and ``FakeLangExtract`` for the few calls of the ``langextract`` module the baseline makes (the
argument names are those of langextract 1.7.1). Nothing here talks to a model or a network.
"""

from __future__ import annotations

import json
import sys
import tomllib
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarise.cli import main
from summarise.contract.models import CasualtyClaim, KeyDemand, Negotiation, Strike
from summarise.errors import ConfigError
from summarise.evaluation import runner
from summarise.evaluation.langextract_baseline import (
    EXAMPLE_EXTRACTIONS,
    EXAMPLE_TEXT,
    MAX_CHAR_BUFFER,
    Meter,
    convert_extractions,
    langextract_record,
    section_of,
)
from summarise.evaluation.score import Scores
from summarise.inputs.article import article_from_text
from tests.helpers import ROOT, SEED

TEXT = ("An air strike by Russia hit two schools on Thursday, killing at least 22 people and injuring dozens, "
        "Reuters reported. Talks between Russia and Ukraine began on the Belarus-Poland border. "
        "Ukraine demanded that Russia withdraw its troops.")
URL = "http://127.0.0.1:8765/v1"


@dataclass
class FakeExtraction:
    """Test double for ``langextract.data.Extraction``: only the fields the baseline reads."""

    extraction_class: str
    extraction_text: str
    attributes: dict[str, Any] | None = None


def _extractions() -> list[FakeExtraction]:
    return [
        FakeExtraction("strike", "An air strike by Russia hit two schools on Thursday",
                       {"attacker": "Russia", "target": ["two schools", "homes"], "when": "Thursday",
                        "location": "null", "means": "air strike"}),
        FakeExtraction("casualty_claim", "killing at least 22 people",
                       {"count_text": "at least 22", "outcome": "Killed", "population": "children",
                        "reported_via": "Reuters", "scope": "incident", "event": "strike on schools"}),
        FakeExtraction("Casualty Claim", "injuring dozens", {"count_text": "dozens", "outcome": "hurt"}),
        FakeExtraction("negotiation", "Talks between Russia and Ukraine began on the Belarus-Poland border",
                       {"parties": "Russia, Ukraine and Belarus", "status": "Ongoing", "description": "talks",
                        "venue": "Belarus-Poland border"}),
        FakeExtraction("key_demand", "Ukraine demanded that Russia withdraw its troops",
                       {"made_by": "Ukraine", "demand": "withdraw troops", "addressed_to": "Russia"}),
        FakeExtraction("person", "Putin", {"role": "president"}),
    ]


# --- conversion -------------------------------------------------------------------------------------

def test_conversion_uses_the_contract_field_names_and_reads_counts() -> None:
    record = convert_extractions(_extractions())
    assert [len(record[s]) for s in ("casualty_claims", "strikes", "key_demands", "negotiations")] == [2, 1, 1, 1]
    first, second = record["casualty_claims"]
    assert (first["count"], first["count_text"], first["qualifier"]) == (22, "at least 22", "at_least")
    assert (first["outcome"], first["population"], first["claimed_by"], first["reported_via"]) == \
        ("killed", "unspecified", "unattributed", "Reuters")
    assert first["quote"] == "killing at least 22 people"
    assert (second["count"], second["qualifier"], second["outcome"]) == (None, "vague", "other")
    strike = record["strikes"][0]
    assert strike["target"] == "two schools, homes" and strike["location"] is None
    negotiation = record["negotiations"][0]
    assert negotiation["parties"] == ["Russia", "Ukraine", "Belarus"] and negotiation["status"] == "ongoing"
    assert record["key_demands"][0]["addressed_to"] == "Russia"
    assert record["headline"] == "" and record["summary"] == ""
    # Every item is a valid item of the contract (extra keys are forbidden there).
    for model, section in ((CasualtyClaim, "casualty_claims"), (Strike, "strikes"), (KeyDemand, "key_demands"),
                           (Negotiation, "negotiations")):
        for item in record[section]:
            model.model_validate(item)


def test_conversion_keeps_the_models_words_and_defaults_the_rest() -> None:
    record = convert_extractions([
        FakeExtraction("casualty_claim", "a quote that is nowhere in the article", None),
        FakeExtraction("negotiation", "talks", {"parties": ["Hamas", " ", None], "status": "paused"}),
        FakeExtraction("demands", "they want peace", {"made_by": "protesters"}),
    ])
    claim = record["casualty_claims"][0]
    assert claim["quote"] == "a quote that is nowhere in the article"  # no grounding repair
    assert (claim["count"], claim["count_text"], claim["outcome"], claim["population"], claim["scope"]) == \
        (None, "", "other", "unspecified", "incident")
    assert record["negotiations"][0]["parties"] == ["Hamas"]
    assert record["negotiations"][0]["status"] == "ongoing"
    assert record["key_demands"][0] == {"made_by": "protesters", "demand": "", "addressed_to": None,
                                       "quote": "they want peace"}


@pytest.mark.parametrize(("name", "section"), [
    ("casualty_claim", "casualty_claims"), ("Casualty-Claim", "casualty_claims"), ("strikes", "strikes"),
    ("key demand", "key_demands"), ("NEGOTIATION", "negotiations"), ("person", None), ("", None)])
def test_section_of_extraction_class(name: str, section: str | None) -> None:
    assert section_of(name) == section


def test_the_scorer_scores_converted_records() -> None:
    record = convert_extractions(_extractions())
    gold = {"casualty_claims": [{"count": 22, "outcome": "killed", "quote": "killing at least 22 people"}],
            "strikes": [], "key_demands": [], "negotiations": []}
    per = Scores().add(record, gold, TEXT)
    assert per["casualty_claims"] == {"tp": 1, "predicted": 2, "gold": 1}


def test_the_few_shot_example_comes_from_the_seed_article() -> None:
    seed = SEED.read_text(encoding="utf-8")
    for paragraph in EXAMPLE_TEXT.split("\n\n"):
        assert paragraph in seed
    for _, text, _ in EXAMPLE_EXTRACTIONS:
        assert text in EXAMPLE_TEXT
    assert {section_of(cls) for cls, _, _ in EXAMPLE_EXTRACTIONS} == \
        {"casualty_claims", "strikes", "key_demands", "negotiations"}


# --- errors a user can get ----------------------------------------------------------------------------

def test_no_base_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"--base-url .*summarise serve"):
        langextract_record(article_from_text(TEXT), base_url=None, model_id="local")


def test_missing_langextract_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langextract", None)  # import langextract now fails
    with pytest.raises(ConfigError, match=r"summarise\[eval\].*pip install -e '\.\[eval\]'"):
        langextract_record(article_from_text(TEXT), base_url=URL, model_id="local")


# --- the calls made to langextract, on a test double ---------------------------------------------------

@dataclass
class FakeUsage:
    prompt_tokens: int = 100
    completion_tokens: int = 20
    total_tokens: int = 120


class FakeLangExtract:
    """Test double for the ``langextract`` module: records the calls, answers with ``FakeExtraction``s."""

    def __init__(self, answer: list[FakeExtraction] | Exception) -> None:
        self.answer = answer
        self.calls: list[tuple[str, Any]] = []
        self.module = types.ModuleType("langextract")
        self.module.factory = types.SimpleNamespace(ModelConfig=self._model_config,  # type: ignore[attr-defined]
                                                    create_model=self._create_model)
        self.module.data = types.SimpleNamespace(ExampleData=self._example,  # type: ignore[attr-defined]
                                                 Extraction=FakeExtraction)
        self.module.extract = self._extract  # type: ignore[attr-defined]

    def _model_config(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("ModelConfig", kwargs))
        return kwargs

    def _create_model(self, config: Any, **kwargs: Any) -> Any:
        self.calls.append(("create_model", kwargs))
        completions = types.SimpleNamespace(create=lambda **_: types.SimpleNamespace(usage=FakeUsage()))
        return types.SimpleNamespace(config=config, _client=types.SimpleNamespace(
            chat=types.SimpleNamespace(completions=completions)))

    @staticmethod
    def _example(text: str, extractions: list[FakeExtraction]) -> Any:
        return types.SimpleNamespace(text=text, extractions=extractions)

    def _extract(self, text: str, **kwargs: Any) -> Any:
        self.calls.append(("extract", kwargs))
        kwargs["model"]._client.chat.completions.create(model="local")  # as the provider does, once per chunk
        if isinstance(self.answer, Exception):
            raise self.answer
        return types.SimpleNamespace(extractions=self.answer)

    def call(self, name: str) -> Any:
        return next(kwargs for called, kwargs in self.calls if called == name)


@pytest.fixture
def fake_lx(monkeypatch: pytest.MonkeyPatch) -> FakeLangExtract:
    fake = FakeLangExtract(_extractions())
    monkeypatch.setitem(sys.modules, "langextract", fake.module)
    return fake


def test_langextract_is_configured_for_an_openai_compatible_server(fake_lx: FakeLangExtract) -> None:
    record = langextract_record(article_from_text(TEXT), base_url=URL, model_id="local")
    config = fake_lx.call("ModelConfig")
    assert config["model_id"] == "local" and config["provider"] == "openai"
    assert config["provider_kwargs"]["base_url"] == URL and config["provider_kwargs"]["api_key"]
    assert config["provider_kwargs"]["temperature"] == 0
    assert fake_lx.call("create_model") == {"use_schema_constraints": False, "fence_output": False}
    extract = fake_lx.call("extract")
    assert extract["use_schema_constraints"] is False and extract["fence_output"] is False
    assert extract["max_char_buffer"] == MAX_CHAR_BUFFER == 1000 and extract["extraction_passes"] == 1
    assert extract["temperature"] == 0
    [example] = extract["examples"]
    assert example.text == EXAMPLE_TEXT and len(example.extractions) == len(EXAMPLE_EXTRACTIONS)
    assert record["schema_valid"] is True and "error" not in record
    assert len(record["casualty_claims"]) == 2
    assert record["attempts"] == 1 and record["usage"]["total_tokens"] == 120


def test_a_failure_inside_langextract_is_a_record(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeLangExtract(RuntimeError("server said no"))
    monkeypatch.setitem(sys.modules, "langextract", fake.module)
    record = langextract_record(article_from_text(TEXT), base_url=URL, model_id="local")
    assert record["schema_valid"] is False
    assert record["error"] == "RuntimeError: server said no"
    assert all(record[s] == [] for s in ("casualty_claims", "strikes", "key_demands", "negotiations"))
    assert record["attempts"] == 1


def test_meter_without_a_client_counts_nothing() -> None:
    meter = Meter()
    assert meter.attach(object()) is False
    assert meter.calls == 0 and meter.usage["total_tokens"] == 0


# --- the eval runner and CLI --------------------------------------------------------------------------

def test_runner_caches_langextract_records_but_not_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    article = article_from_text(TEXT)
    failing = FakeLangExtract(RuntimeError("connection refused"))
    monkeypatch.setitem(sys.modules, "langextract", failing.module)
    options = runner.Options(model="llamacpp/local", base_url=URL)
    assert runner.record_for("langextract", article, options)["schema_valid"] is False
    fake = FakeLangExtract(_extractions())
    monkeypatch.setitem(sys.modules, "langextract", fake.module)
    first = runner.record_for("langextract", article, options)  # the failure was not cached: asked again
    assert first["schema_valid"] is True and fake.call("ModelConfig")["model_id"] == "local"
    fake.calls.clear()
    assert runner.record_for("langextract", article, options) == first
    assert fake.calls == []  # from the cache
    assert "langextract" in runner.BASELINES and "langextract" in runner.DEV_ONLY


@pytest.fixture
def dev_set(tmp_path: Path) -> tuple[Path, Path]:
    articles, gold = tmp_path / "articles", tmp_path / "gold"
    articles.mkdir()
    gold.mkdir()
    (articles / "a.txt").write_text(TEXT, encoding="utf-8")
    (gold / "a.json").write_text(json.dumps({"casualty_claims": [], "strikes": [], "key_demands": [],
                                             "negotiations": []}), encoding="utf-8")
    return articles, gold


def test_eval_rejects_langextract_without_base_url(dev_set: tuple[Path, Path]) -> None:
    articles, gold = dev_set
    result = CliRunner().invoke(main, ["eval", "--articles", str(articles), "--gold", str(gold),
                                       "--strategy", "regex,langextract"])
    assert result.exit_code == ConfigError.exit_code, result.output
    assert "langextract baseline needs --base-url" in result.output
    assert "summarise serve" in result.output
    assert "| regex |" not in result.output  # it fails before scoring anything


def test_eval_says_how_to_install_langextract(dev_set: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langextract", None)
    articles, gold = dev_set
    result = CliRunner().invoke(main, ["eval", "--articles", str(articles), "--gold", str(gold),
                                       "--strategy", "langextract", "--base-url", URL])
    assert result.exit_code == ConfigError.exit_code, result.output
    assert "pip install -e '.[eval]'" in result.output


def test_eval_scores_langextract_on_the_dev_set(dev_set: tuple[Path, Path], fake_lx: FakeLangExtract,
                                                tmp_path: Path) -> None:
    articles, gold = dev_set
    report = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["eval", "--articles", str(articles), "--gold", str(gold), "--strategy",
                                       "regex,langextract", "--base-url", URL, "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "| langextract |" in result.output and "| regex |" in result.output
    scores = json.loads(report.read_text(encoding="utf-8"))["dev"]["strategies"]["langextract"]
    assert scores["sections"]["casualty_claims"]["predicted"] == 2
    assert scores["schema_valid_rate"] == 1.0


def test_eval_leaves_langextract_out_of_isaf(tmp_path: Path) -> None:
    data = tmp_path / "isaf.jsonl"
    data.write_text(json.dumps({"idx": 1, "text": "Two insurgents were killed.", "gold_min_killed": 2,
                                "gold_min_captured": 0}) + "\n", encoding="utf-8")
    report = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["eval", "--isaf", str(data), "--strategy", "regex,langextract",
                                       "--report", str(report)])
    assert result.exit_code == 0, result.output  # no --base-url needed: langextract does not run here
    assert list(json.loads(report.read_text(encoding="utf-8"))["isaf"]["strategies"]) == ["regex"]


def test_eval_help_mentions_langextract() -> None:
    out = CliRunner().invoke(main, ["eval", "--help"], terminal_width=100).output
    assert "langextract" in out and "[eval]" in out


def test_langextract_is_an_optional_extra_the_tests_do_not_need() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert extras["eval"] == ["langextract==1.7.1"]
    assert not any("langextract" in dep for name in ("test", "local") for dep in extras[name])
