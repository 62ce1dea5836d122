"""Where the article settles a field, code reads it there: a claimant named in full, a negotiation's
status by its sentence's grammar, a strike's time as its sentences state it, one strike per attack."""

from __future__ import annotations

from typing import Any

import pytest

from summarise import SummaryResult
from summarise.contract.names import full_name
from summarise.contract.statuses import status_in
from summarise.strategies.merge import merge_same
from tests.fakes import FakeChat
from tests.helpers import ANCHORED_TEXT, anchored_responder, fake_client

ARTICLE = (
    "Strike on a school in Gaza\n"
    "The Israel Defense Forces (IDF) said it struck a compound. The United Nations said 2 million people "
    "had fled. Regional governor Viacheslav Chaus said 22 people were killed. Later, Chaus said rescue work "
    "went on. A spokesman for HRW declined to comment."
)


@pytest.mark.parametrize(("given", "named"), [
    ("IDF", "Israel Defense Forces (IDF)"),  # spelled out beside it
    ("the IDF", "Israel Defense Forces (IDF)"),
    ("UN", "United Nations"),  # by its initials
    ("Chaus", "Viacheslav Chaus"),  # the first name before it at its first mention (a title ends the name)
    ("HRW", "HRW"),  # never spelled out: left as it is
    ("unattributed", "unattributed"),
    ("the regional governor", "the regional governor"),
])
def test_a_claimant_is_named_as_the_article_names_it_in_full(given: str, named: str) -> None:
    assert full_name(given, ARTICLE) == named


def test_a_name_in_the_headline_line_is_not_a_first_name() -> None:
    text = "Resilient Zelensky tells BBC the war must stop\nPresident Zelensky said 40 soldiers died."
    assert full_name("Zelensky", text) == "Zelensky"  # "Resilient" is the headline's word, "President" a title
    assert full_name("Zelensky", "Volodymyr Zelensky said 40 soldiers died.") == "Volodymyr Zelensky"


@pytest.mark.parametrize(("status", "sentence", "read"), [
    ("ongoing", "Two previous rounds of negotiations in Abu Dhabi failed to produce a breakthrough.", "concluded"),
    ("stalled", "Russia was not invited to the previous peace conference, held in Switzerland last month.",
     "concluded"),
    ("ongoing", "Hamas and Fatah have signed an agreement on ending division.", "concluded"),
    ("ongoing", "The prisoner exchange took place on Thursday.", "concluded"),
    ("ongoing", "The Chinese leader called for an international peace conference.", "proposed"),
    ("ongoing", "Talks between Russia and Ukraine resumed in Istanbul on Monday.", "ongoing"),
    ("stalled", "The talks have stalled over the question of territory.", "stalled"),
    ("scheduled", "The previous round ended; the next is due on Friday.", "scheduled"),  # not ongoing: left alone
    ("rejected", "Kyiv rejected the proposal that was signed in Moscow.", "rejected"),
])
def test_a_negotiations_status_follows_its_sentences_grammar(status: str, sentence: str, read: str) -> None:
    assert status_in(status, sentence) == read


def _strike(quote: str, target: str, location: str | None, when: str | None) -> dict[str, Any]:
    return {"quote": quote, "attacker": "gunmen", "target": target, "location": location, "when": when,
            "means": "assault"}


def test_one_attack_told_in_several_sentences_is_one_strike() -> None:
    first = _strike("Gunmen stormed a guesthouse in Kabul on Wednesday.", "guesthouse", "Kabul", "Wednesday")
    again = _strike("Attackers had entered the guesthouse on Wednesday in Shar-e-Naw.", "the guesthouse",
                    "Shar-e-Naw", "Wednesday")
    elsewhere = _strike("Gunmen also attacked a guesthouse in Herat on Friday.", "a guesthouse", "Herat", "Friday")
    other_target = _strike("Gunmen hit a checkpoint in Kabul on Wednesday.", "a checkpoint", "Kabul", "Wednesday")
    assert merge_same("strikes", [first, again, elsewhere, other_target]) == [first, elsewhere, other_target]


def _summary_where(question: str, field: str, value: str) -> SummaryResult:
    """The anchored summary of ANCHORED_TEXT, the test double answering ``field: value`` to ``question``."""
    base = anchored_responder()

    def respond(messages: list[dict[str, str]]) -> dict[str, Any]:
        reply = base(messages)
        return {**reply, field: value} if question in messages[2]["content"] else reply

    return fake_client(FakeChat(responder=respond), strategy="anchored").summarise(ANCHORED_TEXT)


def test_a_strikes_time_is_what_its_sentences_say() -> None:
    said = _summary_where("Describe the attack", "when", "on Tuesday")
    assert [s.when for s in said.strikes] == ["on Tuesday"]
    for when in ("last year", "not stated"):
        result = _summary_where("Describe the attack", "when", when)
        assert [s.when for s in result.strikes] == [None]
        assert any("strikes[0].when" in w for w in result.warnings) == (when == "last year")


def test_whom_a_demand_addresses_is_named_in_its_sentences() -> None:
    near = _summary_where("Describe the demand", "addressed_to", "Putin")
    assert [d.addressed_to for d in near.key_demands] == ["Putin"]
    # "Reuters" is named in the article, two sentences before the demand: not whom it addresses
    far = _summary_where("Describe the demand", "addressed_to", "Reuters")
    assert [d.addressed_to for d in far.key_demands] == [None]
    assert any("key_demands[0].addressed_to" in w for w in far.warnings)
