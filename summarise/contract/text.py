"""Token comparison of short texts (names, places), shared by merging and scoring; null-like text."""

from __future__ import annotations

import re
from typing import Any

from summarise.contract.grounding import normalise
from summarise.lexicon import NULL_TEXTS, STOP_WORDS

_SYNONYMS = {"defense": "defence"}


def tokens(value: Any) -> set[str]:
    text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")
    words = re.findall(r"[a-z0-9]+", normalise(text).lower())
    return {_SYNONYMS.get(w, w) for w in words if w not in STOP_WORDS}


def overlap(a: Any, b: Any) -> float:
    """Shared tokens over the smaller set (1.0 when one text's words all appear in the other)."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def dice(a: Any, b: Any) -> float:
    """Shared tokens over the two sets' mean size: "the guesthouse" and "guesthouse" score 1, "a school in
    Rafah" and "a school in Khan Younis" 0.4 (``overlap`` would give the second 0.5)."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    return 2 * len(ta & tb) / (len(ta) + len(tb))


def is_null_text(value: str) -> bool:
    """"null", "n/a", "unknown" … written as text by a model: no value."""
    return value.strip().lower() in NULL_TEXTS
