"""Whose people a casualty figure counts (``side``): code checks the model's answer.

Small models often name the attacker ("Russia has shelled ... killing more than 20 people" gives
side "Russian"), a claimant, or a word that is no party at all ("unattributed", "both"). A side
that the sentence shows as the attacker, that repeats the claimant or relaying outlet, or that
the article never names, is not trusted: the claim keeps ``side`` null (unstated) instead.
Sides inferred from context (victims in Gaza are Palestinian) are left alone.
"""

from __future__ import annotations

import re

from summarise.contract.text import is_null_text

# words that name no party (null-like text such as "unknown" or "n/a" is caught by ``is_null_text``)
_NOT_A_SIDE = frozenset({"unattributed", "both", "both sides", "unspecified", "civilians", "military", "mixed"})
_ATTACK_NOUN = (r"(?:air\s*strikes?|airstrikes?|strikes?|attacks?|shelling|bombardments?|raids?|aircraft|"
                r"helicopters|jets|warplanes|drones?|rockets?|missiles?|artillery|offensive|fire)")
_ATTACK_VERB = (r"(?:shelled|shells|attacked|attacks|struck|strikes|bombed|hit|hits|ambushed|launched|fired|"
                r"killed|kills|targeted|stormed|raided|dropped)")
_FORCES = r"(?:fighters|forces|troops|militants|gunmen|soldiers|militia|army)"
_ATTACKER = (
    r"\b{side}[\w-]*\s+(?:[\w-]+\s+)?" + _ATTACK_NOUN + r"\b",  # "an Israeli airstrike", "government helicopters"
    r"\b{side}[\w-]*\s+(?:[\w-]+\s+){{0,2}}" + _FORCES + r"\s+(?:has\s+|have\s+|had\s+)?" + _ATTACK_VERB + r"\b",
    r"\b{side}[\w-]*\s+(?:has\s+|have\s+|had\s+)?" + _ATTACK_VERB + r"\b",  # "Russia has shelled"
    r"\b" + _ATTACK_NOUN + r"\s+(?:[\w-]+\s+){{0,3}}?(?:by|blamed\s+on|from)\s+(?:the\s+)?{side}",
    r"\b(?:killed|wounded|injured)\s+by\s+(?:the\s+)?{side}",
)


def _stem(side: str) -> str:
    """The start of the side's first word, enough to find "Israel" for "Israeli", "Russia" for "Russian"."""
    words = [w for w in side.split() if w.lower() not in {"the", "a", "an"}] or side.split()
    return re.escape(words[0][: max(3, min(len(words[0]), 5))])


def doubtful_side(side: str, sentence: str, *, claimed_by: str | None, reported_via: str | None,
                  article: str | None) -> str | None:
    """Why ``side`` cannot be trusted for the figure in ``sentence``, or None when it can."""
    name = side.strip()
    if not name:
        return None
    if name.lower() in _NOT_A_SIDE or is_null_text(name):
        return "not a party"
    if name.lower() in {(claimed_by or "").strip().lower(), (reported_via or "").strip().lower()}:
        return "the claimant, not the victims"
    stem = _stem(name)
    if article is not None and not re.search(rf"\b{stem}", article, re.I):
        return "not named in the article"
    if any(re.search(pattern.format(side=stem), sentence, re.I) for pattern in _ATTACKER):
        return "the attacker in the sentence"
    return None
