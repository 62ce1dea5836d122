"""A negotiation's ``status`` read against its sentence: code checks the model's answer.

A small model calls nearly every round of talks "ongoing" (16 of 22 negotiation items on the 28 dev
articles at anchored v11, where the gold has 6 ongoing of 21). The sentence often says otherwise in
plain grammar: a round that is "previous", that "took place", "was held ... last month" or "failed to
produce" a deal has ended; an agreement that was "signed" is concluded; talks someone "called for",
"proposed" or is "willing to" hold are proposed. Where the model answered "ongoing" (or "stalled") and
the sentence carries such a cue, the cue wins; every other answer is left alone.
"""

from __future__ import annotations

import re

_ENDED = re.compile(
    r"\b(?:previous|earlier|last|past)\s+(?:\w+\s+)?(?:rounds?|talks|meetings?|conferences?|summits?|negotiations)\b|"
    r"\b(?:signed|concluded|took\s+place|ended|failed\s+to\s+(?:produce|reach|yield))\b|"
    r"\bheld\b[^.]{0,60}\b(?:last|ago)\b", re.I)
_PROPOSED = re.compile(r"\b(?:called\s+for|proposed|suggested|offered|willing(?:ness)?\s+to)\b", re.I)


def status_in(status: str, sentence: str) -> str:
    """``status`` as the sentence's grammar corrects it (see the module's notes)."""
    if status not in ("ongoing", "stalled"):
        return status
    if _ENDED.search(sentence):
        return "concluded"
    if status == "ongoing" and _PROPOSED.search(sentence):
        return "proposed"
    return status
