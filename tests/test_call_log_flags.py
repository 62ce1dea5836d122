"""``--no-log`` on run and batch, ``summarise logs path``, and the article's source in every record."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from summarise.cli import main
from summarise.inputs.article import Article
from summarise.storage.store import db_path, open_store
from tests.fakes import FakeChat
from tests.helpers import TEXT, answer, claim, fake_client


def logged_calls() -> int:
    return len(list(open_store().calls(limit=1000)))


def test_no_log_writes_no_call_rows_on_run_and_batch(fake_provider: FakeChat, tmp_path: Path) -> None:
    fake_provider.responder = lambda messages: answer(claim())
    article = tmp_path / "a.txt"
    article.write_text(TEXT)
    quiet = CliRunner().invoke(main, ["run", str(article), "--json", "--strategy", "single-pass", "--no-log"])
    assert quiet.exit_code == 0, quiet.output
    assert json.loads(quiet.stdout)["casualty_claims"][0]["count"] == 22
    assert logged_calls() == 0
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "b", "text": TEXT + " More."}) + "\n")
    batch = CliRunner().invoke(main, ["batch", str(src), "--out", str(tmp_path / "o.jsonl"), "--strategy",
                                      "single-pass", "--no-log"])
    assert batch.exit_code == 0, batch.output
    assert logged_calls() == 0
    other = tmp_path / "b.txt"
    other.write_text(TEXT + " Other.")
    logged = CliRunner().invoke(main, ["run", str(other), "--json", "--strategy", "single-pass"])
    assert logged.exit_code == 0, logged.output
    assert logged_calls() == 1  # without the flag the call is logged


def test_logs_path_prints_the_database_and_logs_keeps_its_options(fake_provider: FakeChat) -> None:
    shown = CliRunner().invoke(main, ["logs", "path"])
    assert shown.exit_code == 0 and shown.stdout.strip() == str(db_path())
    assert not db_path().exists()  # printing the path creates nothing
    fake_provider.responder = lambda messages: answer(claim())
    fake_client(fake_provider, store=open_store()).summarise(TEXT)
    listed = CliRunner().invoke(main, ["logs", "--since", "24h", "--errors", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.stdout) == []
    listed = CliRunner().invoke(main, ["logs", "-n", "5", "--json"])
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 1


def test_fresh_and_cached_records_carry_the_current_articles_source(fake_provider: FakeChat) -> None:
    fake_provider.responder = lambda messages: answer(claim())
    client = fake_client(fake_provider, cache=True)
    first = client.summarise(Article(TEXT, url="https://a.example/1", outlet="A", published="2022-03-04"))
    assert first.source is not None and (first.source.url, first.source.outlet) == ("https://a.example/1", "A")
    again = client.summarise(Article(TEXT, url="https://b.example/2", outlet="B"))  # same text, another page
    assert again.cached and len(fake_provider.requests) == 1
    assert again.source is not None
    assert (again.source.url, again.source.outlet, again.source.published) == ("https://b.example/2", "B", None)
    bare = client.summarise(Article(TEXT))
    assert bare.cached and bare.source is None  # no stale source from an earlier page
    assert json.loads(first.model_dump_json())["source"]["published"] == "2022-03-04"
