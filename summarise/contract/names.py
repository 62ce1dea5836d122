"""Names and places must be named in the article: a claimant, an attacker, a place or a party that
the article never mentions is the model's invention.

Tolerant of inflection and spelling variants that share a stem: a word is named when some word of
the article starts with its first five letters (Ukraine/Ukrainian, Houthi/Houthis, Russia/Russian),
or is a whole four-letter word it starts with (West/Western).
Words that say nothing about who or where (function words, "said", "officials") are not checked.
"""

from __future__ import annotations

import re
from typing import Any

from summarise.contract.grounding import ArticleIndex, normalise
from summarise.lexicon import NAME_FILLERS

# the fields that name a person, body or place, by section
NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "key_demands": ("made_by", "addressed_to"),
    "strikes": ("attacker", "location"),
    "casualty_claims": ("claimed_by", "reported_via"),
    "negotiations": ("parties", "mediator", "venue"),
}
STEM = 5
_WORD = re.compile(r"[^\W\d_][\w'-]*")
# words that say nothing about who (or that no name was given: "an unnamed official")
_FILLERS = NAME_FILLERS | {"unnamed", "unidentified", "anonymous"}


def _stem(word: str) -> str:
    return word.lower().strip("'-")[:STEM]


def article_stems(article: ArticleIndex) -> frozenset[str]:
    """Every stem (and every shorter whole word) of the article's words, computed once per article."""
    cached: frozenset[str] | None = getattr(article, "_name_stems", None)
    if cached is None:
        cached = frozenset(_stem(w) for w in _WORD.findall(normalise(article.text)))
        article._name_stems = cached  # type: ignore[attr-defined]
    return cached


def is_named(value: str, article: ArticleIndex) -> bool:
    """True when a word of ``value`` that could name someone or somewhere is in the article."""
    words = [w for w in _WORD.findall(value) if len(w) >= 3 and w.lower() not in _FILLERS]
    stems = article_stems(article)
    # "Western" is named by "West": a short whole word of the article may stand for a longer one
    return not words or any(_stem(w) in stems or w.lower()[:4] in stems for w in words)


def unnamed(value: Any, article: ArticleIndex) -> list[str]:
    """The names in ``value`` (a string or a list of them) that the article does not name."""
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and v.strip() and not is_named(v, article)]


# a clause, not a name: a figure, a verb of being, a personal pronoun ("At least 32 are", "… for his own safety")
_CLAUSE = re.compile(r"\d|\b(?:is|are|was|were|been|being|be|he|she|they|we|his|her|their|own|them|him|"
                     r"at\s+least|more\s+than)\b", re.I)


def is_claimant(value: str) -> bool:
    """A person or body ("the regional governor", "Syrian Observatory for Human Rights"), never a clause."""
    return value.strip().lower() == "unattributed" or (bool(value.strip()) and not _CLAUSE.search(value))
