"""The batch's results file: resume never deletes a record, failed records are retried, every line
splitter reads one record per line. Reading a file that is not a results file changes nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from summarise.cli import main
from summarise.errors import InputError
from summarise.storage.jsonl import append, read_results
from tests.fakes import FakeChat
from tests.helpers import TEXT, answer, claim

OK_A = '{"id": "a", "ok": true, "summary": {}}\n'
OK_B = '{"id": "b", "ok": true, "summary": {}}\n'
FAILED_A = '{"id": "a", "ok": false, "error": {"class": "ExtractionFailed", "message": "no"}}\n'
FAILED_C = '{"id": "c", "ok": false, "error": {"class": "InputError", "message": "empty"}}\n'
LINE_BREAKS = "\u2028\u2029\x85"  # what json.dumps(ensure_ascii=False) leaves raw and splitlines() cuts at


def texts(n: int) -> list[dict[str, Any]]:
    return [{"id": f"a{i}", "text": f"{TEXT} Item {i}."} for i in range(n)]


def batch(src: Path, out: Path, *extra: str) -> Any:
    return CliRunner().invoke(main, ["batch", str(src), "--out", str(out), "--strategy", "single-pass",
                                     "--max-retries", "0", "--concurrency", "1", *extra])


@pytest.fixture
def src(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in texts(3)))
    return path


# Reading a results file before a resume


def test_a_blank_line_in_the_middle_loses_no_record(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text(OK_A + "\n" + OK_B)
    assert read_results(out).ok == {"a", "b"}
    assert out.read_text() == OK_A + "\n" + OK_B  # skipped, not a reason to cut


def test_a_bad_line_in_the_middle_is_an_error_naming_it_and_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    before = OK_A + "a note someone typed\n" + OK_B
    out.write_text(before)
    with pytest.raises(InputError, match=r"r\.jsonl, line 2 is not JSON; nothing was changed") as caught:
        read_results(out)
    assert caught.value.exit_code == 2
    assert out.read_text() == before


@pytest.mark.parametrize("content", [
    "My notes\nabout the war\n",
    "My notes about the war, one line and no newline",
    "{ not a record",  # no newline, but not the start of a record a crash cut short
    '{"id": "a0", "text": "an article"}\n',  # the batch's input file, not its output
    '[{"id": "a", "ok": true}]\n',
    "\ufeffplain text\n\nwith a blank line",
])
def test_a_file_that_is_not_a_results_file_is_refused_untouched(tmp_path: Path, content: str) -> None:
    out = tmp_path / "notes.txt"
    out.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=r"notes\.txt is not a summarise results file \(line 1 "):
        read_results(out)
    assert out.read_text(encoding="utf-8") == content


def test_a_bad_last_line_without_a_newline_is_refused_when_it_is_not_a_torn_record(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text(OK_A + "the end")
    with pytest.raises(InputError, match=r"r\.jsonl, line 2 is not JSON"):
        read_results(out)
    assert out.read_text() == OK_A + "the end"


@pytest.mark.parametrize("tail", ['{"id": "b", "ok": tr', '{"id": "b', "{", '{"i'])
def test_a_torn_last_record_is_cut(tmp_path: Path, tail: str) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text(OK_A + tail)
    assert read_results(out).ok == {"a"}
    assert out.read_text() == OK_A


def test_a_whole_last_record_missing_only_its_newline_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text(OK_A + OK_B.rstrip("\n"))
    assert read_results(out).ok == {"a", "b"}
    assert out.read_text() == OK_A + OK_B  # completed, so the next record starts its own line


def test_the_last_record_for_an_id_counts(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text(FAILED_A + OK_A + FAILED_C + OK_B)
    results = read_results(out)
    assert results.ok == {"a", "b"} and results.failed == {"c"}
    out.write_text(OK_A + FAILED_A)
    assert (read_results(out).ok, read_results(out).failed) == (set(), {"a"})


# The batch command on an existing results file


def test_cli_refuses_a_prose_out_file_with_exit_2(fake_provider: FakeChat, tmp_path: Path, src: Path) -> None:
    fake_provider.responder = lambda messages: answer(claim())
    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting notes\n\nNothing here is JSON.\n")
    result = batch(src, notes)
    assert result.exit_code == 2, result.output
    assert "notes.txt is not a summarise results file (line 1 is not JSON)" in result.stderr
    assert notes.read_text() == "Meeting notes\n\nNothing here is JSON.\n"
    assert fake_provider.requests == []  # refused before any article ran


def test_cli_resume_over_a_blank_line_keeps_every_record(fake_provider: FakeChat, tmp_path: Path,
                                                         src: Path) -> None:
    fake_provider.responder = lambda messages: answer(claim())
    out = tmp_path / "out.jsonl"
    assert batch(src, out).exit_code == 0
    lines = out.read_text().splitlines()
    out.write_text(lines[0] + "\n\n" + lines[1] + "\n")  # a hand edit: a blank line, the last record gone
    again = batch(src, out)
    assert again.exit_code == 0, again.output
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines() if line]
    assert sorted(ids) == ["a0", "a1", "a2"]
    assert "1 done (1 ok, 0 failed), 2 already in" in again.stderr


def fail_item_1(messages: list[dict[str, str]]) -> str:
    return "not JSON" if "Item 1." in messages[-1]["content"] else answer(claim())


def test_failed_records_are_retried_by_default(fake_provider: FakeChat, tmp_path: Path, src: Path) -> None:
    fake_provider.responder = fail_item_1
    out = tmp_path / "out.jsonl"
    first = batch(src, out)
    assert first.exit_code == 1
    fake_provider.responder = lambda messages: answer(claim())
    calls = len(fake_provider.requests)
    again = batch(src, out)
    assert again.exit_code == 0, again.output
    assert len(fake_provider.requests) - calls == 1  # only the failed article ran again
    assert "1 done (1 ok, 0 failed), 2 already in" in again.stderr
    assert f"2 already in {out}, retried 1 failed record(s)" in again.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["id"], r["ok"]) for r in records if r["id"] == "a1"] == [("a1", False), ("a1", True)]
    latest = {r["id"]: r for r in records}  # readers take the last record per id
    assert all(r["ok"] for r in latest.values()) and sorted(latest) == ["a0", "a1", "a2"]
    assert read_results(out).failed == set()


def test_skip_failed_keeps_failed_records_as_done(fake_provider: FakeChat, tmp_path: Path, src: Path) -> None:
    fake_provider.responder = fail_item_1
    out = tmp_path / "out.jsonl"
    assert batch(src, out).exit_code == 1
    before = out.read_text()
    calls = len(fake_provider.requests)
    again = batch(src, out, "--skip-failed")
    assert again.exit_code == 0, again.output
    assert len(fake_provider.requests) == calls and out.read_text() == before
    assert "0 done (0 ok, 0 failed), 3 already in" in again.stderr
    assert "(1 of them failed; not retried: --skip-failed)" in again.stderr


def test_the_help_says_failed_records_are_retried_and_the_last_record_counts() -> None:
    shown = CliRunner().invoke(main, ["batch", "--help"]).output
    assert "--skip-failed" in shown and "the last one counts" in " ".join(shown.split())


# Records every line splitter reads whole


@given(st.text(alphabet=st.sampled_from([*LINE_BREAKS, "\\", '"', "a", "\n", "\r", "\x0b", "\x1c", "é"])))
def test_a_jsonl_record_is_one_line_for_splitlines_and_parses_to_the_same_string(text: str) -> None:
    buffer = io.BytesIO()
    append(buffer, {"id": "x", "ok": True, "text": text})
    written = buffer.getvalue().decode("utf-8")
    assert written.splitlines() == [written[:-1]]
    assert json.loads(written)["text"] == text


# A quote is kept exactly as the article has it, line separators included
QUOTE = "killing 22\u2028people\u2029and\x85injuring dozens"
ARTICLE = TEXT.replace("killing 22 people and injuring dozens", QUOTE)


def quoting_the_separators(messages: list[dict[str, str]]) -> str:
    return answer(claim(quote=QUOTE))


def test_batch_records_with_line_separators_stay_one_line(fake_provider: FakeChat, tmp_path: Path) -> None:
    fake_provider.responder = quoting_the_separators
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"s{i}", "text": f"{ARTICLE} Item {i}."}) + "\n" for i in range(3)))
    out = tmp_path / "out.jsonl"
    assert batch(src, out).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert {json.loads(line)["summary"]["casualty_claims"][0]["quote"] for line in lines} == {QUOTE}


def test_json_output_with_line_separators_survives_splitlines(fake_provider: FakeChat, tmp_path: Path) -> None:
    fake_provider.responder = quoting_the_separators
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    shown = CliRunner().invoke(main, ["run", str(article), "--json", "--strategy", "single-pass"])
    assert shown.exit_code == 0, shown.output
    assert not set(LINE_BREAKS) & set(shown.stdout)
    rejoined = "\n".join(shown.stdout.splitlines())  # what a line-by-line reader hands on
    assert json.loads(rejoined)["casualty_claims"][0]["quote"] == QUOTE
