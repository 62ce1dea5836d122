"""The anchored strategy: code finds the figures and candidate sentences, the model only classifies.

Quotes and counts come from code (sentences and number expressions found in the article), so they
are grounded by construction; the model fills small grammar-constrained schemas per figure and per
section (``questions``). Every call shares the same prefix (system prompt, then the article), so
llama.cpp reuses its cached prefix and each call only processes the short question at the end.
Long articles are split into overlapping chunks, each chunk serving as the prefix for the
questions it contains. The assembled summary is validated by the same checks as any other output.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from summarise.contract.grounding import normalise
from summarise.contract.models import MAX_CLAIMS as CONTRACT_CLAIMS
from summarise.contract.models import MAX_DEMANDS, MAX_NEGOTIATIONS, MAX_STRIKES, SECTIONS, ArticleSummary
from summarise.contract.numbers import is_vague, parse_count
from summarise.contract.text import is_null_text
from summarise.lexicon import AGENCIES
from summarise.strategies import templates
from summarise.strategies.candidates import (
    Figure,
    FigureFacts,
    Sentence,
    attribution,
    figure_facts,
    figures,
    is_clutter,
    is_title,
    scope_of,
    section_sentences,
    sentence_outlet,
    sentences,
)
from summarise.strategies.injection import as_data
from summarise.strategies.loop import Run
from summarise.strategies.merge import MAX_CLAIMS, merge_claims, merge_same
from summarise.strategies.questions import (
    SECTION_LIMITS,
    SECTION_TASKS,
    GroundedOverview,
    Overview,
    SentenceAnswer,
    SentenceFacts,
    item_model,
    selection_model,
)

CHUNK_CHARS = 9_000  # about 2,300 tokens of article per prefix
OVERLAP_SENTENCES = 2
MAX_SECTION_CANDIDATES = 14
# output tokens per question (``--max-tokens`` replaces each when given)
OVERVIEW_TOKENS = 220
FIGURE_TOKENS = 120
ITEM_TOKENS = 160


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
    return [{"role": "system", "content": templates.render("anchored_system")},
            {"role": "user", "content": templates.render("anchored_article", article=as_data(text))}]


def _ask(prefix: list[dict[str, str]], question: str) -> list[dict[str, str]]:
    return [*prefix, {"role": "user", "content": question}]


def _chunk_text(article: str, chunk: list[Sentence]) -> str:
    """The chunk as the article has it; sentences left out (suspected injections) stay out."""
    parts = [chunk[0].text]
    for before, after in itertools.pairwise(chunk):
        parts.append(article[before.end:after.start] if after.index == before.index + 1 else "\n")
        parts.append(after.text)
    return "".join(parts)


def _figures_to_ask(all_sentences: list[Sentence], text: str) -> list[Figure]:
    # the article's first line, on a line of its own, is its title: the body states its figures
    found = [f for s in all_sentences if not is_clutter(s) and not is_title(s, text) for f in figures(s)]
    body_values = {parse_count(f.text) or normalise(f.text).lower() for f in found if not f.sentence.is_heading}
    # a heading usually repeats a figure of the body: ask about the body's occurrence only
    found = [f for f in found if not f.sentence.is_heading
             or (parse_count(f.text) or normalise(f.text).lower()) not in body_values]
    # one named person is one claim, however often the article reports the death: a name already given
    # by a figure asked about, or by the sentence of one ("killed a facilitator, Mohammad Umar" then
    # "Umar's death"), is not asked about again
    asked: list[Figure] = []
    for figure in found:
        named = re.compile(rf"\b{re.escape(figure.person)}\b") if figure.person else None
        if named is None or not any(named.search(f.text) or (f.sentence.index != figure.sentence.index
                                                             and named.search(f.sentence.text)) for f in asked):
            asked.append(figure)
    return asked


def caps(parts: int) -> dict[str, int]:
    """Items kept per section: a part's worth (``CHUNK_CHARS``) for each part of the article, so a long
    report is covered to its end, within the contract's own caps (which stop a grammar-constrained
    model from looping)."""
    contract = {"casualty_claims": CONTRACT_CLAIMS, "strikes": MAX_STRIKES, "key_demands": MAX_DEMANDS,
                "negotiations": MAX_NEGOTIATIONS}
    per_part = {"casualty_claims": MAX_CLAIMS, **SECTION_LIMITS}
    return {section: min(contract[section], per_part[section] * max(parts, 1)) for section in contract}


def _within_cap(run: Run, asked: list[Figure], cap: int) -> list[Figure]:
    """The figures of the first sentences whose claims fill ``cap``; the rest are not asked.

    ``merge_claims`` keeps the first ``cap`` claims in the article's order, so sentences past
    the cap would cost a model call each for claims that are thrown away. The count is of figures
    that become claims before merging (an upper bound on the claims kept), so the number of calls
    is bounded whatever the model answers.
    """
    by_sentence: dict[int, list[Figure]] = {}
    for figure in asked:
        by_sentence.setdefault(figure.sentence.index, []).append(figure)
    kept: set[int] = set()
    left: list[int] = []  # sentences past the cap whose figures would have become claims
    claims = 0
    for index, found in by_sentence.items():  # in the article's order
        count = len(_facts(found))
        if claims < cap:
            kept.add(index)
            claims += count
        elif count:
            left.append(index)
    if left:
        run.warnings.append(f"casualty figures: the cap of {cap} claims was reached; {len(left)} more "
                            f"sentence(s) with figures were not asked (first: sentence {left[0] + 1})")
    return [f for f in asked if f.sentence.index in kept]


def _title(run: Run) -> str:
    return " ".join((run.article.title or "Untitled article").split()[:25])


def _overview(run: Run, prefix: list[dict[str, str]]) -> dict[str, str]:
    answer = run.ask(_ask(prefix, templates.render("anchored_overview")), GroundedOverview, OVERVIEW_TOKENS,
                     why="overview")
    if isinstance(answer.value, Overview):
        return {"headline": answer.value.headline, "summary": answer.value.summary}
    run.warnings.append(f"headline and summary fell back to the article's own title ({'; '.join(answer.errors[:2])})")
    return {"headline": _title(run), "summary": _title(run)}


def _claimant(name: str) -> str:
    """An outlet relays a claim; it is not the claimant."""
    return "unattributed" if name.strip() in AGENCIES else name


def _single_person(text: str) -> int | None:
    """1 for an expression that names one person ("a Taliban leader"); numbers are read by the schema."""
    return 1 if parse_count(text) is None and not is_vague(text) else None


def _facts(found: list[Figure]) -> list[tuple[Figure, FigureFacts, str]]:
    """The figures of one sentence that become claims (those with an outcome), with what code reads off them."""
    facts = []
    previous = None
    for figure in found:
        fact = figure_facts(figure)
        outcome = fact.outcome or previous  # "killing 24 people, including eight children"
        previous = outcome
        if outcome is not None:
            facts.append((figure, fact, outcome))
    return facts


def _claims_for(run: Run, prefix: list[dict[str, str]], found: list[Figure]) -> list[dict[str, Any]]:
    """Claims for the figures of one sentence: one small model call, the rest read by code."""
    sentence = found[0].sentence
    facts = _facts(found)
    if not facts:
        return []
    claimants = {figure.start: attribution(sentence, figure.start) for figure, _, _ in facts}
    ask_claimant = not all(claimants.values())
    question = templates.render("anchored_figure", sentence=sentence.text, figures=[f.text for f, _, _ in facts],
                                ask_claimant=ask_claimant)
    answer = run.ask(_ask(prefix, question), SentenceAnswer if ask_claimant else SentenceFacts, FIGURE_TOKENS,
                     why="figure", quote=sentence.text)
    value = answer.value
    if not isinstance(value, SentenceFacts):
        for figure, _, _ in facts:
            run.drop("casualty_claims", {"count_text": figure.text, "raw": answer.raw}, answer.errors)
        return []
    via = sentence_outlet(sentence)
    return [{
        "count": _single_person(figure.text), "count_text": figure.text, "qualifier": "exact", "outcome": outcome,
        "population": fact.population, "side": fact.side or value.side, "scope": scope_of(sentence),
        "event": value.event,
        "claimed_by": claimants[figure.start] or _claimant(getattr(value, "claimed_by", "unattributed")),
        "reported_via": via, "quote": sentence.text,
    } for figure, fact, outcome in facts]


def _section(run: Run, prefix: list[dict[str, str]], section: str, candidates: list[Sentence]) -> list[dict[str, Any]]:
    """Two small steps: the model picks the sentences that report an item, then fills each one."""
    what, _ = SECTION_TASKS[section]
    numbered = {i + 1: s for i, s in enumerate(candidates)}
    question = templates.render("anchored_select", what=what,
                                candidates=[{"number": n, "text": s.text} for n, s in numbered.items()])
    limit = len(numbered)  # at most one item per candidate; the article's cap (``caps``) applies after merging
    chosen = run.ask(_ask(prefix, question), selection_model(list(numbered), limit), 12 + 4 * limit, why="select")
    if chosen.value is None:
        run.warnings.append(f"{section}: no valid selection ({'; '.join(chosen.errors[:2])})")
        return []
    items = []
    model = item_model(section)
    for number in dict.fromkeys(chosen.value.sentences):  # type: ignore[attr-defined]
        sentence = numbered[number]
        ask = templates.render(f"anchored_{section}", sentence=sentence.text)
        answer = run.ask(_ask(prefix, ask), model, ITEM_TOKENS, why="section", quote=sentence.text)
        if answer.value is None:
            run.drop(section, {"quote": sentence.text, "raw": answer.raw}, answer.errors)
            continue
        values = {k: _none_if_null(v) for k, v in answer.value.model_dump(mode="json").items()}
        if echo := _echo(values, ask, sentence.text):
            run.drop(section, {"quote": sentence.text, "raw": answer.raw},
                     [f"the answer repeats the instructions ({echo!r}), not the sentence"])
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


def _usable_sentences(run: Run) -> list[Sentence]:
    """The article's sentences, less those that read like instructions to a model (the run reports them)."""
    return [s for s in sentences(run.article.text) if s not in run.suspicious]


