"""What every strategy shares: one article's run, the one reask loop and the one drop-and-report path.

``Run.ask`` puts one question to the model with bounded validation reasks. Each reask sends the
question once plus the latest failed answer and its errors, never the whole history, so the prompt
does not grow with the number of attempts. ``Run.validate`` checks a whole summary against the
article; items that still fail are dropped and reported (``dropped``), unless ``strict`` asks for
the whole article to fail instead. Nothing unchecked is ever returned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from summarise.backends.attempt import Model
from summarise.contract import paraphrase
from summarise.contract.grounding import ArticleIndex
from summarise.contract.messages import format_errors, item_errors
from summarise.contract.models import SECTIONS, ArticleSummary
from summarise.contract.names import NAME_FIELDS, full_name, unnamed
from summarise.contract.record import DroppedItem, Usage
from summarise.contract.statuses import status_in
from summarise.contract.text import is_null_text
from summarise.errors import ExtractionFailed
from summarise.hooks import Hooks
from summarise.inputs.article import Article
from summarise.lexicon import CAMPAIGN_WORDS
from summarise.strategies import templates
from summarise.strategies.candidates import Sentence
from summarise.strategies.injection import flagged, warning_for

log = logging.getLogger("summarise")

Progress = Callable[[str], None]
# (section, field): a value its item's sentence or the one either side of it must state
NEAR_FIELDS = (("strikes", "when"), ("key_demands", "addressed_to"))
Why = Literal["overview", "figure", "section", "select", "summary"]


@dataclass(frozen=True)
class Options:
    """What a caller may set for any strategy; each one reaches every strategy."""

    max_retries: int = 2  # validation reasks after the first answer, per question
    max_tokens: int | None = None  # output-token budget per call; None: the strategy's own per question
    strict: bool = False  # fail the article instead of dropping items that still fail their checks


@dataclass(frozen=True)
class Answer:
    value: BaseModel | None
    raw: str = ""
    errors: list[str] = field(default_factory=list)
    truncated: bool = False


@dataclass
class Run:
    """One article being summarised: the model to ask, the options, and what the run has spent so far."""

    article: Article
    model: Model
    options: Options = field(default_factory=Options)
    hooks: Hooks = field(default_factory=Hooks)
    progress: Progress | None = None
    index: ArticleIndex = field(init=False)
    suspicious: list[Sentence] = field(init=False)
    usage: Usage = field(default_factory=Usage)
    calls: int = 0
    warnings: list[str] = field(default_factory=list)
    dropped: list[DroppedItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.index = ArticleIndex(self.article.text)
        self.warnings.extend(self.article.warnings)
        # sentences addressed to a model: withheld from every prompt, never quoted by an item
        self.suspicious = flagged(self.article.text)
        self.warnings.extend(warning_for(s) for s in self.suspicious)

    def context(self, repairs: list[str], quote: str | None = None, why: str = "") -> dict[str, Any]:
        """The validation context: the article the checks read, where mechanical repairs are noted
        (kept in ``warnings`` only for the answer that is used), the sentence a question is about, and
        why the call is made (for the call log: ``figure``, ``section``, ``reask:figure`` …)."""
        return {"article": self.index, "repairs": repairs, "quote": quote, "why": why}

    def say(self, message: str) -> None:
        if self.progress:
            self.progress(message)

    def budget(self, default: int) -> int:
        """Output tokens for one call: ``--max-tokens`` when given, else the strategy's own figure."""
        return self.options.max_tokens or default

    def ask(self, messages: list[dict[str, str]], response_model: type[BaseModel], default_budget: int, *,
            why: Why, announce: bool = False, quote: str | None = None) -> Answer:
        """One question with bounded reasks; the answer, or the last raw output with its errors.
        ``quote``: the article's sentence the question is about (paraphrases are checked against it)."""
        budget = self.budget(default_budget)
        current = messages
        retries = self.options.max_retries
        answer = Answer(None)
        for number in range(1, retries + 2):
            if announce:
                self.say(f"attempt {number} of {retries + 1}" + (" (fixing validation errors)" if number > 1 else ""))
            repairs: list[str] = []
            reason = why if number == 1 else f"reask:{why}"
            outcome = self.model.attempt(current, response_model, self.context(repairs, quote, reason), budget)
            self.calls += 1
            self.usage.add(outcome.usage)
            if outcome.value is not None:
                self.warnings.extend(repairs)
                return Answer(outcome.value, outcome.raw)
            answer = Answer(None, outcome.raw, outcome.errors, outcome.truncated)
            log.info("%s: attempt %d failed validation: %s", why, number, "; ".join(outcome.errors[:5]))
            self.hooks.emit("validation_error", errors=outcome.errors, attempt_number=number)
            if outcome.truncated or number > retries:
                break
            following = reask_messages(messages, outcome.raw, outcome.errors)
            if following == current:
                # the model repeated its answer to the reask word for word, so the next reask would be the
                # same question again: at temperature 0 the same answer (on the dev set at v10, 29 of 36
                # second attempts failed with the first's errors)
                log.info("%s: the reask got the same answer again; not asking it again", why)
                break
            self.hooks.emit("reask", errors=outcome.errors, attempt_number=number)
            current = following
        return answer

    def drop(self, section: str, item: Any, errors: list[str]) -> None:
        """Leave an item out and say so (``dropped``, the ``item_dropped`` hook)."""
        dropped = DroppedItem(section=section, item=item, errors=errors)
        self.dropped.append(dropped)
        self.hooks.emit("item_dropped", item=dropped)

    def validate(self, data: dict[str, Any]) -> ArticleSummary:
        """The summary ``data`` describes, checked against the article.

        Items that fail are dropped (and reported) until the rest validates, unless ``strict``;
        ExtractionFailed when an error lies outside the items or ``strict`` forbids dropping.
        """
        data = {k: (list(v) if isinstance(v, list) else v) for k, v in data.items()}
        self._drop_planted(data)
        self._null_unnamed(data)
        self._null_far_fields(data)
        self._drop_campaigns(data)
        self._read_from_the_article(data)
        while True:
            try:
                repairs: list[str] = []
                summary = ArticleSummary.model_validate(data, context=self.context(repairs))
                self.warnings.extend(r for r in repairs if r not in self.warnings)
                return summary
            except ValidationError as exc:
                bad = item_errors(exc)
                if bad is None or self.options.strict:
                    errors = format_errors(exc)
                    raise self.failed(f"the summary failed validation: {'; '.join(errors[:5])}", errors) from None
                # pop from the end so positions stay valid; report in the article's order
                popped = [(section, data[section].pop(position), reasons)
                          for (section, position), reasons in sorted(bad.items(), reverse=True)]
                for section, item, reasons in reversed(popped):
                    self.drop(section, item, reasons)

    def _drop_where(self, data: dict[str, Any], sections: tuple[str, ...], reason: Callable[[str], str | None]) -> None:
        """Drop and report the items of ``sections`` whose quote ``reason`` gives a reason against."""
        for section in sections:
            items = data.get(section)
            if not isinstance(items, list):
                continue
            kept = []
            for item in items:
                quote = item.get("quote") if isinstance(item, dict) else None
                why = reason(quote) if isinstance(quote, str) and quote else None
                if why:
                    self.drop(section, item, [f"quote: {why}"])
                else:
                    kept.append(item)
            data[section] = kept

    def _drop_planted(self, data: dict[str, Any]) -> None:
        """Items quoting a sentence addressed to a model are never reported, whatever the model says."""
        self._drop_where(data, SECTIONS, lambda quote: "it comes from a sentence that reads like instructions to a "
                         "model, not reporting" if self._planted(quote) else None)

    def _null_unnamed(self, data: dict[str, Any]) -> None:
        """A name or place the article never mentions is the model's invention: it becomes null (a claimant
        "unattributed", a party leaves the list) and ``warnings`` says so; a demand whose maker is invented
        is dropped (``made_by`` is required)."""
        for section, fields in NAME_FIELDS.items():
            kept = []
            for position, item in enumerate(data.get(section) or []):
                if isinstance(item, dict) and (maker := unnamed(item.get("made_by"), self.index)):
                    self.drop(section, item, [f"made_by: {maker[0]!r} is not named in the article"])
                    continue
                for name in fields if isinstance(item, dict) else ():
                    if invented := unnamed(item.get(name), self.index):
                        value = item[name]
                        item[name] = ([v for v in value if v not in invented] if isinstance(value, list)
                                      else "unattributed" if name == "claimed_by" else None)
                        self.warnings.append(f"{section}[{position}].{name}: {', '.join(map(repr, invented))} is "
                                             "not named in the article; left out")
                kept.append(item)
            if section in data:
                data[section] = kept

    def _read_from_the_article(self, data: dict[str, Any]) -> None:
        """Where the article settles a field, its reading replaces the model's: a claimant as the article
        names it in full (``names.full_name``), a negotiation's status by its sentence's grammar
        (``statuses.status_in``)."""
        for claim in data.get("casualty_claims") or []:
            if isinstance(claim, dict) and isinstance(claim.get("claimed_by"), str):
                claim["claimed_by"] = full_name(claim["claimed_by"], self.article.text)
        for item in data.get("negotiations") or []:
            if isinstance(item, dict) and isinstance(item.get("status"), str) and isinstance(item.get("quote"), str):
                item["status"] = status_in(item["status"], item["quote"])

    def _null_far_fields(self, data: dict[str, Any]) -> None:
        """A strike's ``when`` and a demand's ``addressed_to`` are what the item's sentence or the one either
        side of it says ("on Thursday", "urged Kyiv to ..."): a value the model took from further away, or
        text that says there is none ("not stated"), becomes null and ``warnings`` says so."""
        for section, name in NEAR_FIELDS:
            for position, item in enumerate(data.get(section) or []):
                value = item.get(name) if isinstance(item, dict) else None
                if not isinstance(value, str):
                    continue
                if is_null_text(value):
                    item[name] = None
                elif not paraphrase.supported(value, paraphrase.neighbourhood(str(item.get("quote", "")), self.index)):
                    item[name] = None
                    self.warnings.append(f"{section}[{position}].{name}: {value!r} is not what its sentence or the "
                                         "ones next to it say; left out")

    def _drop_campaigns(self, data: dict[str, Any]) -> None:
        """A strike is one attack: a sentence that tells a continuing campaign ("has been bombarding ... since
        March", "stepped up its attacks") is not one, and its item is dropped and reported."""
        self._drop_where(data, ("strikes",), lambda quote: "it tells a continuing campaign, not one attack at a "
                         "place and time" if CAMPAIGN_WORDS.search(quote) else None)

    def _planted(self, quote: Any) -> bool:
        span = self.index.locate(quote) if isinstance(quote, str) and self.suspicious else None
        return span is not None and any(s.start < span.end and span.start < s.end for s in self.suspicious)

    def failed(self, message: str, errors: list[str]) -> ExtractionFailed:
        return ExtractionFailed(message, attempts=self.calls, errors=errors, usage=self.usage.model_dump())


def reask_messages(base: list[dict[str, str]], raw: str, errors: list[str]) -> list[dict[str, str]]:
    return [
        *base,
        {"role": "assistant", "content": raw},
        {"role": "user", "content": templates.render("reask", errors=errors)},
    ]
