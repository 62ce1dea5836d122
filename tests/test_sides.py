"""The model's ``side`` (whose people a figure counts) is checked by code before it is kept."""

from __future__ import annotations

import pytest

from summarise.contract.grounding import ArticleIndex
from summarise.contract.models import CasualtyClaim
from summarise.contract.sides import doubtful_side

ARTICLE = ("Russia has shelled several key sites in Kyiv, killing more than 20 people. "
           "A spokesman said 498 Russian troops have been killed. "
           "At least 30 people were killed in an Israeli airstrike on a school. "
           "Shelling blamed on Houthi fighters killed at least 10 people in Taiz. "
           "Medics said 5 Ukrainian civilians were killed.")


@pytest.mark.parametrize(("side", "sentence", "why"), [
    ("Russian", "Russia has shelled several key sites in Kyiv, killing more than 20 people.", "attacker"),
    ("Israeli", "At least 30 people were killed in an Israeli airstrike on a school.", "attacker"),
    ("Houthi fighters", "Shelling blamed on Houthi fighters killed at least 10 people in Taiz.", "attacker"),
    ("unattributed", "Medics said 5 Ukrainian civilians were killed.", "not a party"),
    ("medics", "Medics said 5 Ukrainian civilians were killed.", "claimant"),
    ("Syrian", "Medics said 5 Ukrainian civilians were killed.", "not named"),
])
def test_attackers_claimants_and_non_parties_are_not_trusted(side: str, sentence: str, why: str) -> None:
    reason = doubtful_side(side, sentence, claimed_by="medics", reported_via=None, article=ARTICLE)
    assert reason is not None and why in reason


@pytest.mark.parametrize(("side", "sentence"), [
    ("Russian", "A spokesman said 498 Russian troops have been killed."),  # the victims, not the attackers
    ("Ukrainian", "Medics said 5 Ukrainian civilians were killed."),
    ("the Palestinians", "At least 30 people were killed in an Israeli airstrike on a school."),
    ("Palestinian", "At least 30 people were killed in an Israeli airstrike on a school."),  # inferred: left alone
])
def test_the_victims_side_is_kept(side: str, sentence: str) -> None:
    assert doubtful_side(side, sentence, claimed_by="medics", reported_via=None,
                         article=ARTICLE + " Gaza's Palestinian health ministry.") is None


def claim(side: str | None, quote: str) -> dict[str, object]:
    return {"count_text": "more than 20", "qualifier": "more_than", "outcome": "killed", "population": "unspecified",
            "side": side, "scope": "incident", "event": "shelling of Kyiv", "claimed_by": "unattributed",
            "reported_via": None, "quote": quote}


def test_the_contract_keeps_no_attacker_as_the_victims_side() -> None:
    context = {"article": ArticleIndex(ARTICLE)}
    quote = "Russia has shelled several key sites in Kyiv, killing more than 20 people."
    assert CasualtyClaim.model_validate(claim("Russian", quote), context=context).side is None
    kept = CasualtyClaim.model_validate(claim("Ukrainian", quote), context=context)
    assert kept.side == "Ukrainian" and kept.count == 20
