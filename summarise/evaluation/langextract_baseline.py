"""LangExtract (Google's ``langextract``) as a peer baseline in ``summarise eval``.

It runs on the same model as ours, through the same OpenAI-compatible server (``summarise serve``):
one few-shot example (from the seed article), one extraction pass over 1,000-character chunks,
temperature 0, no schema constraint (llama-cpp-python's server rejects ``json_schema`` response
formats; LangExtract's OpenAI provider then asks for ``json_object``). Its extractions become
records in the contract's field names, as the model gave them: no grounding repair, because the
scorer measures grounding. Needs the ``eval`` extra: ``pip install -e '.[eval]'``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from summarise.contract.models import Outcome, Population, Scope, Status
from summarise.contract.numbers import Qualifier, hedge_of, is_vague, parse_count
from summarise.contract.text import is_null_text
from summarise.errors import ConfigError

if TYPE_CHECKING:
    from summarise.inputs.article import Article

LANGEXTRACT_VERSION = "1.7.1"
PROMPT_VERSION = f"langextract-{LANGEXTRACT_VERSION}-baseline-1"  # part of the cache key: bump on any change here
MAX_CHAR_BUFFER = 1000
# Every model call in this project has an output bound, so a small model looping on JSON stops
# well before the context limit; 1,000 characters of article never need more.
MAX_OUTPUT_TOKENS = 1024

NO_BASE_URL = ("the langextract baseline needs --base-url (or OPENAI_BASE_URL) of an OpenAI-compatible server "
               "such as `summarise serve` (e.g. --base-url http://127.0.0.1:8765/v1)")
NOT_INSTALLED = (f"the langextract baseline needs LangExtract {LANGEXTRACT_VERSION}: install summarise[eval] "
                 "(pip install -e '.[eval]')")

PROMPT = """\
Extract from a news article about conflict or crisis, in order of appearance, using the exact text
of the article for each extraction (do not paraphrase it). Use only what the article says.
- casualty_claim: one per figure and outcome ("killing 22 people and injuring dozens" is two).
  Attributes: count_text (the number expression exactly as written, with its hedge: "at least 22",
  "dozens"), outcome (killed, injured, captured, missing, displaced, detained or other), population
  (civilians, military, mixed or unspecified), side (whose people, if stated), scope (incident or
  cumulative), event (what the figure refers to), claimed_by (who states the figure, or
  "unattributed"), reported_via (the agency or outlet relaying it, if any).
- strike: one per attack. Attributes: attacker, target, location, when, means (each if stated).
- key_demand: a call, demand or ultimatum. Attributes: made_by, demand (a short paraphrase),
  addressed_to (if stated).
- negotiation: talks, ceasefires, mediation. Attributes: parties (a list), status (proposed,
  scheduled, ongoing, stalled, concluded or rejected), description, venue and mediator (if stated).
