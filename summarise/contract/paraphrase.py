"""A paraphrase must say what its quote says.

The free-text fields that restate the article (a demand's ``demand``, a negotiation's
``description``, a casualty claim's ``event``) are the model's words. Code cannot judge meaning, but
it can check support, with stems of five letters as for names ("negotiations" is supported by
"negotiate", "Ukrainian" by "Ukraine"):

- ``demand``: at least half of the content words are in the quote or the sentence either side of
  it, and at least one is in the quote itself;
- ``event`` (what a figure refers to, often named a few sentences before the figure: "At least 12
  people died." after "An air strike hit a school in Gaza.") and ``description`` (what talks a
  sentence speaks of, often named earlier: "He said the talks were constructive." after "Ukraine and
  Russia concluded a second round of talks in Abu Dhabi"): at least half are in the quote, the two
  sentences either side, or the article's title and lead.

The description once had the demand's rule. On the 28 dev articles (anchored v10) it failed 36
negotiation items; reasks mended 4 and the other 32 were dropped after 68 reask calls, most of them
describing the talks the lead names.

Seen before this check: the demand "direct negotiations with Russian President Vladimir Putin"
attached to "If you do not have the power to close the skies, then give me planes!". Every
paraphrase of the 28 dev gold files passes (211 items).
"""

from __future__ import annotations

import re

from summarise.contract.grounding import ArticleIndex, normalise
from summarise.lexicon import NAME_FILLERS

STEM = 5
SHARE = 0.5  # at least half of the paraphrase's content words must be supported
_WORD = re.compile(r"[^\W\d_][\w'-]*|\d[\d,.]*")
# words a paraphrase adds to say what kind of thing it is, not what the article says
_FRAME = NAME_FILLERS | frozenset({
    "demand", "demands", "demanded", "call", "calls", "called", "calling", "request", "requests", "urge",
    "urges", "urged", "ask", "asks", "asked", "want", "wants", "wanted", "about", "over", "into", "that",
    "this", "these", "those", "who", "which", "what", "be", "is", "are", "was", "were", "has", "have", "had",
    "not", "no", "more", "other", "between", "after", "before", "during", "against", "will", "would",
})


def _stems(text: str) -> set[str]:
    return {w.lower().strip("'-")[:STEM] for w in _WORD.findall(normalise(text))}


def content_words(paraphrase: str) -> list[str]:
    """The words of a paraphrase that carry what it says (three letters or more, not frame words)."""
    return [w for w in _WORD.findall(normalise(paraphrase)) if len(w) >= 3 and w.lower() not in _FRAME]


def unsupported(paraphrase: str, source: str) -> list[str]:
    """The content words of ``paraphrase`` that ``source`` does not contain (by stem)."""
    stems = _stems(source)
    return [w for w in content_words(paraphrase) if w.lower().strip("'-")[:STEM] not in stems]


def supported(paraphrase: str, source: str) -> bool:
    words = content_words(paraphrase)
    return not words or len(words) - len(unsupported(paraphrase, source)) >= SHARE * len(words)


_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*(?:\s+|$)|\n\s*\n")


def neighbourhood(quote: str, article: ArticleIndex | None, sentences: int = 1) -> str:
    """The quote with ``sentences`` sentences either side of it in the article (the quote alone where it
    cannot be located)."""
    span = article.locate(quote) if article is not None else None
    if span is None or article is None:
        return quote
    text = article.text
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    before = [e for e in ends if e <= span.start]
    after = [e for e in ends if e > span.end]
    start = before[-sentences - 1] if len(before) > sentences else 0
    end = after[sentences] if len(after) > sentences else len(text)
    return text[start:end]


def lead(text: str, sentences: int = 3) -> str:
    """The article's first sentences (its title and lead), which name the event it reports."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    return text[:ends[sentences - 1]] if len(ends) >= sentences else text


# field: (sentences either side of the quote, whether the quote itself must share a word)
RULES: dict[str, tuple[int, bool]] = {"demand": (1, True), "description": (2, False), "event": (2, False)}


def check_field(field: str, value: str, quote: str, article: ArticleIndex | None) -> str:
    """``check`` with the field's rule (``RULES``)."""
    neighbours, anchored = RULES[field]
    return check(field, value, quote, article, neighbours=neighbours, anchored=anchored)


def check(field: str, value: str, quote: str, article: ArticleIndex | None = None, *,
          neighbours: int = 0, anchored: bool = True) -> str:
    """``value`` when its quote (with ``neighbours`` sentences either side) supports it; else a
    ``ValueError`` that tells the model what to do. With ``anchored`` the quote itself must share a
    word with it: the neighbours only help a paraphrase of the quote."""
    source = neighbourhood(quote, article, neighbours) if neighbours else quote
    if not anchored and article is not None:  # an event may be the one the article's title and lead report
        source = f"{lead(article.text)}\n{source}"
    words = content_words(value)
    shares = not anchored or len(unsupported(value, quote)) < len(words)
    if words and not (supported(value, source) and shares):
        missing = ", ".join(unsupported(value, source)[:5])
        where = "its quote and the sentences next to it" if neighbours else "its quote"
        raise ValueError(f"{field} {value!r} does not say what {where} says ({missing} not in it); restate the "
                         "quoted sentence in its own words")
    return value
