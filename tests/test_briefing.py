"""Briefings: ledger grouping, timeline, incremental writes, atomicity, scheduling pieces."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarise.cli import main
from summarise.errors import ConfigError
from summarise.outputs.briefing.build import load_config
from summarise.outputs.briefing.ledger import Entry, ledger, place_key, resolve_day, signature
from summarise.outputs.briefing.run import every_seconds, run_once
from tests.fakes import FakeChat
from tests.helpers import EXAMPLES


def test_place_keys_tolerate_transliteration() -> None:
    assert place_key("Shaykhun") == place_key("Sheikhoun") == place_key("Shaikhoun") == place_key("Sheikhun")
    assert place_key("Aleppo") != place_key("Idlib")


def entry(count: int, who: str, outlet: str, day: int, text: str, position: int) -> Entry:
    claim = {"count": count, "count_text": f"at least {count}", "qualifier": "at_least", "outcome": "killed",
             "scope": "incident", "claimed_by": who, "reported_via": None, "quote": text, "event": text,
             "population": "civilians", "side": None}
    return Entry(claim, f"a{position}", "t", outlet, date(2017, 4, day), None, position, signature(text))


def test_ledger_groups_by_event_and_never_averages() -> None:
    entries = [
        entry(58, "Syrian Observatory", "TRT", 4, "gas attack in Khan Shaykhun in Idlib", 0),
        entry(72, "a monitor", "Al-Araby", 4, "toxic gas attack on the town of Khan Sheikhun", 1),
        entry(100, "Syrian Coalition", "Etilaf", 4, "chemical attack in Khan Sheikhoun", 2),
        entry(112, "Syrian Observatory", "NNA", 16, "bomb blast on a bus convoy outside Aleppo", 3),
        entry(43, "Syrian Observatory", "Ahram", 15, "suicide car bomb on buses of evacuees near Aleppo", 4),
    ]
    groups = ledger(entries)
    assert len(groups) == 2
    khan, aleppo = groups
    assert [f["count"] for f in khan["figures"]] == [58, 72, 100] and khan["range"] == [58, 100]
    assert khan["contradiction"] and "Khan" in khan["event"]
    assert aleppo["range"] == [43, 112]
    # the Observatory's later figure supersedes its earlier one
    by_date = {f["published"]: f for f in aleppo["figures"]}
    assert by_date["2017-04-15"]["superseded"] and not by_date["2017-04-16"]["superseded"]
    assert all(f["claimed_by"] for g in groups for f in g["figures"])


def test_relative_days_resolve_against_publication() -> None:
    assert resolve_day("Thursday", date(2022, 3, 5)) == ("2022-03-03", True)  # a Saturday
    assert resolve_day("yesterday", date(2022, 3, 5)) == ("2022-03-04", True)
    assert resolve_day("in March", date(2022, 3, 5)) == (None, False)


def fake_model() -> Any:
    def answer(messages: list[dict[str, str]]) -> dict[str, Any]:
        question = messages[2]["content"]
        if question.startswith("Write a headline"):
            return {"headline": "Report", "summary": "A report."}
        if "Casualty figures" in question:
            facts = {"side": None, "event": "attack"}
            return {**facts, "claimed_by": "unattributed"} if "- claimed_by:" in question else facts
        if question.startswith("Candidate sentences"):
            return {"sentences": []}
        raise AssertionError(question[:60])
    return answer


@pytest.fixture
def workspace(tmp_path: Path, fake_provider: FakeChat) -> tuple[Path, FakeChat]:
    shutil.copytree(EXAMPLES / "fakes", tmp_path / "fakes")
    config = (EXAMPLES / "fakes-briefing.toml").read_text().replace("\"briefings/", "\"out/")
    (tmp_path / "brief.toml").write_text('strategy = "anchored"\n' + config)
    fake_provider.responder = fake_model()
    return tmp_path, fake_provider


def test_fakes_briefing_groups_the_two_events(workspace: tuple[Path, FakeChat]) -> None:
    folder, _ = workspace
    report = run_once(folder / "brief.toml")
    assert report.articles == 12 and report.errors == 0
    data = json.loads((folder / "out" / "fakes.json").read_text())
    groups = {g["event"]: g for g in data["ledger"] if g["outcome"] == "killed"}
    khan = [g for name, g in groups.items() if "Khan" in name or "Idlib" in name]
    aleppo = [g for name, g in groups.items() if "Aleppo" in name]
    assert len(khan) == 1 and len(aleppo) == 1
    khan_counts = {f["count"] for f in khan[0]["figures"]}
    assert {58, 72, 100} <= khan_counts
    assert {43, 112} <= {f["count"] for f in aleppo[0]["figures"]}
    assert len({f["outlet"] for f in khan[0]["figures"]}) >= 3
    assert all(f["claimed_by"] and f["outlet"] for g in data["ledger"] for f in g["figures"])
    html = (folder / "out" / "fakes.html").read_text()
    assert '<table class="ledger">' in html and "http" not in html.split("<body>")[0].replace("http-equiv", "")
    md = (folder / "out" / "fakes.md").read_text()
    assert "## Casualty ledger" in md and "first briefing" in md


def test_a_run_with_nothing_new_makes_no_model_call_and_changes_no_byte(workspace: tuple[Path, FakeChat]) -> None:
    folder, chat = workspace
    run_once(folder / "brief.toml")
    outputs = {p: p.read_bytes() for p in (folder / "out").iterdir()}
    calls = len(chat.requests)
    again = run_once(folder / "brief.toml")
    assert again.unchanged and len(chat.requests) == calls
    assert {p: p.read_bytes() for p in (folder / "out").iterdir()} == outputs


def test_a_new_article_is_listed_as_a_change(workspace: tuple[Path, FakeChat]) -> None:
    folder, _ = workspace
    config = folder / "brief.toml"
    text = config.read_text()
    config.write_text(text.split('[[sources]]\npath = "fakes/1965495383-sputnik.txt"')[0])
    run_once(config)
    config.write_text(text)
    report = run_once(config)
    assert not report.unchanged
    md = (folder / "out" / "fakes.md").read_text()
    assert "new article: US Missile Strikes on Syrian Airbase Killed Four Children" in md


def test_a_missing_output_is_written_again(workspace: tuple[Path, FakeChat]) -> None:
    folder, _ = workspace
    run_once(folder / "brief.toml")
    (folder / "out" / "fakes.html").unlink()
    report = run_once(folder / "brief.toml")  # same content, but an output is gone: not "unchanged"
    assert not report.unchanged and (folder / "out" / "fakes.html").exists()


def _fail_html(how: str, html: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the HTML output fail: in its renderer, while its temporary file is written, or at its rename."""
    import os

    import summarise.outputs.briefing.render as render

    def crash(briefing: dict[str, Any]) -> str:
        raise OSError("disk full")

    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(dst) == html:
            raise OSError("disk full")
        real_replace(src, dst)

    if how == "render":
        monkeypatch.setitem(render.RENDERERS, "html", crash)
    elif how == "write":  # a lone surrogate cannot be encoded: the write fails once the temporary file exists
        monkeypatch.setitem(render.RENDERERS, "html", lambda briefing: "<p>\ud800</p>")
    else:
        monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("how", ["render", "write", "rename"])
