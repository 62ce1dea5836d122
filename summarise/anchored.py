"""The anchored strategy: code finds the figures and candidate sentences, the model only classifies.

Quotes and counts come from code (sentences and number expressions found in the article), so they
are grounded by construction; the model fills small grammar-constrained schemas per figure and per
section. Every call shares the same prefix (system prompt, then the article), so llama.cpp reuses
its cached prefix and each call only processes the short question at the end. Long articles are
split into overlapping chunks, each chunk serving as the prefix for the questions it contains.
The assembled summary is validated by the same schema checks as any other output.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, create_model, field_validator

from . import prompts
from .candidates import (
    AGENCIES,
    DEMAND_WORDS,
    STRIKE_WORDS,
    TALKS_WORDS,
    Figure,
    Sentence,
    attribution,
    figure_facts,
    figures,
    is_clutter,
    looks_like_injection,
    scope_of,
    section_sentences,
    sentence_outlet,
    sentences,
)
from .errors import ExtractionFailed
from .extract import reask_messages
from .grounding import ArticleIndex, normalise
from .numbers import is_vague, parse_count
from .result import DroppedItem, SummaryResult, Usage, locate_spans
from .schema import (
    SECTIONS,
    ArticleSummary,
    CachedSchema,
    Status,
    check_headline,
    check_summary,
    unique_by,
)
from .sources import Article
from .text import is_null_text, overlap

if TYPE_CHECKING:
    from .backends import Backend

log = logging.getLogger("summarise")

CHUNK_CHARS = 9_000  # about 2,300 tokens of article per prefix
OVERLAP_SENTENCES = 2
MAX_SECTION_CANDIDATES = 14
Progress = Callable[[str], None]


def _grounded_name(value: str, info: ValidationInfo) -> str:
    """A name must share a word with the article: no invented claimant or actor."""
    value = " ".join(value.split())
    ctx = info.context or {}
    article: ArticleIndex | None = ctx.get("article") if isinstance(ctx, dict) else None
    if article is None or value.lower() in ("unattributed", ""):
        return value
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", value) if w.lower() not in _STOP]
    haystack = normalise(article.text).lower()
    if words and not any(w.lower() in haystack for w in words):
        raise ValueError(f"{value!r} is not named in the article; use the article's own words or 'unattributed'")
    return value


_STOP = {"the", "and", "for", "with", "from", "said", "says", "its", "his", "her", "their", "unattributed",
         "spokesman", "spokesperson", "official", "officials"}


class _FigureBase(CachedSchema):
    model_config = ConfigDict(extra="forbid")

    @field_validator("claimed_by", check_fields=False)
    @classmethod
    def _claimant(cls, value: str, info: ValidationInfo) -> str:
        return _grounded_name(value, info)


class SentenceFacts(_FigureBase):
    """What the model decides for the casualty figures of one sentence; code knows the rest."""

    side: str | None = Field(max_length=40)
    event: str = Field(max_length=160)


class SentenceAnswer(SentenceFacts):
    """The same, plus the claimant, asked only where code cannot read it off the sentence."""

    claimed_by: str = Field(max_length=120)


class Overview(CachedSchema):
    model_config = ConfigDict(extra="forbid")
    headline: str = Field(max_length=300)
    summary: str = Field(max_length=900)


def _numbers_grounded(value: str, info: ValidationInfo) -> str:
    ctx = info.context or {}
    article: ArticleIndex | None = ctx.get("article") if isinstance(ctx, dict) else None
    if article is not None:
        plain = normalise(article.text)
        for number in re.findall(r"\d[\d,.]*\d|\d", value):
            if number not in plain:
                raise ValueError(f"the number {number} is not in the article; use only the article's figures")
    return value


class GroundedOverview(Overview):
    @field_validator("headline", "summary")
    @classmethod
    def _grounded(cls, value: str, info: ValidationInfo) -> str:
        value = check_headline(value) if info.field_name == "headline" else check_summary(value)
        return _numbers_grounded(value, info)


_TEXT = (str, Field(max_length=160))
# every key required (nullable where the contract allows null): a grammar lets a small model skip optional keys
_OPTIONAL = (str | None, Field(max_length=160))
SECTION_FIELDS: dict[str, dict[str, Any]] = {
    "strikes": {"attacker": _OPTIONAL, "target": _OPTIONAL, "location": _OPTIONAL,
                "when": (str | None, Field(max_length=60)), "means": _OPTIONAL},
    "key_demands": {"made_by": _TEXT, "demand": _TEXT, "addressed_to": _OPTIONAL},
    "negotiations": {"parties": (list[str], Field(max_length=6)), "status": (Status, ...),
                     "description": _TEXT, "venue": _OPTIONAL, "mediator": _OPTIONAL},
}
# What one selection call may pick, and the claims kept per article: the strategy's own caps, below the contract's
SECTION_LIMITS = {"strikes": 10, "key_demands": 8, "negotiations": 6}
MAX_CLAIMS = 24
SECTION_TASKS: dict[str, tuple[str, re.Pattern[str]]] = {
    "strikes": ("a specific attack that took place (an air strike, missile, shelling, drone, bombing, raid or "
                "ground assault on a place); not threats, plans, warnings or general descriptions of a war",
                STRIKE_WORDS),
    "key_demands": ("demands (calls, demands, ultimatums or requests that one actor makes of another; not "
                    "statements of fact or predictions)", DEMAND_WORDS),
    "negotiations": ("negotiations (talks, ceasefires, truces, peace plans, prisoner exchanges, mediation)",
                     TALKS_WORDS),
}


def _selection_model(numbers: Sequence[int], limit: int) -> type[BaseModel]:
    ref: Any = Literal[tuple(numbers)]
    fields: dict[str, Any] = {"sentences": (list[ref], Field(max_length=limit))}
    return create_model("Selection", __config__=ConfigDict(extra="forbid"), **fields)


def _item_model(section: str) -> type[BaseModel]:
    return create_model(f"{section}_item", __config__=ConfigDict(extra="forbid"), **SECTION_FIELDS[section])


@dataclass
class _Run:
    backend: Backend
    index: ArticleIndex
    usage: Usage = field(default_factory=Usage)
    calls: int = 0
    dropped: list[DroppedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def ask(self, prefix: list[dict[str, str]], question: str, model: type[BaseModel], max_tokens: int,
            retries: int) -> tuple[BaseModel | None, list[str], str]:
        """One question after the shared prefix; bounded reasks that send only the latest error."""
        messages = [*prefix, {"role": "user", "content": question}]
        errors: list[str] = []
        raw = ""
        for attempt in range(retries + 1):
            outcome = self.backend.attempt(messages, model, {"article": self.index}, max_tokens)
            self.calls += 1
            self.usage.add(outcome.usage)
            if outcome.value is not None:
                return outcome.value, [], outcome.raw
            errors, raw = outcome.errors, outcome.raw
            if outcome.truncated or attempt == retries:
                break
            messages = reask_messages([*prefix, {"role": "user", "content": question}], raw, errors)
        return None, errors, raw


def chunks(all_sentences: list[Sentence], limit: int = CHUNK_CHARS) -> list[list[Sentence]]:
    """Consecutive sentences of at most ``limit`` characters, overlapping by a couple of sentences."""
    out: list[list[Sentence]] = []
    current: list[Sentence] = []
    size = 0
    for sentence in all_sentences:
        if current and size + len(sentence.text) > limit:
            out.append(current)
            current = current[-OVERLAP_SENTENCES:]
            size = sum(len(s.text) + 1 for s in current)
        current.append(sentence)
        size += len(sentence.text) + 1
    if current:
        out.append(current)
    return out


def _prefix(text: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": prompts.render("anchored_system")},
            {"role": "user", "content": prompts.render("anchored_article", article=text)}]


def _chunk_text(article: str, chunk: list[Sentence]) -> str:
    """The chunk as the article has it; sentences left out (suspected injections) stay out."""
    parts = [chunk[0].text]
    for before, after in itertools.pairwise(chunk):
        parts.append(article[before.end:after.start] if after.index == before.index + 1 else "\n")
        parts.append(after.text)
    return "".join(parts)


def _figures_to_ask(all_sentences: list[Sentence]) -> list[Figure]:
    found = [f for s in all_sentences if not is_clutter(s) for f in figures(s)]
    body_values = {parse_count(f.text) or normalise(f.text).lower() for f in found if not f.sentence.is_heading}
    # a heading usually repeats a figure of the body: ask about the body's occurrence only
    return [f for f in found if not f.sentence.is_heading
            or (parse_count(f.text) or normalise(f.text).lower()) not in body_values]


def _claim_key(claim: dict[str, Any]) -> tuple[Any, ...]:
    count = parse_count(claim["count_text"])
    who = " ".join(sorted(set(re.findall(r"[a-z]{3,}", claim["claimed_by"].lower())) - _STOP))
    return (count if count is not None else normalise(claim["count_text"]).lower(), claim["outcome"], who)


def _overview(run: _Run, prefix: list[dict[str, str]], article: Article, retries: int) -> dict[str, str]:
    value, errors, _ = run.ask(prefix, prompts.render("anchored_overview"), GroundedOverview, 220, retries)
    if isinstance(value, Overview):
        return {"headline": value.headline, "summary": value.summary}
    title = " ".join((article.title or "Untitled article").split()[:25])
    run.warnings.append(f"headline and summary fell back to the article's own title ({'; '.join(errors[:2])})")
    return {"headline": title, "summary": title}


def _claimant(name: str) -> str:
    """An outlet relays a claim; it is not the claimant."""
    return "unattributed" if name.strip() in AGENCIES else name


def _single_person(text: str) -> int | None:
    """1 for an expression that names one person ("a Taliban leader"); numbers are read by the schema."""
    return 1 if parse_count(text) is None and not is_vague(text) else None


def _claims_for(run: _Run, prefix: list[dict[str, str]], found: list[Figure],
                retries: int) -> list[dict[str, Any]]:
    """Claims for the figures of one sentence: one small model call, the rest read by code."""
    sentence = found[0].sentence
    facts = []
    previous = None
    for figure in found:
        fact = figure_facts(figure)
        outcome = fact.outcome or previous  # "killing 24 people, including eight children"
        previous = outcome
        if outcome is not None:
            facts.append((figure, fact, outcome))
    if not facts:
        return []
    claimants = {figure.start: attribution(sentence, figure.start) for figure, _, _ in facts}
    ask_claimant = not all(claimants.values())
    question = prompts.render("anchored_figure", sentence=sentence.text, figures=[f.text for f, _, _ in facts],
                              ask_claimant=ask_claimant)
    model = SentenceAnswer if ask_claimant else SentenceFacts
    value, errors, raw = run.ask(prefix, question, model, 120, retries)
    if not isinstance(value, SentenceFacts):
        for figure, _, _ in facts:
            run.dropped.append(DroppedItem("casualty_claims", {"count_text": figure.text, "raw": raw}, errors))
        return []
    via = sentence_outlet(sentence)
    return [{
        "count": _single_person(figure.text), "count_text": figure.text, "qualifier": "exact", "outcome": outcome,
        "population": fact.population, "side": fact.side or value.side, "scope": scope_of(sentence),
        "event": value.event,
        "claimed_by": claimants[figure.start] or _claimant(getattr(value, "claimed_by", "unattributed")),
        "reported_via": via, "quote": sentence.text,
    } for figure, fact, outcome in facts]


def _section(run: _Run, prefix: list[dict[str, str]], section: str, candidates: list[Sentence],
             retries: int) -> list[dict[str, Any]]:
    """Two small steps: the model picks the sentences that report an item, then fills each one."""
    what, _ = SECTION_TASKS[section]
    numbered = {i + 1: s for i, s in enumerate(candidates)}
    question = prompts.render("anchored_select", what=what,
                              candidates=[{"number": n, "text": s.text} for n, s in numbered.items()])
    limit = min(SECTION_LIMITS[section], len(numbered))
    value, errors, _raw = run.ask(prefix, question, _selection_model(list(numbered), limit), 12 + 4 * limit,
                                  retries)
    if value is None:
        run.warnings.append(f"{section}: no valid selection ({'; '.join(errors[:2])})")
        return []
    items = []
    model = _item_model(section)
    for number in dict.fromkeys(value.sentences):  # type: ignore[attr-defined]
        sentence = numbered[number]
        ask = prompts.render(f"anchored_{section}", sentence=sentence.text)
        item, errors, raw = run.ask(prefix, ask, model, 160, retries)
        if item is None:
            run.dropped.append(DroppedItem(section, {"quote": sentence.text, "raw": raw}, errors))
            continue
        values = {k: _none_if_null(v) for k, v in item.model_dump(mode="json").items()}
        if echo := _echo(values, ask, sentence.text):
            run.dropped.append(DroppedItem(section, {"quote": sentence.text, "raw": raw},
                                           [f"the answer repeats the instructions ({echo!r}), not the sentence"]))
            continue
        items.append({**values, "quote": sentence.text})
    return items


def _none_if_null(value: Any) -> Any:
    """"null" written as a string means no value."""
    return None if isinstance(value, str) and is_null_text(value) else value


def _echo(values: dict[str, Any], question: str, sentence: str) -> str | None:
    """A free-text answer copied from the question's instructions (not from the sentence): the
    model found nothing to describe ("description: a few words on what the talks are")."""
    instructions = normalise(question.replace(sentence, " ")).lower()
    in_sentence = normalise(sentence).lower()
    for value in values.values():
        if isinstance(value, str) and len(value.split()) >= 3:
            plain = normalise(value).lower()
            if plain in instructions and plain not in in_sentence:
                return value
    return None


def run(article: Article, backend: Backend, *, max_retries: int = 1, strict: bool = False,
        progress: Progress | None = None, casualties_only: bool = False, **_: Any) -> SummaryResult:
    """Summarise ``article`` with the anchored strategy.

    ``casualties_only`` skips the headline call (the article's title stands in) and the other
    sections: a faster mode for casualty counting.
    """
    started = time.monotonic()
    state = _Run(backend, ArticleIndex(article.text))
    all_sentences = sentences(article.text)
    suspicious = [s for s in all_sentences if looks_like_injection(s)]
    for s in suspicious:
        state.warnings.append(f"sentence {s.index + 1} reads like instructions to a model, not reporting; "
                              f"it was not used: {s.text[:100]!r}")
    all_sentences = [s for s in all_sentences if s not in suspicious]
    parts = chunks(all_sentences)
    asked = _figures_to_ask(all_sentences)
    data: dict[str, Any] = {name: [] for name in SECTIONS}
    seen_sentences: set[int] = set()
    seen_sections: dict[str, set[int]] = {name: set() for name in SECTION_TASKS}
    total = len({f.sentence.index for f in asked})
    for number, chunk in enumerate(parts):
        prefix = _prefix(_chunk_text(article.text, chunk))
        members = {s.index for s in chunk}
        if number == 0 and progress:
            progress(f"reading the article ({len(article.text):,} characters, {len(parts)} part(s))")
        if number == 0 and not casualties_only:
            data.update(_overview(state, prefix, article, max_retries))
        elif number == 0:
            data.update(headline=" ".join((article.title or "Untitled article").split()[:25]), summary="")
        by_sentence: dict[int, list[Figure]] = {}
        for figure in asked:
            if figure.sentence.index in members and figure.sentence.index not in seen_sentences:
                by_sentence.setdefault(figure.sentence.index, []).append(figure)
        for index, found in by_sentence.items():
            seen_sentences.add(index)
            if progress:
                listed = ", ".join(f.text for f in found)
                progress(f"casualty figures: sentence {len(seen_sentences)} of {total} ({listed})")
            data["casualty_claims"].extend(_claims_for(state, prefix, found, max_retries))
        for section, (_task, pattern) in ({} if casualties_only else SECTION_TASKS).items():
            candidates = [s for s in section_sentences(chunk, pattern) if s.index not in seen_sections[section]]
            candidates = candidates[:MAX_SECTION_CANDIDATES]
            if not candidates:
                continue
            seen_sections[section].update(s.index for s in candidates)
            if progress:
                progress(f"{section.replace('_', ' ')}: {len(candidates)} candidate sentence(s)")
            data[section].extend(_section(state, prefix, section, candidates, max_retries))
    summary = _assemble(state, data, strict)
    return SummaryResult(
        summary=summary, spans=locate_spans(summary, state.index), article_id=article.id, model=backend.name,
        prompt_version=prompts.prompt_version(), usage=state.usage, attempts=state.calls,
        seconds=time.monotonic() - started, warnings=[*article.warnings, *state.warnings], dropped=state.dropped,
    )


def _same(section: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two sentences reporting the same attack, demand or process (one item in the contract)."""
    if section == "strikes":
        when_ok = not a.get("when") or not b.get("when") or overlap(a["when"], b["when"]) > 0
        return when_ok and overlap(f"{a.get('target')} {a.get('location')}",
                                   f"{b.get('target')} {b.get('location')}") >= 0.6
    if section == "key_demands":
        return overlap(a["made_by"], b["made_by"]) >= 0.5 and overlap(a["demand"], b["demand"]) >= 0.5
    # the same process reported twice: the same parties, and the same status or much the same description
    # (or the same venue and mediator with the same status: "talks in Beijing, hosted by China")
    same_place = all(a.get(k) and b.get(k) and overlap(a[k], b[k]) >= 0.6 for k in ("venue", "mediator"))
    return (a["status"] == b["status"] and same_place) or (overlap(a["parties"], b["parties"]) >= 0.6 and (
        a["status"] == b["status"] or overlap(a["description"], b["description"]) >= 0.6))


def _merge_same(section: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for item in items:
        if not any(_same(section, item, earlier) for earlier in kept):
            kept.append(item)
    return kept


def _assemble(state: _Run, data: dict[str, Any], strict: bool) -> ArticleSummary:
    """Validate what code and model produced together; drop (and report) items that fail."""
    claims = unique_by(data["casualty_claims"], _claim_key)
    attributed = {_claim_key(c)[:2] for c in claims if c["claimed_by"] != "unattributed"}
    # a figure the article states in its own voice and elsewhere attributes is one claim: keep the attributed one
    claims = [c for c in claims if c["claimed_by"] != "unattributed" or _claim_key(c)[:2] not in attributed]
    data["casualty_claims"] = claims[:MAX_CLAIMS]
    for section in SECTION_TASKS:
        data[section] = _merge_same(section, data[section])
    for section, limit in SECTION_LIMITS.items():
        data[section] = data[section][:limit]
    for _ in range(sum(len(data[s]) for s in SECTIONS) + 1):
        try:
            return ArticleSummary.model_validate(data, context={"article": state.index})
        except ValidationError as exc:
            bad = _first_bad_item(exc)
            if bad is None or strict:
                raise ExtractionFailed(f"the assembled summary failed validation: {exc.errors()[0]['msg']}",
                                       attempts=state.calls, usage=state.usage.as_dict()) from None
            section, position, message = bad
            state.dropped.append(DroppedItem(section, data[section].pop(position), [message]))
    raise ExtractionFailed("the assembled summary failed validation", attempts=state.calls)


def _first_bad_item(exc: ValidationError) -> tuple[str, int, str] | None:
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            return loc[0], loc[1], err["msg"].removeprefix("Value error, ")
    return None
