"""The review page: one article with every quote highlighted at its span, beside the summary's tables.

One self-contained HTML file (inline CSS and script, system fonts, a Content-Security-Policy that
forbids every request), readable on a phone and printable. The text is cut at every span boundary,
so items that share a quote, or whose spans overlap, share the ``<mark>`` elements of the shared
stretch; each mark lists the ids of the items it covers (``data-items="claim-3 strike-1"``).
Everything from the article or the model reaches the page through Jinja2's autoescaping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

    from summarise.contract.record import SummaryResult

PREFIX = {"key_demands": "demand", "strikes": "strike", "casualty_claims": "claim", "negotiations": "negotiation"}
TITLES = {"casualty_claims": "Casualty claims", "strikes": "Strikes", "key_demands": "Key demands",
          "negotiations": "Negotiations"}
ORDER = ("casualty_claims", "strikes", "key_demands", "negotiations")  # the tables, most checked first

# (heading, field) per section: the contract's field names (contract/models.py)
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "casualty_claims": (("Count", "count_text"), ("Outcome", "outcome"), ("Population", "population"),
                        ("Claimant", "claimed_by"), ("Relayed by", "reported_via"), ("Side", "side"),
                        ("Scope", "scope"), ("Event", "event")),
    "strikes": (("Attacker", "attacker"), ("Target", "target"), ("Location", "location"), ("When", "when"),
                ("Means", "means")),
    "key_demands": (("Made by", "made_by"), ("Demand", "demand"), ("Addressed to", "addressed_to")),
    "negotiations": (("Parties", "parties"), ("Status", "status"), ("Description", "description"),
                     ("Venue", "venue"), ("Mediator", "mediator")),
}


@dataclass(frozen=True)
class Located:
    """An item's id, section and span in the article (``text[start:end]``)."""

    id: str
    section: str
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """A stretch of the article; ``items`` are the ids of the items whose spans cover all of it."""

    text: str
    items: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    mark: str | None = None  # the mark's element id when ``items`` is not empty


def segments(text: str, spans: list[Located]) -> list[Segment]:
    """``text`` cut at every span boundary; concatenated, the segments give ``text`` back.

    A span outside the text, or empty, is ignored: its item is then listed but not highlighted.
    """
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[Segment] = []
    marks = 0
    for start, end in pairwise(cuts):
        covering = [s for s in spans if s.start <= start and end <= s.end]
        if not covering:
            out.append(Segment(text[start:end]))
            continue
        marks += 1
        sections = tuple(dict.fromkeys(s.section for s in sorted(covering, key=lambda s: ORDER.index(s.section))))
        out.append(Segment(text[start:end], tuple(s.id for s in covering), sections, f"m-{marks}"))
    return out


@dataclass
class Row:
    id: str
    label: str  # one line saying what the item is: the popover lists it
    cells: list[tuple[str, str]]  # (heading, value)
    quote: str
    marks: list[str] = field(default_factory=list)


@dataclass
class Table:
    section: str
    title: str
    headings: list[str]
    rows: list[Row]


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _label(section: str, ident: str, item: dict[str, Any]) -> str:
    if section == "casualty_claims":
        via = f" via {item['reported_via']}" if item.get("reported_via") else ""
        what = f"{item['count_text']} {item['outcome']}"
        return f"{ident}: {what} — claimed by {item['claimed_by']}{via}"
    if section == "strikes":
        return f"{ident}: {item.get('attacker') or 'unknown attacker'} hit {item.get('target') or 'an unstated target'}"
    if section == "key_demands":
        return f"{ident}: {item['made_by']} demands {item['demand']}"
    return f"{ident}: {_value(item.get('parties')) or 'unnamed parties'} — {item['status']}"


def tables(result: SummaryResult) -> tuple[list[Table], list[Located]]:
    """A table per section, rows in the record's order, and the span of every item that has one."""
    data = result.model_dump(mode="json")
    out: list[Table] = []
    located: list[Located] = []
    for section in ORDER:
        rows = []
        for number, item in enumerate(data[section], start=1):
            ident = f"{PREFIX[section]}-{number}"
            rows.append(Row(ident, _label(section, ident, item),
                            [(heading, _value(item.get(name))) for heading, name in COLUMNS[section]], item["quote"]))
            span = item.get("quote_span")
            if span:
                located.append(Located(ident, section, span["start"], span["end"]))
        out.append(Table(section, TITLES[section], [h for h, _ in COLUMNS[section]], rows))
    return out, located


def _dropped(result: SummaryResult) -> list[dict[str, str]]:
    out = []
    for d in result.dropped:
        quote = d.item.get("quote") if isinstance(d.item, dict) else None
        out.append({"section": TITLES.get(d.section, d.section), "reason": "; ".join(d.errors),
                    "quote": quote if isinstance(quote, str) else ""})
    return out


def _source(result: SummaryResult) -> list[tuple[str, str]]:
    """The article's metadata the record carries (title, outlet, date, URL), shown as text, never a link."""
    if result.source is None:
        return []
    data = result.source.model_dump()
    return [(k, str(data[k])) for k in ("title", "outlet", "published", "url") if data.get(k)]


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                              autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def review_page(result: SummaryResult, text: str | None, *, note: str | None = None, highlight: bool = True,
                back: str | None = None) -> str:
    """The page for one record. ``text`` is the article the record was checked against (None: tables
    only); ``highlight=False`` shows the text unmarked (its spans are not this text's); ``note`` says
    why, on the page; ``back`` links to an index page."""
    tabs, located = tables(result)
    segs = segments(text, located if highlight else []) if text is not None else []
    marks_of: dict[str, list[str]] = {}
    for seg in segs:
        for ident in seg.items:
            marks_of.setdefault(ident, []).append(seg.mark or "")
    for tab in tabs:
        for row in tab.rows:
            row.marks = marks_of.get(row.id, [])
    page = {
        "headline": result.headline, "summary": result.summary, "tables": tabs, "segments": segs,
        "has_text": text is not None, "quotes_in_tables": text is None or not highlight,
        "dropped": _dropped(result), "warnings": result.warnings, "note": note, "back": back,
        "source": _source(result), "meta": _meta(result),
    }
    return _env().get_template("review.html.j2").render(p=page)


def _meta(result: SummaryResult) -> str:
    usage = result.usage
    return (f"model {result.model} · prompt {result.prompt_version} · schema v{result.schema_version} · "
            f"{usage.total_tokens} tokens · {result.attempts} attempt(s) · article {result.article_id}")


def counts(result: SummaryResult) -> dict[str, int]:
    """What the index page counts for one article."""
    return {"claims": len(result.casualty_claims), "strikes": len(result.strikes),
            "demands": len(result.key_demands), "negotiations": len(result.negotiations),
            "dropped": len(result.dropped), "warnings": len(result.warnings)}


@dataclass(frozen=True)
class IndexEntry:
    """One article's line on the index page: its page, headline, counts, and a note (text missing...)."""

    id: str
    page: str
    headline: str
    counts: dict[str, int]
    note: str | None = None


@dataclass(frozen=True)
class Failure:
    """An article whose batch record failed, or whose record could not be read back."""

    id: str
    error_class: str
    message: str


def index_page(entries: list[IndexEntry], failures: list[Failure], *, source: str) -> str:
    """The batch's index: a line per article page with its counts, then the failures with their errors."""
    totals = {key: sum(e.counts[key] for e in entries) for key in ("claims", "strikes", "demands", "negotiations",
                                                                    "dropped", "warnings")}
    return _env().get_template("review-index.html.j2").render(
        entries=entries, failures=failures, source=source, totals=totals)
