"""Score a summary record against a gold file (the contract's format; rules in ANNOTATION.md).

Matching is one-to-one per section, greedy by score:
- casualty claims match when ``count`` is equal (or both null) and ``outcome`` is equal and the
  quotes overlap in the article or stand in the same sentence;
- strikes, demands and negotiations match when their quotes overlap or stand in the same
  sentence, or when the token overlap of their key fields is at least ``FIELD_OVERLAP``.
On matched items, fields are compared (``FIELDS``): enums exactly, free text and names by the Dice
overlap of their word stems (first five letters, stop words out) at least ``AGREEMENT``. The looser
rule used before (token overlap over the smaller set, at least 0.5) let "Israeli military" agree
with "Israeli health ministry"; its figures for claims are still reported once, as ``overlap_rule``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from summarise.contract.grounding import ArticleIndex, Span, normalise
from summarise.contract.models import SECTIONS
from summarise.contract.text import overlap
from summarise.lexicon import STOP_WORDS
from summarise.strategies.candidates import sentences

FIELD_OVERLAP = 0.5
NAME_OVERLAP = 0.5  # the old rule's threshold, reported beside the new one
AGREEMENT = 0.5
KEY_FIELDS = {
    "strikes": ("target", "location", "attacker"),
    "key_demands": ("made_by", "demand"),
    "negotiations": ("parties", "description"),
}
ATTRIBUTES = ("claimed_by", "reported_via", "qualifier", "population", "side", "scope")
NAME_ATTRIBUTES = ("claimed_by", "reported_via", "side")
ENUMS = ("qualifier", "population", "scope", "outcome", "status")
# the fields compared on matched items of the other sections
FIELDS = {
    "strikes": ("attacker", "target", "location", "when", "means"),
    "key_demands": ("made_by", "demand", "addressed_to"),
    "negotiations": ("parties", "status", "description", "venue", "mediator"),
}


def _empty(value: Any) -> bool:
    return value in (None, "", [])


def stems(value: Any) -> set[str]:
    """Word stems of a name or short text: first five letters, stop words out."""
    text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")
    return {w[:5] for w in re.findall(r"[a-z0-9]+", normalise(text).lower()) if w not in STOP_WORDS}


def dice(a: Any, b: Any) -> float:
    sa, sb = stems(a), stems(b)
    return 2 * len(sa & sb) / (len(sa) + len(sb)) if sa and sb else 0.0


def names_agree(a: Any, b: Any) -> bool:
    """The agreement rule: both empty, or a Dice overlap of word stems of at least ``AGREEMENT``."""
    if _empty(a) or _empty(b):
        return _empty(a) and _empty(b)
    return dice(a, b) >= AGREEMENT


def names_overlap(a: Any, b: Any) -> bool:
    """The looser rule used before (overlap over the smaller token set), for comparison."""
    if _empty(a) or _empty(b):
        return _empty(a) and _empty(b)
    return overlap(a, b) >= NAME_OVERLAP


def fields_agree(name: str, a: Any, b: Any) -> bool:
    return a == b if name in ENUMS else names_agree(a, b)


class _Places:
    """Quote spans and sentence numbers in one article."""

    def __init__(self, text: str) -> None:
        self.index = ArticleIndex(text)
        self.bounds = [(s.start, s.end) for s in sentences(text)]

    def span(self, quote: str) -> Span | None:
        return self.index.locate(quote) if quote else None

    def sentence_of(self, span: Span) -> int:
        for number, (start, end) in enumerate(self.bounds):
            if start <= span.start < end:
                return number
        return -1

    def near(self, a: str, b: str) -> bool:
        sa, sb = self.span(a), self.span(b)
        if sa is None or sb is None:
            return False
        if sa.start < sb.end and sb.start < sa.end:
            return True
        return self.sentence_of(sa) == self.sentence_of(sb) >= 0


def _claims_match(p: _Places, got: dict[str, Any], gold: dict[str, Any]) -> float:
    if got.get("count") != gold.get("count") or got.get("outcome") != gold.get("outcome"):
        return 0.0
    return 1.0 if p.near(got.get("quote", ""), gold.get("quote", "")) else 0.0


def _items_match(p: _Places, section: str, got: dict[str, Any], gold: dict[str, Any]) -> float:
    if p.near(got.get("quote", ""), gold.get("quote", "")):
        return 1.0
    score = overlap(" ".join(str(got.get(k) or "") for k in KEY_FIELDS[section]),
                    " ".join(str(gold.get(k) or "") for k in KEY_FIELDS[section]))
    return score if score >= FIELD_OVERLAP else 0.0


def match(p: _Places, section: str, got: list[dict[str, Any]], gold: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching by score; returns (got index, gold index) pairs."""
    scored = []
    for i, g in enumerate(got):
        for j, h in enumerate(gold):
            s = _claims_match(p, g, h) if section == "casualty_claims" else _items_match(p, section, g, h)
            if s > 0:
                scored.append((s, -i, -j, i, j))
    pairs, used_i, used_j = [], set(), set()
    for _, _, _, i, j in sorted(scored, reverse=True):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            pairs.append((i, j))
    return pairs


