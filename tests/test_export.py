"""``summarise export``: every table round-trips through CSV and Parquet, the events mapping, bad input."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarise.cli import main
from summarise.contract.record import SummaryResult
from summarise.outputs.tables import ITEM_TABLES, TABLES, columns
from summarise.storage import jsonl
from tests.fakes import FakeChat
from tests.helpers import TEXT, claim

ARTICLE = TEXT + " Officials said more than 2,000 Ukrainian civilians have died since February."
PUBLISHED = "2022-03-04"  # a Friday: "Thursday" is 2022-03-03
STRIKE = {"attacker": "Russia", "target": "two schools", "location": None, "when": "Thursday", "means": "air strike",
          "quote": "An air strike by Russia hit two schools on Thursday"}
INJURED = claim(count_text="dozens") | {"count": None, "qualifier": "vague", "outcome": "injured"}
TOTAL = claim(quote="Officials said more than 2,000 Ukrainian civilians have died since February.",
              count_text="more than 2,000") | {
    "count": 2000, "qualifier": "more_than", "population": "civilians", "scope": "cumulative",
    "event": "the war since February", "claimed_by": "Officials", "reported_via": None}
DEMAND = {"made_by": "Russia", "demand": "talks", "addressed_to": "Ukraine",
          "quote": "Talks between Russia and Ukraine began"}
TALKS = {"parties": ["Russia", "Ukraine"], "status": "ongoing", "description": "talks on the border",
         "venue": "Belarus-Poland border", "mediator": None,
         "quote": "Talks between Russia and Ukraine began on the Belarus-Poland border."}


def full_answer(messages: list[dict[str, str]]) -> dict[str, Any]:
    return {"headline": "Russian strike on schools kills 22", "summary": "A strike hit two schools.",
            "key_demands": [DEMAND], "strikes": [STRIKE], "casualty_claims": [claim(), INJURED, TOTAL],
            "negotiations": [TALKS]}


@pytest.fixture
def results(fake_provider: FakeChat, tmp_path: Path) -> Path:
    """A results file made by 'summarise batch' on a test double: two articles and one failed record."""
    fake_provider.responder = full_answer
    src = tmp_path / "in.jsonl"
    records = [{"id": "a1", "text": ARTICLE, "url": "https://example.org/a1", "outlet": "Example News",
                "published": PUBLISHED},
               {"id": "a2", "text": ARTICLE + " More later.", "title": "Second"}]
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "results.jsonl"
    ran = CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--strategy", "single-pass"])
    assert ran.exit_code == 0, ran.output
    with jsonl.open_append(out) as fh:
        jsonl.append(fh, {"id": "broken", "ok": False, "error": {"class": "InputError", "message": "empty"}})
    return out


def summaries(path: Path) -> dict[str, SummaryResult]:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return {r["id"]: SummaryResult.model_validate(r["summary"]) for r in lines if r["ok"]}


def expected_rows(table: str, path: Path) -> list[dict[str, Any]]:
    """The rows a table must hold, built here from the records (not by the code under test)."""
    section = ITEM_TABLES[table][0]
    rows = []
    for ident, result in summaries(path).items():
        source = result.source.model_dump() if result.source else {}
        for number, item in enumerate(getattr(result, section), start=1):
            data = item.model_dump(mode="json")
            span = data.pop("quote_span")
            data["quote"] = data.pop("quote")  # the quote stands last, beside its span
            rows.append({"id": ident, "article_id": result.article_id, "url": source.get("url"),
                         "title": source.get("title"), "outlet": source.get("outlet"),
                         "published": source.get("published"), "item": number, **data,
                         "quote_start": span["start"], "quote_end": span["end"]})
    return rows


def from_csv(table: str, path: Path) -> list[dict[str, Any]]:
    kinds = columns(table)

    def value(name: str, cell: str) -> Any:
        if cell == "":
            return [] if kinds[name] == "list" else None
        return int(cell) if kinds[name] == "int" else cell.split("; ") if kinds[name] == "list" else cell

    with path.open(newline="", encoding="utf-8") as fh:
        return [{k: value(k, v) for k, v in row.items()} for row in csv.DictReader(fh)]


def export(*args: str) -> Any:
    return CliRunner().invoke(main, ["export", *args])


@pytest.mark.parametrize("table", list(ITEM_TABLES))
def test_item_tables_round_trip_through_csv_and_parquet(results: Path, tmp_path: Path, table: str) -> None:
    import pyarrow.parquet as pq

    expected = expected_rows(table, results)
    assert len(expected) >= 2 and all(r["quote_end"] > r["quote_start"] for r in expected)
    ran = export(str(results), "--table", table, "-o", str(tmp_path / "t.csv"))
    assert ran.exit_code == 0, ran.output
    assert "1 failed record(s) left out" in ran.stderr and "from 2 article(s)" in ran.stderr
    assert from_csv(table, tmp_path / "t.csv") == expected
    ran = export(str(results), "--table", table, "-o", str(tmp_path / "t.parquet"))  # format from the suffix
    assert ran.exit_code == 0, ran.output
    back = pq.read_table(tmp_path / "t.parquet")
    assert back.column_names == list(expected[0])
    assert back.to_pylist() == expected


def test_every_contract_field_and_the_article_columns_are_there(results: Path) -> None:
    claims = columns("claims")
    assert list(claims)[:7] == ["id", "article_id", "url", "title", "outlet", "published", "item"]
    assert {"count", "count_text", "claimed_by", "reported_via", "quote", "quote_start", "quote_end"} <= set(claims)
    assert claims["count"] == "int" and columns("negotiations")["parties"] == "list"
    first = next(r for r in expected_rows("claims", results) if r["id"] == "a1")
    assert first["url"] == "https://example.org/a1" and first["outlet"] == "Example News"
    assert first["published"] == PUBLISHED and first["title"] == "Kyiv attacked"  # the first line: none was given
    second = next(r for r in expected_rows("claims", results) if r["id"] == "a2")
    assert (second["title"], second["url"], second["published"]) == ("Second", None, None)


def test_events_join_strikes_with_their_death_figures(results: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    ran = export(str(results), "--table", "events", "--format", "parquet", "-o", str(tmp_path / "e.pq"))
    assert ran.exit_code == 0, ran.output
    rows = [r for r in pq.read_table(tmp_path / "e.pq").to_pylist() if r["id"] == "a1"]
    strike, total = rows  # the strike with its figure; the cumulative claim stays apart
    assert strike["event_type"] == "Explosions/Remote violence" and strike["sub_event_type"] == "Air/drone strike"
    assert (strike["actor1"], strike["fatalities"], strike["fatalities_claimed_by"]) == ("Russia", 22, "unattributed")
    assert strike["event_date"] == "2022-03-03" and strike["source"] == "Example News; Reuters"
    assert "injured: dozens (claimed by unattributed)" in strike["notes"]
    assert strike["notes"].startswith(STRIKE["quote"])
    assert ARTICLE[strike["quote_start"]:strike["quote_end"]] == STRIKE["quote"]
    assert total["event_type"] == "Casualty report" and total["fatalities"] == 2000
    assert total["fatalities_claimed_by"] == "Officials" and total["event_date"] == PUBLISHED
    assert ARTICLE[total["quote_start"]:total["quote_end"]] == TOTAL["quote"]
    ran = export(str(results), "--table", "events", "-o", str(tmp_path / "e.csv"))
    assert ran.exit_code == 0, ran.output
    csv_rows = [r for r in from_csv("events", tmp_path / "e.csv") if r["id"] == "a1"]
    assert csv_rows == rows
    no_date = [r for r in pq.read_table(tmp_path / "e.pq").to_pylist() if r["id"] == "a2"]
    assert no_date and all(r["event_date"] is None for r in no_date)  # no publication date: none invented


def test_the_events_mapping_is_documented_column_by_column() -> None:
    from summarise.outputs.events import EVENT_COLUMNS
    from tests.helpers import ROOT

    doc = (ROOT / "docs" / "export.md").read_text(encoding="utf-8")
    for name in EVENT_COLUMNS:
        assert f"| `{name}` |" in doc, f"docs/export.md does not describe {name}"


def test_the_cli_lists_the_library_tables() -> None:
    from summarise.cli.export import TABLES as CLI_TABLES

    assert CLI_TABLES == TABLES


def test_csv_goes_to_standard_output_without_a_file(results: Path) -> None:
    ran = export(str(results), "--table", "strikes")
    assert ran.exit_code == 0
    assert ran.stdout.splitlines()[0].startswith("id,article_id,url,title,outlet,published,item,attacker")
    assert ran.stdout.splitlines()[0].endswith(",means,quote,quote_start,quote_end")


@pytest.mark.parametrize("content", ["not json\n", '{"id": "a", "ok": true, "summary": {"headline": 1}}\n'])
def test_a_bad_results_file_is_refused_and_the_output_left_alone(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    out = tmp_path / "out.csv"
    out.write_text("earlier")
    ran = export(str(bad), "--table", "claims", "-o", str(out))
    assert ran.exit_code == 2 and "Traceback" not in ran.output
    assert str(bad) in ran.stderr and ran.stderr.count("\n") == 1
    assert out.read_text() == "earlier" and sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "out.csv"]


def test_missing_file_unknown_table_and_parquet_to_a_terminal(results: Path, tmp_path: Path) -> None:
    assert export(str(tmp_path / "none.jsonl"), "--table", "claims").exit_code == 2
    ran = export(str(results), "--table", "casualties")
    assert ran.exit_code == 2 and "casualties" in ran.output
    ran = export(str(results), "--table", "claims", "--format", "parquet")
    assert ran.exit_code == 2 and "-o FILE" in ran.stderr


def test_parquet_without_pyarrow_is_a_configuration_error(results: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    ran = export(str(results), "--table", "claims", "-o", str(tmp_path / "t.parquet"))
    assert ran.exit_code == 3 and "summarise[parquet]" in ran.stderr
    assert not (tmp_path / "t.parquet").exists()
