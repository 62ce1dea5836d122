from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from summarise.contract.export import FILES, schema_json
from summarise.contract.grounding import ArticleIndex
from summarise.contract.models import ArticleSummary, CasualtyClaim
from tests.helpers import DATA, ROOT, SEED

ARTICLE = ("An air strike by Russia hit two schools on Thursday, killing 22 people and injuring dozens, "
           "Reuters reported. A 41-year-old man was also killed, police said. "
           "Officials said more than 2,000 Ukrainian civilians have died.")
CTX = {"article": ArticleIndex(ARTICLE)}


def claim(**over: Any) -> dict[str, Any]:
    base = {
        "count": 22, "count_text": "22", "qualifier": "exact", "outcome": "killed",
        "population": "unspecified", "side": None, "scope": "incident", "event": "air strike on schools",
        "claimed_by": "unattributed", "reported_via": "Reuters", "quote": "killing 22 people and injuring dozens",
    }
    return {**base, **over}


def summary(**over: Any) -> dict[str, Any]:
    return {"headline": "Russian strike hits schools", "summary": "A strike hit two schools.", **over}


def errors_of(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        ArticleSummary.model_validate(data, context=CTX)
    return str(info.value)


def test_the_seed_gold_validates_against_its_article() -> None:
    gold = json.loads((DATA / "seed-gold.json").read_text(encoding="utf-8"))
    model = ArticleSummary.model_validate(gold, context={"article": ArticleIndex(SEED.read_text(encoding="utf-8"))})
    assert len(model.casualty_claims) == 13


def test_list_caps_hold_what_real_articles_carry() -> None:
    """Ten demands (a real interview), 35 strikes (a daily campaign report) are valid; the caps still bound a loop."""
    quote = "Officials said more than 2,000 Ukrainian civilians have died."
    demand = {"made_by": "Officials", "demand": "d", "addressed_to": None, "quote": quote}
    strike = {"attacker": None, "target": "t", "location": None, "when": None, "means": None, "quote": quote}
    ArticleSummary.model_validate(summary(key_demands=[{**demand, "demand": f"d{i}"} for i in range(10)],
                                          strikes=[{**strike, "target": f"t{i}"} for i in range(35)]), context=CTX)
    schema = ArticleSummary.model_json_schema()
    assert all(schema["properties"][s].get("maxItems") for s in ("key_demands", "strikes", "negotiations"))


def test_invented_quote_is_rejected_with_an_instruction() -> None:
    msg = errors_of(summary(casualty_claims=[claim(quote="killing 23 people")]))
    assert "is not in the article; copy a span of the article exactly" in msg


def test_count_comes_from_count_text_not_from_the_model() -> None:
    m = ArticleSummary.model_validate(summary(casualty_claims=[
        claim(count=7, qualifier="about"),
        claim(count=5, count_text="more than 2,000", qualifier="exact", quote="more than 2,000 Ukrainian civilians"),
        claim(count=12, count_text="dozens", qualifier="exact", outcome="injured"),
    ]), context=CTX)
    got = [(c.count, c.qualifier.value) for c in m.casualty_claims]
    assert got == [(22, "exact"), (2000, "more_than"), (None, "vague")]


def test_count_text_must_stand_inside_the_quote() -> None:
    msg = errors_of(summary(casualty_claims=[claim(count_text="more than 2,000")]))
    assert "is not inside the quote" in msg


def test_single_person_needs_count_one() -> None:
    ok = claim(count=1, count_text="A 41-year-old man", quote="A 41-year-old man was also killed")
    assert ArticleSummary.model_validate(summary(casualty_claims=[ok]), context=CTX).casualty_claims[0].count == 1
    msg = errors_of(summary(casualty_claims=[{**ok, "count": None}]))
    assert "states no number" in msg


def test_enums_are_closed() -> None:
    msg = errors_of(summary(casualty_claims=[claim(outcome="murdered")]))
    assert "outcome" in msg
    with pytest.raises(ValidationError):
        CasualtyClaim.model_validate(claim(scope="weekly"), context=CTX)


def test_headline_and_summary_lengths() -> None:
    assert "headline has 26 words" in errors_of(summary(headline=" ".join(["word"] * 26)))
    assert "summary has 4 sentences" in errors_of(summary(summary="One. Two. Three. Four."))


def test_unknown_fields_are_rejected() -> None:
    assert "extra" in errors_of(summary(verdict="guilty")).lower()


def test_repeated_items_are_one_item() -> None:
    m = ArticleSummary.model_validate(summary(casualty_claims=[claim(), claim()]), context=CTX)
    assert len(m.casualty_claims) == 1


def test_list_lengths_are_bounded_in_the_json_schema() -> None:
    schema = ArticleSummary.model_json_schema()
    for name in ("key_demands", "strikes", "casualty_claims", "negotiations"):
        assert schema["properties"][name]["maxItems"] > 0


@pytest.mark.parametrize(("name", "record"), sorted(FILES.items()))
def test_exported_schema_files_are_in_sync(name: str, record: bool) -> None:
    on_disk = (ROOT / "schemas" / name).read_text(encoding="utf-8")
    assert on_disk == schema_json(record=record), f"schemas/{name} is stale: run python -m summarise.export"


def test_schema_files_ship_inside_the_package_dir_lookup() -> None:
    from summarise.resources import data_dir

    assert (data_dir("schemas") / "article_summary.v1.schema.json").is_file()
    assert Path(data_dir("prompts"), "system.j2").is_file()


def test_a_record_carries_its_spans_and_is_checked_against_its_article() -> None:
    from summarise.contract.record import SummaryResult

    meta = {"article_id": "x", "model": "m", "prompt_version": "p"}
    record = SummaryResult.model_validate({**summary(casualty_claims=[claim()]), **meta}, context=CTX)
    span = record.casualty_claims[0].quote_span
    assert span is not None and ARTICLE[span.start:span.end] == "killing 22 people and injuring dozens"
    data = record.model_dump(mode="json")
    assert SummaryResult.model_validate(data).casualty_claims[0].quote_span == span  # read back as it is
    del data["casualty_claims"][0]["quote_span"]
    with pytest.raises(ValidationError, match="quote_span is missing"):
        SummaryResult.model_validate(data)
    with pytest.raises(ValidationError, match="not in the article"):
        SummaryResult.model_validate({**data, "casualty_claims": [claim(quote="killing 23 people")]}, context=CTX)