@dataclass
class Counts:
    tp: int = 0
    n_got: int = 0
    n_gold: int = 0

    def add(self, tp: int, n_got: int, n_gold: int) -> None:
        self.tp += tp
        self.n_got += n_got
        self.n_gold += n_gold

    def prf(self) -> dict[str, float]:
        precision = self.tp / self.n_got if self.n_got else (1.0 if not self.n_gold else 0.0)
        recall = self.tp / self.n_gold if self.n_gold else (1.0 if not self.n_got else 0.0)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                "tp": self.tp, "predicted": self.n_got, "gold": self.n_gold}


@dataclass
class Scores:
    sections: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in SECTIONS})
    attributes: dict[str, list[int]] = field(default_factory=lambda: {a: [0, 0] for a in ATTRIBUTES})
    old_rule: dict[str, list[int]] = field(default_factory=lambda: {a: [0, 0] for a in NAME_ATTRIBUTES})
    fields: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: {s: {f: [0, 0] for f in names} for s, names in FIELDS.items()})
    # matched claims whose output names someone the gold does not: a wrong name, worse than none
    wrong_names: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NAME_ATTRIBUTES, 0))
    quotes: list[int] = field(default_factory=lambda: [0, 0])  # located, total
    numbers: list[int] = field(default_factory=lambda: [0, 0])  # fabricated, total

    def add(self, record: dict[str, Any], gold: dict[str, Any], text: str) -> dict[str, Any]:
        """Score one article; returns its per-article figures."""
        places = _Places(text)
        per: dict[str, Any] = {}
        for section in SECTIONS:
            got, want = record.get(section, []), gold.get(section, [])
            pairs = match(places, section, got, want)
            self.sections[section].add(len(pairs), len(got), len(want))
            per[section] = {"tp": len(pairs), "predicted": len(got), "gold": len(want)}
            if section == "casualty_claims":
                for i, j in pairs:
                    for attr in ATTRIBUTES:
                        a, b = got[i].get(attr), want[j].get(attr)
                        same = names_agree(a, b) if attr in NAME_ATTRIBUTES else a == b
                        self.attributes[attr][0] += int(same)
                        self.attributes[attr][1] += 1
                        if attr in NAME_ATTRIBUTES and a not in (None, "") and not same:
                            self.wrong_names[attr] += 1
                        if attr in NAME_ATTRIBUTES:
                            self.old_rule[attr][0] += int(names_overlap(a, b))
                            self.old_rule[attr][1] += 1
            else:
                for i, j in pairs:
                    for name in FIELDS[section]:
                        tally = self.fields[section][name]
                        tally[0] += int(fields_agree(name, got[i].get(name), want[j].get(name)))
                        tally[1] += 1
            for item in got:
                self.quotes[0] += int(places.span(item.get("quote", "")) is not None)
                self.quotes[1] += 1
        fabricated, total = fabricated_numbers(record, text)
        self.numbers[0] += fabricated
        self.numbers[1] += total
        per["fabricated_numbers"] = fabricated
        return per

    def report(self) -> dict[str, Any]:
        sections: dict[str, dict[str, Any]] = {s: dict(c.prf()) for s, c in self.sections.items()}
        for section, tallies in self.fields.items():
            sections[section]["fields"] = _rates(tallies)
        return {
            "sections": sections,
            "claims": {"attributes": _rates(self.attributes), "overlap_rule": _rates(self.old_rule),
                       "wrong_names": dict(self.wrong_names), "matched": self.attributes["side"][1]},
            "grounding_rate": round(self.quotes[0] / self.quotes[1], 3) if self.quotes[1] else 1.0,
            "fabricated_numbers": self.numbers[0],
            "numbers_checked": self.numbers[1],
        }


def _rates(tallies: dict[str, list[int]]) -> dict[str, float | None]:
    return {name: round(ok / n, 3) if n else None for name, (ok, n) in tallies.items()}


_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def fabricated_numbers(record: dict[str, Any], text: str) -> tuple[int, int]:
    """Digit strings (and counts) in the output that appear nowhere in the article."""
    content = {k: record.get(k) for k in ("headline", "summary", *SECTIONS)}
    for section in SECTIONS:
        content[section] = [{k: v for k, v in item.items() if k not in ("quote_span", "count")}
                            for item in content[section] or []]
    found = _NUMBER.findall(json.dumps(content, ensure_ascii=False))
    counts = [c["count"] for c in record.get("casualty_claims", []) if isinstance(c.get("count"), int)]
    plain = normalise(text)
    digits_in_text = set(_NUMBER.findall(plain))
    values_in_text = {int(n.replace(",", "")) for n in digits_in_text if n.replace(",", "").isdigit()}
    bad = sum(1 for n in found if n not in digits_in_text and n.replace(",", "") not in plain)
    from summarise.contract.numbers import parse_count

    for claim, count in zip([c for c in record.get("casualty_claims", []) if isinstance(c.get("count"), int)],
                            counts, strict=True):
        stated = parse_count(claim.get("count_text", ""))
        single = count == 1 and stated is None  # one person denoted by words, not a number ("Mohammed Deif")
        if count not in values_in_text and stated != count and not single:
            bad += 1
    return bad, len(found) + len(counts)
