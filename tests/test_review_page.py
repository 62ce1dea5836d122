"""The review page (``summarise run --format html``, ``summarise review``): escaping, shared and
overlapping highlights, the batch index, and the page itself in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarise.cli import main
from summarise.client.batch import Result
from summarise.contract.grounding import ArticleIndex, normalise
from summarise.contract.models import ArticleSummary
from summarise.contract.record import DroppedItem, SummaryResult
from summarise.outputs.review import Located, review_page, segments
from summarise.outputs.review_batch import page_name
from tests.fakes import FakeChat
from tests.helpers import DATA, SEED, TEXT, answer, claim

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def record_for(text: str, summary: dict[str, Any], **meta: Any) -> SummaryResult:
    """A record built without a model: the summary checked and located against ``text``."""
    article = ArticleIndex(text)
    checked = ArticleSummary.model_validate(summary, context={"article": article})
    return SummaryResult.build(checked, article, **{"article_id": "a1", "model": "gold", "prompt_version": "gold",
                                                    **meta})


@pytest.fixture
def seed() -> tuple[str, SummaryResult]:
    """The seed article and its gold record (tests/data/seed-gold.json), spans located by code."""
    text = SEED.read_text(encoding="utf-8")
    return text, record_for(text, json.loads((DATA / "seed-gold.json").read_text(encoding="utf-8")))


class Page(HTMLParser):
    """The parts of a review page the tests look at: marks (with their text), item rows, scripts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[tuple[list[str], str]] = []  # (item ids, text)
        self.rows: list[str] = []
        self.tags: list[str] = []
        self.text_parts: list[str] = []  # the article's text, marks included
        self._in_mark = self._in_text = False
        self._depth = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "div" and a.get("class") == "text":
            self._in_text = True
        if tag == "mark":
            self._in_mark = True
            self.marks.append(((a.get("data-items") or "").split(), ""))
        if tag == "tr" and a.get("data-item"):
            self.rows.append(a["data-item"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._in_mark = False
        if tag == "div" and self._in_text:
            self._in_text = False

    def handle_data(self, data: str) -> None:
        if self._in_text:
            self.text_parts.append(data)
        if self._in_mark:
            ids, text = self.marks[-1]
            self.marks[-1] = (ids, text + data)

    def quoted(self, ident: str) -> str:
        """The text of the marks that carry ``ident``, in page order."""
        return "".join(text for ids, text in self.marks if ident in ids)


def test_every_item_is_highlighted_at_its_span_and_the_text_is_whole(seed: tuple[str, SummaryResult]) -> None:
    text, result = seed
    page = Page(review_page(result, text))
    assert "".join(page.text_parts) == text  # the marks cut the text, never change it
    ids = {f"{prefix}-{n}" for prefix, items in (("claim", result.casualty_claims), ("strike", result.strikes),
                                                  ("demand", result.key_demands), ("negotiation", result.negotiations))
           for n in range(1, len(items) + 1)}
    assert set(page.rows) == ids and len(ids) == len(result.items())
    for section, prefix in (("casualty_claims", "claim"), ("strikes", "strike"), ("key_demands", "demand"),
                            ("negotiations", "negotiation")):
        for n, item in enumerate(getattr(result, section), start=1):
            span = item.quote_span
            assert page.quoted(f"{prefix}-{n}") == text[span.start:span.end]
            assert normalise(page.quoted(f"{prefix}-{n}")) == normalise(item.quote)


def test_a_shared_quote_and_overlapping_spans_share_their_marks(seed: tuple[str, SummaryResult]) -> None:
    text, result = seed
    page = Page(review_page(result, text))
    # claims 1 and 2 quote the same words ("9 people are dead and 4 are injured"): one mark carries both
    assert (["claim-1", "claim-2"], "9 people are dead and 4 are injured") in page.marks
    assert not any(ids == ["claim-1"] or ids == ["claim-2"] for ids, _ in page.marks)
    # claim 6 ("wounding dozens of others") lies inside claim 5's span: the shared stretch is one mark
    inner = [ids for ids, _ in page.marks if "claim-6" in ids]
    assert inner == [["claim-5", "claim-6"]]
    assert [t for ids, t in page.marks if ids == ["claim-5"]] == ["killing more than 20 people and "]


def test_segments_cut_at_every_boundary() -> None:
    spans = [Located("a", "strikes", 0, 6), Located("b", "casualty_claims", 3, 9), Located("c", "strikes", 20, 99)]
    cut = segments("0123456789", spans)  # c lies outside the text: listed in its table, never highlighted
    assert [(s.text, s.items) for s in cut] == [("012", ("a",)), ("345", ("a", "b")), ("678", ("b",)), ("9", ())]
    assert cut[1].sections == ("casualty_claims", "strikes")  # claims first: their colour shows


def test_article_text_and_model_fields_are_escaped() -> None:
    hostile = "<script>alert('text')</script>"
    text = f"Kyiv {hostile}\n\nAn air strike hit a <b>school</b>, killing 22 people and injuring dozens."
    summary = json.loads(answer(claim(quote="killing 22 people and injuring dozens")))
    summary["headline"] = "<script>alert('headline')</script> Strike on a school"
    summary["casualty_claims"][0]["claimed_by"] = "<img src=x onerror=alert(1)>"
    summary["strikes"] = [{"attacker": "</td><script>alert('cell')</script>", "target": None, "location": None,
                           "when": None, "means": None, "quote": "An air strike hit a <b>school</b>"}]
    result = record_for(text, summary, warnings=["<script>alert('warning')</script>"],
                        source={"url": "javascript:alert('url')", "title": "<script>alert('title')</script>"})
    result.dropped.append(DroppedItem(section="strikes", item={"quote": "<script>alert('dropped')</script>"},
                                      errors=["<iframe src=//example.org>"]))
    html = review_page(result, text, note="<script>alert('note')</script>")
    page = Page(html)
    assert page.tags.count("script") == 1  # the page's own, and nothing else became markup
    assert not {"img", "iframe", "b", "a"} & set(page.tags)  # the source's URL is shown as text, not a link
    assert "javascript:alert(&#39;url&#39;)" in html
    for where in ("text", "headline", "cell", "warning", "dropped", "note", "title"):
        assert f"&lt;script&gt;alert(&#39;{where}&#39;)&lt;/script&gt;" in html
    assert page.quoted("strike-1") == "An air strike hit a <b>school</b>"  # sliced, then escaped: same text


def test_without_the_text_items_are_listed_with_their_quotes_and_nothing_is_marked(
        seed: tuple[str, SummaryResult]) -> None:
    _, result = seed
    html = review_page(result, None)
    page = Page(html)
    assert page.marks == [] and len(page.rows) == len(result.items())
    assert "The article text is not available" in html
    assert "“9 people are dead and 4 are injured”" in html


def test_page_names_are_safe_and_distinct() -> None:
    ids = ["../../etc/passwd", "articles/a b.txt", "records.jsonl:3", "", ".hidden", "index", "a" * 300,
           "articles/a-b.txt"]
    names = [page_name(i) for i in ids]
    assert len(set(names)) == len(ids)
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html", name) and len(name) < 100 and name != "index.html"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_run_writes_the_review_page(tmp_path: Path, fake_provider: FakeChat) -> None:
    article = tmp_path / "article.txt"
    article.write_text(TEXT, encoding="utf-8")
    fake_provider.enqueue(answer(claim()))
    out = tmp_path / "review.html"
    result = invoke("run", str(article), "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = Page(out.read_text(encoding="utf-8"))
    assert page.marks == [(["claim-1"], "killing 22 people and injuring dozens")]
    assert "".join(page.text_parts) == TEXT


def write_results(path: Path, *records: dict[str, Any]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_review_writes_a_page_per_article_and_an_index_with_counts_and_failures(
        tmp_path: Path, seed: tuple[str, SummaryResult]) -> None:
    seed_text, seed_result = seed
    seed_file = tmp_path / "seed.txt"
    seed_file.write_text(seed_text, encoding="utf-8")
    other = TEXT + " A ceasefire was proposed."
    (tmp_path / "records.jsonl").write_text(json.dumps({"id": "rec-1", "text": other}) + "\n", encoding="utf-8")
    other_result = record_for(other, json.loads(answer(claim())), article_id="b2")
    stale = record_for(TEXT, json.loads(answer(claim())))
    results = tmp_path / "results.jsonl"
    write_results(results,
                  Result("rec-1", False, error_class="BackendUnavailable", error="server down").to_record(),
                  Result(str(seed_file), True, seed_result).to_record(),
                  Result("rec-1", True, other_result).to_record(),  # the retry succeeded: its record counts
                  Result("lost", True, stale).to_record(),  # no text anywhere: tables only, with a note
                  Result("bad <id>", False, error_class="ExtractionFailed", error="still <invalid>").to_record())
    out = tmp_path / "review"
    result = CliRunner().invoke(main, ["review", str(results), "--out", str(out), "--inputs",
                                       str(tmp_path / "records.jsonl")])
    assert result.exit_code == 0, result.output
    assert "3 page(s) (2 with their quotes highlighted), 1 failure(s) listed" in result.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">', index)
    assert sorted(links) == sorted(page_name(i) for i in (str(seed_file), "rec-1", "lost"))
    assert sorted(p.name for p in out.iterdir()) == sorted([*links, "index.html"])
    assert "ExtractionFailed" in index and "still &lt;invalid&gt;" in index and "bad &lt;id&gt;" in index
    assert "server down" not in index  # superseded by the successful retry
    row = index[index.index(page_name(str(seed_file))):].split("</tr>")[0]
    assert re.findall(r'class="n"[^>]*>(\d+)<', row) == ["13", "3", "3", "2", "0", "0"]
    assert "the article text was not found" in index
    seed_page = Page((out / page_name(str(seed_file))).read_text(encoding="utf-8"))
    assert len({i for ids, _ in seed_page.marks for i in ids}) == len(seed_result.items())
    assert Page((out / page_name("rec-1")).read_text(encoding="utf-8")).quoted("claim-1") == "killing 22 people " \
                                                                                             "and injuring dozens"
    lost = (out / page_name("lost")).read_text(encoding="utf-8")
    assert "<mark" not in lost and "the article text was not found" in lost and 'href="index.html"' in lost


def test_review_after_a_real_batch_finds_every_text(tmp_path: Path, fake_provider: FakeChat) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"id": "r1", "text": TEXT + " More."}) + "\n", encoding="utf-8")
    fake_provider.enqueue(answer(claim()))
    fake_provider.enqueue(answer(claim()))
    results = tmp_path / "results.jsonl"
    assert invoke("batch", str(article), str(records), "--out", str(results), "--concurrency", "1",
                  "--no-cache").exit_code == 0
    out = tmp_path / "pages"
    result = CliRunner().invoke(main, ["review", str(results), "--out", str(out), "--inputs", str(records),
                                       str(article)])  # --inputs INPUT...: every input after it
    assert result.exit_code == 0 and "2 page(s) (2 with their quotes highlighted)" in result.stderr
    for ident in (str(article), "r1"):
        assert Page((out / page_name(ident)).read_text(encoding="utf-8")).quoted("claim-1")


def test_a_record_that_does_not_match_its_text_is_shown_unmarked_with_the_reason(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    record = record_for(TEXT, json.loads(answer(claim())))
    article.write_text("Another text entirely, edited since the batch ran.", encoding="utf-8")
    results = tmp_path / "results.jsonl"
    write_results(results, Result(str(article), True, record).to_record())
    result = CliRunner().invoke(main, ["review", str(results), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "0 with their quotes highlighted" in result.stderr
    page = (tmp_path / "out" / page_name(str(article))).read_text(encoding="utf-8")
    assert "<mark" not in page and "has changed since it was summarised" in page
    assert "does not match this text" in page and "Another text entirely" in page


def test_an_output_folder_that_is_a_file_exits_2(tmp_path: Path, seed: tuple[str, SummaryResult]) -> None:
    results = tmp_path / "results.jsonl"
    write_results(results, Result("x", True, seed[1]).to_record())
    (tmp_path / "out").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["review", str(results), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "is a file" in result.stderr
    assert (tmp_path / "out").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("content, message", [
    (None, "no such results file"),
    ("not json\n", "is not a summarise results file (line 1 is not JSON)"),
    ('{"id": "a", "ok": true, "summary": {}}\n{"oops": 1}\n', "line 2 is JSON but not a record"),
    ('{"id": "a", "ok": true}\n', 'has no "summary" object'),
])
def test_a_missing_or_malformed_results_file_exits_2_and_writes_nothing(tmp_path: Path, content: str | None,
                                                                         message: str) -> None:
    results = tmp_path / "results.jsonl"
    if content is not None:
        results.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["review", str(results), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_the_seed_page_in_headless_chromium(seed: tuple[str, SummaryResult], tmp_path: Path) -> None:
    """Every quote inside its marks, a row click scrolls to and flashes its quote, a highlight click shows
    its items, the keyboard moves between items, and the page requests nothing but itself."""
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser_path, "Chromium is not installed: .ci/run installs it (apt-get install chromium)"
    text, result = seed
    html_file = tmp_path / "review.html"
    html_file.write_text(review_page(result, text), encoding="utf-8")
    url = html_file.as_uri()
    spans = {f"{p}-{n}": (item.quote_span.start, item.quote_span.end, item.quote)
             for section, p in (("casualty_claims", "claim"), ("strikes", "strike"), ("key_demands", "demand"),
                                ("negotiations", "negotiation"))
             for n, item in enumerate(getattr(result, section), start=1) if item.quote_span}
    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.goto(url)
            shots = Path(tempfile.gettempdir()) / "summarise-artifacts"  # a test artifact, outside the repository
            shots.mkdir(exist_ok=True)
            shot = shots / "review-seed.png"
            page.screenshot(path=str(shot))
            print(f"review page screenshot: {shot}")

            quoted = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('tr.item')].map(
                row => [row.dataset.item, [...document.querySelectorAll('mark')].filter(
                    m => m.dataset.items.split(' ').includes(row.dataset.item)).map(m => m.textContent).join('')]))""")
            assert set(quoted) == set(spans) and len(spans) == len(result.items())
            for ident, (start, end, quote) in spans.items():
                assert quoted[ident] == text[start:end] and normalise(quote) == normalise(quoted[ident]), ident

            in_view = "m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
            last = page.locator("mark[data-items~='claim-13']").first
            assert not last.evaluate(in_view)
            page.evaluate("""() => { window.flashed = [];  // every mark that starts to flash, however short
                new MutationObserver(ms => ms.forEach(m => m.target.classList.contains('flash')
                    && window.flashed.push(m.target.dataset.items))).observe(document.body,
                    {attributes: true, subtree: true, attributeFilter: ['class']}); }""")
            page.click("#row-claim-13")
            assert last.evaluate(in_view)  # scrolled to its quote
            assert "active" in (last.get_attribute("class") or "")
            assert page.evaluate("[...document.querySelectorAll('mark.active')].every("
                                 "m => m.dataset.items.split(' ').includes('claim-13'))")
            assert page.evaluate("window.flashed") and page.evaluate("window.flashed.every(i => i === 'claim-13')")

            page.click("mark[data-items='claim-1 claim-2']")
            popover = page.locator("#popover")
            assert popover.is_visible()
            assert popover.locator("button").evaluate_all("bs => bs.map(b => b.dataset.item)") == ["claim-1", "claim-2"]
            assert "9 killed" in popover.inner_text()
            assert page.evaluate("[...document.querySelectorAll('tr.linked')].map(r => r.dataset.item)") == [
                "claim-1", "claim-2"]
            page.keyboard.press("Escape")
            assert not popover.is_visible()

            focused = "() => document.activeElement.dataset.item"
            page.keyboard.press("j")
            assert page.evaluate(focused) == "claim-1"
            page.keyboard.press("j")
            page.keyboard.press("ArrowDown")
            assert page.evaluate(focused) == "claim-3"
            page.keyboard.press("k")
            assert page.evaluate(focused) == "claim-2"
            page.keyboard.press("Tab")
            assert page.evaluate(focused) == "claim-3"
            page.keyboard.press("Enter")
            assert page.evaluate("[...document.querySelectorAll('mark.active')].map(m => m.dataset.items)") == [
                "claim-3"]

            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.on("request", lambda r: requests.append(r.url))
            phone.goto(url)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
            assert phone.evaluate("getComputedStyle(document.querySelector('tr.item td')).display") == "block"
            phone.screenshot(path=str(shots / "review-seed-phone.png"))
            phone.emulate_media(media="print")
            assert phone.evaluate("getComputedStyle(document.querySelector('.help')).display") == "none"
        finally:
            browser.close()
    assert requests == [url, url]  # its own file, once per page: no script, font, style or image fetched
    assert problems == []
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 30_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 800)
