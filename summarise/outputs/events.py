"""The ``events`` table: strikes and casualty claims in the columns conflict-data users know (ACLED-style).

The mapping lives here, in ``EVENT_COLUMNS`` (column: kind, meaning), and nowhere else; docs/export.md
describes the same. Rows, per article:

- one row per strike, joined with the ``killed`` claims of the same article that match it (their quote
  spans overlap, else the claim's ``event`` shares a distinctive word with the strike's target, location
  or means; the first such strike; a ``cumulative`` claim never joins a strike). A strike with several
  matching death figures (two claimants, say) gives one row per figure, each beside its claimant; a
  strike with none gives one row with ``fatalities`` empty. Matching claims of other outcomes (injured,
  captured, ...) are named in ``notes``.
- one row per casualty claim that joined no strike; ``fatalities`` is filled for ``killed`` claims only.

Nothing is summed, averaged or invented: every figure is one claim's, beside who claims it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from summarise.contract.record import SpannedClaim, SpannedStrike, SummaryResult
from summarise.lexicon import STOP_WORDS

STRIKE_TYPE = "Explosions/Remote violence"
CLAIM_TYPE = "Casualty report"  # not an ACLED type: a claim with no strike in the article, to classify by hand

# sub-event type by words of the strike's ``means`` (first match wins); ACLED's names
SUB_EVENT_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Air/drone strike", ("air", "airstrike", "drone", "bomb", "bombing", "jet", "aircraft", "helicopter", "uav")),
    ("Shelling/artillery/missile attack", ("shell", "shelling", "artillery", "missile", "rocket", "mortar",
                                           "cluster")),
    ("Remote explosive/landmine/IED", ("mine", "landmine", "ied", "explosive", "car bomb", "roadside")),
    ("Suicide bomb", ("suicide",)),
)

# column: (kind, where the value comes from); the one statement of the mapping
EVENT_COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("str", "the batch id of the article's record"),
    "article_id": ("str", "the record's article_id (hash of the article text)"),
    "url": ("str", "the article's URL (source.url), when its input gave one"),
    "event_date": ("str", "the strike's `when` resolved against the article's publication date (a weekday, "
                   "'yesterday', 'today'), else the publication date; YYYY-MM-DD; empty when neither is known"),
    "event_type": ("str", f"'{STRIKE_TYPE}' for a strike; '{CLAIM_TYPE}' (not an ACLED type) for a claim "
                   "that joined no strike"),
    "sub_event_type": ("str", "for a strike, from its `means`: 'Air/drone strike', 'Shelling/artillery/missile "
                       "attack', 'Remote explosive/landmine/IED' or 'Suicide bomb'; else empty"),
    "actor1": ("str", "the strike's `attacker`; empty for a claim without a strike"),
    "actor2": ("str", "the `side` of the joined claim (whose people were hit), else empty"),
    "location": ("str", "the strike's `location`; empty for a claim without a strike"),
    "fatalities": ("int", "the `count` of the joined `killed` claim, as claimed (never summed or averaged); "
                   "empty for a vague amount or when no death figure is given"),
    "fatalities_text": ("str", "the claim's `count_text` as written ('at least 22', 'dozens')"),
    "fatalities_claimed_by": ("str", "the claim's `claimed_by`, beside its figure"),
    "source": ("str", "the article's outlet (source.outlet) and the claim's `reported_via`, joined with '; '"),
    "notes": ("str", "the quote of the strike (or the claim), then 'when as written', other outcomes of "
              "joined claims ('injured: dozens (claimed by ...)') and the claim's `event`, joined with ' | '"),
    "quote_start": ("int", "character span of the strike's quote (the claim's, for a claim without a strike)"),
    "quote_end": ("int", "end of that span"),
}

_WORD = re.compile(r"[a-z]{4,}")
_GENERIC = STOP_WORDS | {"strike", "strikes", "attack", "attacks", "killed", "people", "civilians", "their",
                         "were", "with", "from", "that", "this", "which", "said"}


def sub_event_type(means: str | None) -> str | None:
    lower = (means or "").lower()
    for name, words in SUB_EVENT_TYPES:
        if any(re.search(rf"\b{re.escape(word)}", lower) for word in words):
            return name
    return None


def _words(*texts: str | None) -> set[str]:
    return {w for t in texts if t for w in _WORD.findall(t.lower())} - _GENERIC


def _overlap(claim: SpannedClaim, strike: SpannedStrike) -> bool:
    a, b = claim.quote_span, strike.quote_span
    return a is not None and b is not None and a.start < b.end and b.start < a.end


def _shares_word(claim: SpannedClaim, strike: SpannedStrike) -> bool:
    return bool(_words(claim.event) & _words(strike.target, strike.location, strike.means))


def strike_of(claim: SpannedClaim, strikes: list[SpannedStrike]) -> int | None:
    """The index of the strike a claim is about: the first whose quote overlaps the claim's, else the first
    that shares a distinctive word with the claim's event; None for a cumulative claim or no match."""
    if claim.scope.value == "cumulative":
        return None
    for test in (_overlap, _shares_word):
        at = next((i for i, strike in enumerate(strikes) if test(claim, strike)), None)
        if at is not None:
            return at
    return None