def test_a_crash_while_writing_keeps_the_previous_briefing(workspace: tuple[Path, FakeChat], how: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _ = workspace
    out = folder / "out"
    config = folder / "brief.toml"
    text = config.read_text()
    outputs = 'markdown = "out/fakes.md"\nhtml = "out/fakes.html"\njson = "out/fakes.json"\n'
    assert outputs in text
    # the state (JSON) first in the config: writing in the config's order would record it before the HTML
    text = text.replace(outputs, 'json = "out/fakes.json"\nmarkdown = "out/fakes.md"\nhtml = "out/fakes.html"\n')
    config.write_text(text.split('[[sources]]\npath = "fakes/1965495383-sputnik.txt"')[0])
    run_once(config)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    config.write_text(text)
    with monkeypatch.context() as patch:
        _fail_html(how, out / "fakes.html", patch)
        with pytest.raises((OSError, UnicodeError)):
            run_once(config)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after.keys() == before.keys()  # no temporary file left behind
    assert after["fakes.html"] == before["fakes.html"] and after["fakes.json"] == before["fakes.json"]
    if how != "rename":  # every file was rendered and staged before the first rename: nothing changed
        assert after == before
    # the state still describes the old outputs, so the next run writes all of them again
    report = run_once(config)
    assert not report.unchanged and set(report.written) == {out / "fakes.md", out / "fakes.html", out / "fakes.json"}
    assert report.written[-1] == out / "fakes.json"
    assert "US Missile Strikes on Syrian Airbase Killed Four Children" in (out / "fakes.html").read_text()
    assert len(json.loads((out / "fakes.json").read_text())["articles"]) == 12


def test_config_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "b.toml"
    bad.write_text('title = "x"\n[[sources]]\npath = "a"\nurl = "b"\n[output]\nmarkdown = "o.md"\n')
    with pytest.raises(ConfigError, match="exactly one of path, url, feed"):
        load_config(bad)
    bad.write_text('titel = "x"\n')
    with pytest.raises(ConfigError, match="unknown keys"):
        load_config(bad)
    result = CliRunner().invoke(main, ["brief", str(tmp_path / "missing.toml")])
    assert result.exit_code == 3 and "no such briefing config" in result.stderr
    assert every_seconds("30m") == 1800
    with pytest.raises(ConfigError):
        every_seconds("soon")


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_html_briefing_renders_in_a_real_browser(workspace: tuple[Path, FakeChat], tmp_path: Path) -> None:
    """Headless Chromium (Debian's package, installed by .ci/run) loads the page; a screenshot is kept."""
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Chromium is not installed: .ci/run installs it (apt-get install chromium)"
    folder, _ = workspace
    run_once(folder / "brief.toml")
    page = (folder / "out" / "fakes.html").as_uri()
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([browser, *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert '<table class="ledger">' in dom.stdout and "Casualty ledger" in dom.stdout
    artefacts = Path(tempfile.gettempdir()) / "summarise-artifacts"  # a test artifact, outside the repository
    artefacts.mkdir(exist_ok=True)
    shot = artefacts / "briefing-phone.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", "--window-size=414,1200", "--hide-scrollbars", page],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000


def test_a_figure_dated_to_another_year_is_background_not_this_events_range() -> None:
    entries = [
        entry(58, "Syrian Observatory", "TRT", 4, "gas attack in Khan Shaykhun in Idlib", 0),
        entry(72, "a monitor", "Al-Araby", 4, "toxic gas attack on the town of Khan Sheikhun", 1),
        entry(1400, "activists", "Etilaf", 4, "Khan Shaykhun recalls the 2013 sarin gas attack in Ghouta", 2),
        entry(112, "Syrian Observatory", "NNA", 16, "bomb blast on a bus convoy outside Aleppo", 3),
        entry(43, "Syrian Observatory", "Ahram", 15, "suicide car bomb on buses of evacuees near Aleppo", 4),
    ]
    groups = {g["range"][0]: g for g in ledger(entries)}
    assert groups[58]["range"] == [58, 72] and not groups[58]["background"]  # the 2013 toll is not in this range
    assert groups[1400]["background"] and "(background: 2013)" in groups[1400]["event"]
