"""The deterministic part of a briefing: ledger groups, strikes timeline, negotiations, demands.

No model call happens here. Claims are grouped by the event they refer to: same outcome and
scope, article dates close together, and a shared distinctive token (a place name, compared by
a spelling-tolerant key, or an incident word such as "convoy"). Tokens that most claims share
("Syria", "killed") do not link anything. Figures are never averaged and never shown without
their claimant.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from summarise.lexicon import MONTHS, PRONOUNS, STOP_WORDS, WEEKDAYS

MAX_DAYS_APART = 2
COMMON_SHARE = 0.7  # a token in claims of more than this share of the articles links nothing

# capitalised words that name no place: function words, days, months, pronouns, amounts, reporting words
_STOP_CAPS = {
    *STOP_WORDS, *WEEKDAYS, *MONTHS, *PRONOUNS, "but", "from", "as", "after", "least", "more", "than", "about",
    "some", "several", "dozens", "scores", "hundreds", "thousands", "according", "said", "says", "state", "news",
    "agency", "reuters", "afp", "ap", "tv", "us", "un", "observatory", "human", "rights", "syrian",
} - {"s"}
_INCIDENT_WORDS = {
    "gas", "chemical", "toxic", "sarin", "chlorine", "bus", "buses", "convoy", "evacuees", "evacuation", "airbase",
    "base", "airfield", "missile", "missiles", "school", "hospital", "market", "mosque", "church", "camp",
    "checkpoint", "prison", "bridge", "port", "airport", "village", "town", "car", "suicide", "tunnel", "rocket",
}


def place_key(word: str) -> str:
    """A spelling-tolerant key: Shaykhun, Sheikhoun and Shaikhoun all give 'skn'."""
    plain = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"[^a-z]", "", plain)
    if not plain:
        return ""
    rest = re.sub(r"[aeiouyhw]", "", plain[1:])
    first = {"c": "k", "q": "k"}.get(plain[0], plain[0])
    return first + re.sub(r"(.)\1+", r"\1", rest)


def signature(*texts: str) -> dict[str, str]:
    """Distinctive tokens of a claim (key -> one spelling): capitalised names and incident words."""
    tokens: dict[str, str] = {}
    for text in texts:
        for match in re.finditer(r"[A-Za-z][A-Za-z'-]+", text or ""):
            word = match.group(0).strip("'-")
            lower = word.lower()
            if lower in _INCIDENT_WORDS:
                tokens.setdefault(lower, lower)
            elif word[0].isupper() and lower not in _STOP_CAPS and len(word) >= 3:
                key = place_key(word)
                if len(key) >= 2:
                    tokens.setdefault(key, word)
    return tokens


@dataclass
class Entry:
    """One casualty figure as the ledger shows it, with where it came from."""

    claim: dict[str, Any]
    article_id: str
    article_title: str
    outlet: str | None
    published: date | None
    url: str | None
    position: int
    tokens: dict[str, str] = field(default_factory=dict)


def _close_in_time(a: Entry, b: Entry) -> bool:
    if a.published is None or b.published is None:
        return True
    return abs((a.published - b.published).days) <= MAX_DAYS_APART


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


_YEAR = re.compile(r"\b(?:19[5-9]\d|20\d\d)\b")


def background_year(entry: Entry) -> int | None:
    """The year a figure's sentence dates it to, when that is not the year of its article ("the 2013 Ghouta
    attack", "since 2011", "in August 2013"): a figure recalled as background, not about this event."""
    years = [int(y) for y in _YEAR.findall(entry.claim.get("quote", ""))]
    if not years or entry.published is None:
        return None
    elsewhere = [y for y in years if y != entry.published.year]
    return min(elsewhere) if elsewhere else None


def group_claims(entries: list[Entry]) -> list[list[Entry]]:
    """Groups of figures about the same event, in order of first appearance. A figure dated to another
    year joins only figures dated to that same year: its range never mixes with this event's."""
    if not entries:
        return []
    articles = {e.article_id for e in entries}
    df = Counter(key for article in articles for key in {k for e in entries if e.article_id == article
                                                          for k in e.tokens})
    common = {k for k, n in df.items() if n > max(2, COMMON_SHARE * len(articles))}
    union = _Union(len(entries))
    for i, a in enumerate(entries):
        for j in range(i + 1, len(entries)):
            b = entries[j]
            if (a.claim["outcome"], a.claim["scope"]) != (b.claim["outcome"], b.claim["scope"]):
                continue
            if not _close_in_time(a, b) or background_year(a) != background_year(b):
                continue
            shared = (set(a.tokens) & set(b.tokens)) - common
            names = {k for k in shared if not a.tokens[k].islower()}
            if names or len(shared) >= 2:  # a shared name, or two shared incident words
                union.join(i, j)
    groups: dict[int, list[Entry]] = {}
    for i, entry in enumerate(entries):
        groups.setdefault(union.find(i), []).append(entry)
    return list(groups.values())