def run(run: Run, *, casualties_only: bool = False) -> ArticleSummary:
    """Summarise the run's article with the anchored strategy.

    ``casualties_only`` skips the headline call (the article's title stands in) and the other
    sections: a faster mode for casualty counting.
    """
    article = run.article
    all_sentences = _usable_sentences(run)
    parts = chunks(all_sentences)
    limits = caps(len(parts))
    asked = _within_cap(run, _figures_to_ask(all_sentences, article.text), limits["casualty_claims"])
    data: dict[str, Any] = {name: [] for name in SECTIONS}
    seen_sentences: set[int] = set()
    seen_sections: dict[str, set[int]] = {name: set() for name in SECTION_TASKS}
    total = len({f.sentence.index for f in asked})
    for number, chunk in enumerate(parts):
        prefix = _prefix(_chunk_text(article.text, chunk))
        members = {s.index for s in chunk}
        if number == 0:
            run.say(f"reading the article ({len(article.text):,} characters, {len(parts)} part(s))")
            data.update({"headline": _title(run), "summary": ""} if casualties_only else _overview(run, prefix))
        by_sentence: dict[int, list[Figure]] = {}
        for figure in asked:
            if figure.sentence.index in members and figure.sentence.index not in seen_sentences:
                by_sentence.setdefault(figure.sentence.index, []).append(figure)
        for index, found in by_sentence.items():
            seen_sentences.add(index)
            run.say(f"casualty figures: sentence {len(seen_sentences)} of {total} ({', '.join(f.text for f in found)})")
            data["casualty_claims"].extend(_claims_for(run, prefix, found))
        for section, (_task, pattern) in ({} if casualties_only else SECTION_TASKS).items():
            candidates = [s for s in section_sentences(chunk, pattern) if s.index not in seen_sections[section]]
            seen_sections[section].update(s.index for s in candidates)
            # every candidate is offered: a chunk with many goes to the model in several short lists
            for start in range(0, len(candidates), MAX_SECTION_CANDIDATES):
                group = candidates[start:start + MAX_SECTION_CANDIDATES]
                run.say(f"{section.replace('_', ' ')}: {len(group)} candidate sentence(s)")
                data[section].extend(_section(run, prefix, section, group))
    for section, limit in limits.items():
        merged = merge_claims(data[section], limit + 1) if section == "casualty_claims" else merge_same(
            section, data[section])
        if len(merged) > limit:
            run.warnings.append(f"{section.replace('_', ' ')}: the cap of {limit} items was reached; later ones "
                                "were left out")
        data[section] = merged[:limit]
    return run.validate(data)


def run_casualties_only(run_: Run) -> ArticleSummary:
    """``anchored-casualties``: casualty claims only, the title as headline."""
    return run(run_, casualties_only=True)
