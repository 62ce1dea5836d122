"""Read the number a casualty expression states: "at least 22", "1.2 million", "twenty-two".

Returns the integer, or None for vague amounts ("dozens") and for expressions without a
number (a single person is handled by the schema). Ages ("a 41-year-old man") are not counts.
"""

from __future__ import annotations

import re
from enum import StrEnum

from summarise.lexicon import HEDGES, SCALES, SPECIAL_AMOUNTS, TENS, UNITS, VAGUE_WORDS

_AGE = re.compile(r"\d+(?:\.\d+)?\s*-?\s*(?:year|month|week|day)s?\s*-?\s*old", re.I)
_DIGITS = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*-?\s*(hundred|thousand|million|billion)\b)?",
    re.I,
)
_WORD = r"(?:" + "|".join(list(UNITS) + list(TENS) + list(SCALES) + ["and", "a"]) + r")"
_WORDS = re.compile(rf"\b{_WORD}(?:[\s-]+{_WORD})*\b", re.I)


class Qualifier(StrEnum):
    exact = "exact"
    at_least = "at_least"
    more_than = "more_than"
    about = "about"
    up_to = "up_to"
    vague = "vague"


_HEDGES = [(Qualifier(name), phrases) for name, phrases in HEDGES]


def _words_to_int(words: str) -> int | None:
    tokens = [t for t in re.split(r"[\s-]+", words.lower()) if t and t != "and"]
    if not tokens or all(t == "a" for t in tokens):
        return None
    total, current, seen, prev = 0, 0, False, ""
    for tok in tokens:
        if tok in SCALES and current == 0 and prev != "a":
            return None  # "several hundred", "hundreds": no definite number
        prev = tok
        if tok == "a":
            current = max(current, 1)
        elif tok in UNITS:
            current += UNITS[tok]
            seen = True
        elif tok in TENS:
            current += TENS[tok]
            seen = True
        elif tok in SCALES:
            scale = SCALES[tok]
            current = max(current, 1) * scale
            if scale >= 1000:
                total += current
                current = 0
            seen = True
    return total + current if seen else None


def parse_count(text: str) -> int | None:
    """The integer that ``text`` states, or None when it states no definite number."""
    lowered = " ".join(_AGE.sub(" ", text).lower().split())
    for phrase, value in SPECIAL_AMOUNTS.items():
        if re.search(rf"\b{phrase}\b", lowered):
            return value
    match = _DIGITS.search(lowered)
    if match:
        whole = int(match.group(1).replace(",", ""))
        frac = match.group(2)
        scale = SCALES.get((match.group(3) or "").lower(), 1)
        if frac and scale > 1:
            return round(float(f"{whole}.{frac}") * scale)
        return whole * scale
    for found in _WORDS.finditer(lowered):
        words_value = _words_to_int(found.group(0))
        if words_value is not None:
            return words_value
    return None


def is_vague(text: str) -> bool:
    """True when the expression is a quantity word without a definite number."""
    lowered = " ".join(text.lower().split())
    if parse_count(lowered) is not None:
        return False
    return any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in VAGUE_WORDS)


def hedge_of(text: str) -> Qualifier | None:
    """The qualifier a hedge in ``text`` implies, or None when there is no hedge word."""
    lowered = " ".join(text.lower().split())
    for qualifier, phrases in _HEDGES:
        if any(re.search(rf"\b{re.escape(p)}\b", lowered) for p in phrases):
            return qualifier
    return None
