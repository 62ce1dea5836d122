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


_LINK_WORDS = ("of", "for", "the", "and", "on")
_LINK = "(?:" + "|".join(_LINK_WORDS) + ")"
_CAPITAL = r"[A-Z][\w'\u2019-]+"
# a capitalised word that starts a sentence or is a title, not a first name ("The", "President")
_NOT_FIRST_NAME = re.compile(r"(?:^|\s)(?:The|A|An|In|On|At|But|And|As|If|When|After|President|Minister|Governor|"
                             r"Mayor|General|Spokesman|Spokeswoman)\s+$")


def _body(text: str) -> str:
    """The article without a headline line above it (a first line with no closing punctuation)."""
    first, _, rest = text.strip().partition("\n")
    return rest if rest and not first.rstrip().endswith((".", "!", "?")) else text


def full_name(value: str, text: str) -> str:
    """A claimant as the article names it in full: an acronym with its expansion ("IDF" is "Israel Defense
    Forces (IDF)", "UN" the "United Nations") and a surname with the name and title before it at its first
    mention in the body ("Chaus" is "Governor Viacheslav Chaus"). Anything else, or no such mention, is
    left as it is."""
    core = re.sub(r"^the\s+", "", value.strip(), flags=re.I)
    body = _body(text)
    if re.fullmatch(r"[A-Z]{2,6}", core):
        spelled = re.search(rf"({_CAPITAL}(?:\s+(?:{_LINK}\s+)?{_CAPITAL})+)\s+\({core}\)", body)
        if spelled:
            return f"{re.sub(r'^The ', '', spelled.group(1))} ({core})"
        for match in re.finditer(rf"\b{_CAPITAL}(?:\s+(?:{_LINK}\s+)?{_CAPITAL}){{1,5}}", body):
            name = " ".join(re.sub(r"^The ", "", match.group(0)).split())
            if "".join(w[0] for w in name.split() if w.lower() not in _LINK_WORDS) == core:
                return name
        return value
    if re.fullmatch(r"[A-Z][a-z'\u2019-]+", core):
        named = re.search(rf"\b((?:{_CAPITAL}\s+){{1,2}}){re.escape(core)}\b", body)
        if named and not _NOT_FIRST_NAME.search(" " + named.group(1)):
            return f"{re.sub(r'^The ', '', named.group(1))}{core}"
    return value
