"""Merging what the anchored strategy found sentence by sentence into one item per fact."""

from __future__ import annotations

import re
from typing import Any

from summarise.contract.grounding import normalise
from summarise.contract.models import unique_by
from summarise.contract.numbers import parse_count
from summarise.contract.text import dice, overlap
from summarise.lexicon import NAME_FILLERS

SAME = 0.5  # the Dice overlap of words at which two short texts name the same thing (``contract.text.dice``)
MAX_CLAIMS = 24  # claims kept per part of an article (``anchored.CHUNK_CHARS``); the contract's cap bounds the total


def claim_key(claim: dict[str, Any]) -> tuple[Any, ...]:
    """(figure, outcome, claimant): one casualty claim per key."""
    count = parse_count(claim["count_text"])
    who = " ".join(sorted(set(re.findall(r"[a-z]{3,}", claim["claimed_by"].lower())) - NAME_FILLERS))
    return (count if count is not None else normalise(claim["count_text"]).lower(), claim["outcome"], who)


def merge_claims(claims: list[dict[str, Any]], cap: int = MAX_CLAIMS) -> list[dict[str, Any]]:
    """One claim per key, the first ``cap`` in the article's order; a figure the article states in its
    own voice and elsewhere attributes is one claim: the attributed one is kept."""
    claims = unique_by(claims, claim_key)
    attributed = {claim_key(c)[:2] for c in claims if c["claimed_by"] != "unattributed"}
    claims = [c for c in claims if c["claimed_by"] != "unattributed" or claim_key(c)[:2] not in attributed]
    return claims[:cap]


def same(section: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two sentences reporting the same attack, demand or process (one item in the contract)."""
    if section == "strikes":
        return _same_attack(a, b)
    if section == "key_demands":
        return overlap(a["made_by"], b["made_by"]) >= 0.5 and overlap(a["demand"], b["demand"]) >= 0.5
    # the same process reported twice: the same parties, and the same status or much the same description
    # (or the same venue with the same status, and no other mediator: "talks in Beijing, hosted by China")
    same_place = _alike(a.get("venue"), b.get("venue")) and (
        not a.get("mediator") or not b.get("mediator") or _alike(a["mediator"], b["mediator"]))
    return (a["status"] == b["status"] and same_place) or (overlap(a["parties"], b["parties"]) >= 0.6 and (
        a["status"] == b["status"] or overlap(a["description"], b["description"]) >= 0.6))


def _alike(a: Any, b: Any) -> bool:
    return bool(a) and bool(b) and dice(a, b) >= SAME


def _same_attack(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """One attack on one target at one time or place is one strike, however many sentences tell it
    ("An air strike hit a school in Deir al-Balah", then "Most of the victims from the school ...")."""
    if _alike(a.get("target"), b.get("target")) and (
            _alike(a.get("when"), b.get("when")) or _alike(a.get("location"), b.get("location"))):
        return True
    when_ok = not a.get("when") or not b.get("when") or overlap(a["when"], b["when"]) > 0
    return when_ok and overlap(f"{a.get('target')} {a.get('location')}",
                               f"{b.get('target')} {b.get('location')}") >= 0.6


def merge_same(section: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for item in items:
        if not any(same(section, item, earlier) for earlier in kept):
            kept.append(item)
    return kept