_PLACE = re.compile(r"\b(?:in|near|outside|at|from|of|on|into|towards?)\s+(?:the\s+)?(?:town\s+of\s+|city\s+of\s+)?"
                    r"([A-Z][A-Za-z'-]+(?:\s+[A-Z][A-Za-z'-]+)?)")


def _label(group: list[Entry]) -> str:
    places: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for e in group:
        for name in dict.fromkeys(_PLACE.findall(e.claim["quote"])):
            if name.lower() in _STOP_CAPS or name.split()[0].lower() in _STOP_CAPS:
                continue
            key = " ".join(place_key(w) for w in name.split())
            places[key] += 1
            spelling.setdefault(key, name)
    names = [spelling[k] for k, _ in places.most_common(2)]
    if not names:
        counts = Counter(key for e in group for key in e.tokens)
        spelled = {key: e.tokens[key] for e in group for key in e.tokens}
        names = [spelled[k] for k, _ in counts.most_common(4) if not spelled[k].islower()][:3]
    outcome = group[0].claim["outcome"]
    scope = group[0].claim["scope"]
    where = ", ".join(names) if names else group[0].claim.get("event", "")
    return f"{outcome} — {where}" + (" (running total)" if scope == "cumulative" else "")


def ledger(entries: list[Entry]) -> list[dict[str, Any]]:
    """Ledger groups: every figure side by side with claimant, outlet, article and date."""
    out = []
    for group in group_claims(entries):
        ordered = sorted(group, key=lambda e: (e.published or date.min, e.position))
        counts = [e.claim["count"] for e in ordered if isinstance(e.claim.get("count"), int)]
        latest_by_claimant: dict[str, int] = {}
        for index, entry in enumerate(ordered):
            latest_by_claimant[_who(entry)] = index
        figures = []
        for index, entry in enumerate(ordered):
            claim = entry.claim
            figures.append({
                "count": claim.get("count"), "count_text": claim["count_text"], "qualifier": claim["qualifier"],
                "claimed_by": claim["claimed_by"], "reported_via": claim.get("reported_via"),
                "outlet": entry.outlet, "published": entry.published.isoformat() if entry.published else None,
                "article_id": entry.article_id, "article_title": entry.article_title, "url": entry.url,
                "quote": claim["quote"], "population": claim["population"], "side": claim.get("side"),
                # a later figure from the same named claimant supersedes an earlier one
                "superseded": _who(entry) != "unattributed" and latest_by_claimant[_who(entry)] != index,
            })
        distinct = {(f["claimed_by"], f["count"]) for f in figures if f["count"] is not None}
        claimants = {c for c, _ in distinct}
        year = background_year(ordered[0])
        out.append({
            "event": _label(ordered) + (f" (background: {year})" if year else ""),
            "background": year is not None,
            "outcome": ordered[0].claim["outcome"],
            "scope": ordered[0].claim["scope"],
            "range": [min(counts), max(counts)] if counts else None,
            "contradiction": len({n for _, n in distinct}) > 1 and len(claimants) > 1,
            "figures": figures,
        })
    return out


def _who(entry: Entry) -> str:
    return " ".join(sorted(re.findall(r"[a-z]{3,}", entry.claim["claimed_by"].lower())))


def resolve_day(when: str | None, published: date | None) -> tuple[str | None, bool]:
    """An ISO date for a relative day ("Thursday", "yesterday") against the publication date."""
    if not when or published is None:
        return None, False
    lower = when.lower()
    if re.search(r"\b(?:today|tonight|this morning|this evening)\b", lower):
        return published.isoformat(), True
    if "yesterday" in lower or "last night" in lower:
        return (published - timedelta(days=1)).isoformat(), True
    for number, day in enumerate(WEEKDAYS):
        if re.search(rf"\b{day}\b", lower):
            back = (published.weekday() - number) % 7
            return (published - timedelta(days=back)).isoformat(), True
    return None, False