def _published(result: SummaryResult) -> date | None:
    value = result.source.published if result.source else None
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def event_date(when: str | None, result: SummaryResult) -> str | None:
    from summarise.outputs.briefing.ledger import resolve_day

    published = _published(result)
    resolved, _ = resolve_day(when, published)
    return resolved or (published.isoformat() if published else None)


def _source(result: SummaryResult, claim: SpannedClaim | None) -> str | None:
    names = [result.source.outlet if result.source else None, claim.reported_via if claim else None]
    unique = list(dict.fromkeys(n for n in names if n))
    return "; ".join(unique) or None


def _figure(claim: SpannedClaim | None) -> dict[str, Any]:
    if claim is None:
        return {"fatalities": None, "fatalities_text": None, "fatalities_claimed_by": None}
    return {"fatalities": claim.count, "fatalities_text": claim.count_text, "fatalities_claimed_by": claim.claimed_by}


def _other_outcome(claim: SpannedClaim) -> str:
    return f"{claim.outcome.value}: {claim.count_text} (claimed by {claim.claimed_by})"


def _span(item: SpannedClaim | SpannedStrike) -> dict[str, int | None]:
    span = item.quote_span
    return {"quote_start": span.start if span else None, "quote_end": span.end if span else None}


def article_events(ident: str, result: SummaryResult) -> Iterator[dict[str, Any]]:
    """The events of one article: strikes with their matching claims, then the claims no strike took."""
    head = {"id": ident, "article_id": result.article_id, "url": result.source.url if result.source else None}
    joined: dict[int, list[SpannedClaim]] = {}
    free: list[SpannedClaim] = []
    for claim in result.casualty_claims:  # each claim joins at most one strike
        at = strike_of(claim, result.strikes)
        (free if at is None else joined.setdefault(at, [])).append(claim)
    for i, strike in enumerate(result.strikes):
        claims = joined.get(i, [])
        deaths: list[SpannedClaim | None] = [c for c in claims if c.outcome.value == "killed"] or [None]
        others = [_other_outcome(c) for c in claims if c.outcome.value != "killed"]
        for death in deaths:
            notes = [strike.quote, *([f"when as written: {strike.when}"] if strike.when else []), *others]
            yield {**head, "event_date": event_date(strike.when, result), "event_type": STRIKE_TYPE,
                   "sub_event_type": sub_event_type(strike.means), "actor1": strike.attacker,
                   "actor2": death.side if death else None, "location": strike.location, **_figure(death),
                   "source": _source(result, death), "notes": " | ".join(notes), **_span(strike)}
    for free_claim in free:
        killed = free_claim.outcome.value == "killed"
        notes = [free_claim.quote, *([] if killed else [_other_outcome(free_claim)]), f"event: {free_claim.event}"]
        yield {**head, "event_date": event_date(None, result), "event_type": CLAIM_TYPE, "sub_event_type": None,
               "actor1": None, "actor2": free_claim.side, "location": None,
               **_figure(free_claim if killed else None), "source": _source(result, free_claim),
               "notes": " | ".join(notes), **_span(free_claim)}


def event_rows(summaries: Iterable[tuple[str, SummaryResult]]) -> Iterator[dict[str, Any]]:
    for ident, result in summaries:
        yield from article_events(ident, result)