"""

# The few-shot example: three sentences of the seed article, examples/zelensky-chernihiv.txt.
EXAMPLE_TEXT = (
    '"If you do not have the power to close the skies, then give me planes!" Zelensky told a press conference.'
    "\n\n"
    "An air strike by Russia hit two schools and private houses in Ukraine's Chernihiv region on Thursday, "
    "killing 22 people and injuring dozens, Reuters reported."
    "\n\n"
    "The development comes even as the second round of negotiations between Russia and Ukraine began at a "
    "location on the Belarus-Poland border."
)
_EVENT = "Russian air strike on two schools and private houses in Chernihiv region"
EXAMPLE_EXTRACTIONS: tuple[tuple[str, str, dict[str, str | list[str]]], ...] = (
    ("key_demand", "If you do not have the power to close the skies, then give me planes!",
     {"made_by": "Zelensky", "demand": "give Ukraine planes"}),
    ("strike", "An air strike by Russia hit two schools and private houses in Ukraine's Chernihiv region on Thursday",
     {"attacker": "Russia", "target": "two schools and private houses", "location": "Ukraine's Chernihiv region",
      "when": "Thursday", "means": "air strike"}),
    ("casualty_claim", "killing 22 people",
     {"count_text": "22", "outcome": "killed", "population": "unspecified", "scope": "incident", "event": _EVENT,
      "claimed_by": "unattributed", "reported_via": "Reuters"}),
    ("casualty_claim", "injuring dozens",
     {"count_text": "dozens", "outcome": "injured", "population": "unspecified", "scope": "incident",
      "event": _EVENT, "claimed_by": "unattributed", "reported_via": "Reuters"}),
    ("negotiation", "the second round of negotiations between Russia and Ukraine began at a location on the "
     "Belarus-Poland border",
     {"parties": ["Russia", "Ukraine"], "status": "ongoing", "description": "second round of Russia-Ukraine talks",
      "venue": "a location on the Belarus-Poland border"}),
)

# extraction_class (normalised) -> section of the contract
SECTION_OF = {
    "casualty_claim": "casualty_claims", "casualty_claims": "casualty_claims", "casualty": "casualty_claims",
    "casualties": "casualty_claims", "strike": "strikes", "strikes": "strikes", "attack": "strikes",
    "key_demand": "key_demands", "key_demands": "key_demands", "demand": "key_demands", "demands": "key_demands",
    "negotiation": "negotiations", "negotiations": "negotiations", "talks": "negotiations",
}
_PARTY_SPLIT = re.compile(r"\s*[,;&]\s*|\s+and\s+", re.I)


class ExtractionLike(Protocol):
    """What is read from a ``langextract.data.Extraction``."""

    @property
    def extraction_class(self) -> str: ...

    @property
    def extraction_text(self) -> str: ...

    @property
    def attributes(self) -> Mapping[str, Any] | None: ...


def _text(value: Any) -> str | None:
    """An attribute as one line of text; lists joined with commas; null-like values are None."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        parts = [t for v in value if (t := _text(v))]
        return ", ".join(parts) or None
    text = " ".join(str(value).split())
    return None if is_null_text(text) else text


def _choice(value: Any, enum: type[StrEnum], default: StrEnum) -> str:
    """The enum value the model named (case, spaces and hyphens aside), else ``default``."""
    key = re.sub(r"[\s-]+", "_", (_text(value) or "").lower())
    return key if key in {member.value for member in enum} else default.value


def _parties(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple) else _PARTY_SPLIT.split(_text(value) or "")
    return [t for v in items if (t := _text(v))]


