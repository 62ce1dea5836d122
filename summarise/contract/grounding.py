"""Locate quotes in the article: the only check that decides whether an item is grounded.

Matching is exact after normalising whitespace runs, typographic quotes and dashes;
nothing looser (no case folding, no fuzzy matching). Offsets refer to the original text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_QUOTES = {c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u00b4`"}
_QUOTES.update({c: '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"})
_DASHES = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"}
_TRANSLATE = {**_QUOTES, **_DASHES}


@dataclass(frozen=True)
class Span:
    start: int
    end: int


_SPECIAL = re.compile("[" + "".join(_TRANSLATE) + "]")
# a whitespace run that is not one plain space: it shifts every offset after it
_IRREGULAR = re.compile(r"\s{2,}|[^\S ]")


def _translate(match: re.Match[str]) -> str:
    return _TRANSLATE[match.group()]


def _normalise_with_map(text: str) -> tuple[str, _OffsetMap]:
    """Normalised text plus a map from its positions to positions in ``text``.

    Every replacement is one character for one, except runs of whitespace, which become one space
    (none at either end). The map keeps one breakpoint per run that is not a single plain space,
    the only places where the offset changes; the text between runs is copied by slicing.
    """
    translated = _SPECIAL.sub(_translate, text)
    body = translated.strip()
    lead = len(translated) - len(translated.lstrip())
    pieces: list[str] = []
    norm_at = [0]
    orig_at = [lead]
    start = length = 0  # next uncopied position of ``body``; length of the normalised text so far
    for match in _IRREGULAR.finditer(body):
        pieces += (body[start:match.start()], " ")
        length += match.start() - start + 1
        start = match.end()
        norm_at.append(length)
        orig_at.append(start + lead)
    pieces.append(body[start:])
    return "".join(pieces), _OffsetMap(norm_at, orig_at)


class _OffsetMap:
    def __init__(self, norm_at: list[int], orig_at: list[int]) -> None:
        self._norm_at = norm_at
        self._orig_at = orig_at

    def __getitem__(self, position: int) -> int:
        at = bisect.bisect_right(self._norm_at, position) - 1
        return self._orig_at[at] + position - self._norm_at[at]


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
