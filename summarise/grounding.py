"""Locate quotes in the article: the only check that decides whether an item is grounded.

Matching is exact after normalising whitespace runs, typographic quotes and dashes;
nothing looser (no case folding, no fuzzy matching). Offsets refer to the original text.
"""

from __future__ import annotations

from dataclasses import dataclass

_QUOTES = {c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u00b4`"}
_QUOTES.update({c: '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"})
_DASHES = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}
_TRANSLATE = {**_QUOTES, **_DASHES}


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def _normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Normalised text plus, for each of its characters, the index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    pending_space = -1
    for i, ch in enumerate(text):
        if ch.isspace():
            if pending_space < 0:
                pending_space = i
            continue
        if pending_space >= 0 and out:
            out.append(" ")
            index.append(pending_space)
        pending_space = -1
        out.append(_TRANSLATE.get(ch, ch))
        index.append(i)
    return "".join(out), index


def normalise(text: str) -> str:
    """The form in which quotes and article are compared."""
    return _normalise_with_map(text)[0]


class ArticleIndex:
    """An article prepared for repeated quote look-ups."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._norm, self._map = _normalise_with_map(text)

    def locate(self, quote: str) -> Span | None:
        """The span of ``quote`` in the original text, or None when it is not there."""
        needle = normalise(quote)
        if not needle:
            return None
        at = self._norm.find(needle)
        if at < 0:
            return None
        return Span(self._map[at], self._map[at + len(needle) - 1] + 1)

    def contains(self, quote: str) -> bool:
        return self.locate(quote) is not None


def contains_normalised(haystack: str, needle: str) -> bool:
    """True when ``needle`` stands inside ``haystack`` after normalisation."""
    n = normalise(needle)
    return bool(n) and n in normalise(haystack)