def _claim(quote: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    count_text = _text(attrs.get("count_text")) or ""
    count = parse_count(count_text)
    if count is not None:  # as the contract does: code, not the model, reads the number and its hedge
        qualifier = (hedge_of(count_text) or Qualifier.exact).value
    elif is_vague(count_text):
        qualifier = Qualifier.vague.value
    else:
        qualifier = _choice(attrs.get("qualifier"), Qualifier, Qualifier.exact)
    return {"count": count, "count_text": count_text, "qualifier": qualifier,
            "outcome": _choice(attrs.get("outcome"), Outcome, Outcome.other),
            "population": _choice(attrs.get("population"), Population, Population.unspecified),
            "side": _text(attrs.get("side")), "scope": _choice(attrs.get("scope"), Scope, Scope.incident),
            "event": _text(attrs.get("event")) or "", "claimed_by": _text(attrs.get("claimed_by")) or "unattributed",
            "reported_via": _text(attrs.get("reported_via")), "quote": quote}


def _strike(quote: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {**{k: _text(attrs.get(k)) for k in ("attacker", "target", "location", "when", "means")}, "quote": quote}


def _demand(quote: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {"made_by": _text(attrs.get("made_by")) or "", "demand": _text(attrs.get("demand")) or "",
            "addressed_to": _text(attrs.get("addressed_to")), "quote": quote}


def _negotiation(quote: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {"parties": _parties(attrs.get("parties")), "status": _choice(attrs.get("status"), Status, Status.ongoing),
            "description": _text(attrs.get("description")) or "", "venue": _text(attrs.get("venue")),
            "mediator": _text(attrs.get("mediator")), "quote": quote}


_CONVERT: dict[str, Callable[[str, Mapping[str, Any]], dict[str, Any]]] = {
    "casualty_claims": _claim, "strikes": _strike, "key_demands": _demand, "negotiations": _negotiation}


def section_of(extraction_class: str) -> str | None:
    """The contract section an extraction class names, or None for classes outside the contract."""
    return SECTION_OF.get(re.sub(r"[\s-]+", "_", extraction_class.strip().lower()))


def convert_extractions(extractions: Iterable[ExtractionLike]) -> dict[str, Any]:
    """LangExtract's extractions as the contract's sections (headline and summary stay empty).

    extraction_class picks the section (others are dropped), extraction_text becomes ``quote``
    (as given: the scorer measures grounding), attributes become fields; a claim's ``count`` is
    read from its ``count_text`` (None for vague amounts).
    """
    record: dict[str, Any] = {"headline": "", "summary": "", "key_demands": [], "strikes": [],
                              "casualty_claims": [], "negotiations": []}
    for extraction in extractions:
        section = section_of(str(extraction.extraction_class or ""))
        if section is None:
            continue
        attrs = extraction.attributes if isinstance(extraction.attributes, Mapping) else {}
        record[section].append(_CONVERT[section](str(extraction.extraction_text or ""), attrs))
    return record


class Meter:
    """Counts model calls and tokens at the OpenAI client inside LangExtract's provider.

    LangExtract reports neither; the client sits in a private attribute (``_client`` in 1.7.1),
    so this is best effort: when the attribute is missing, calls and tokens stay 0.
    """

    def __init__(self) -> None:
        self.calls = 0
        self.usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}

    def attach(self, language_model: Any) -> bool:
        completions = getattr(getattr(getattr(language_model, "_client", None), "chat", None), "completions", None)
        create = getattr(completions, "create", None)
        if completions is None or create is None:
            return False

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1  # LangExtract calls one at a time here (max_workers 1)
            response = create(*args, **kwargs)
            usage = getattr(response, "usage", None)
            for key in self.usage:
                value = getattr(usage, key, 0)
                self.usage[key] += value if isinstance(value, int) else 0
            return response

        completions.create = counted
        return True


def _import_langextract() -> Any:
    try:
        import langextract
    except ImportError:
        raise ConfigError(NOT_INSTALLED) from None
    return langextract


def require_langextract(base_url: str | None) -> Any:
    """The ``langextract`` module, or a ConfigError saying what the baseline needs."""
    if not base_url:
        raise ConfigError(NO_BASE_URL)
    return _import_langextract()


def examples(lx: Any) -> list[Any]:
    """The one few-shot example as LangExtract ``ExampleData``."""
    return [lx.data.ExampleData(text=EXAMPLE_TEXT, extractions=[
        lx.data.Extraction(extraction_class=cls, extraction_text=text, attributes=dict(attrs))
        for cls, text, attrs in EXAMPLE_EXTRACTIONS])]


def langextract_record(article: Article, *, base_url: str | None, model_id: str) -> dict[str, Any]:
    """One article through LangExtract; a failure inside LangExtract is a record, never an exception."""
    lx = require_langextract(base_url)
    started = time.monotonic()
    meter = Meter()
    error: str | None = None
    extractions: list[Any] = []
    try:
        config = lx.factory.ModelConfig(
            model_id=model_id, provider="openai",
            provider_kwargs={"api_key": "x", "base_url": base_url, "temperature": 0.0, "max_workers": 1,
                             "max_output_tokens": MAX_OUTPUT_TOKENS})
        # What lx.extract(config=...) does, done here so the meter can reach the client.
        model = lx.factory.create_model(config, use_schema_constraints=False, fence_output=False)
        meter.attach(model)
        document = lx.extract(article.text, prompt_description=PROMPT, examples=examples(lx), model=model,
                              use_schema_constraints=False, fence_output=False, max_char_buffer=MAX_CHAR_BUFFER,
                              extraction_passes=1, temperature=0.0, max_workers=1, show_progress=False)
        extractions = list(getattr(document, "extractions", None) or [])
    except Exception as exc:  # one article's failure never stops the eval
        error = f"{type(exc).__name__}: {exc}"
    record = convert_extractions(extractions)
    record.update(schema_valid=error is None, usage=dict(meter.usage), attempts=meter.calls,
                  seconds=round(time.monotonic() - started, 2))
    if error is not None:
        record["error"] = error
    return record
