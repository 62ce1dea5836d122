from __future__ import annotations

from typing import Any

import pytest

from summarise.strategies.candidates import (
    Sentence,
    attribution,
    figure_facts,
    figures,
    outlets_in,
    scope_of,
    sentence_outlet,
    sentences,
)
from tests.fakes import FakeChat
from tests.helpers import SEED, fake_client


def one(text: str) -> Sentence:
    return Sentence(0, 0, len(text), text)


def test_sentences_keep_offsets() -> None:
    text = "Title line\n\nFirst sentence here. Second one? \u201cThird,\u201d he said."
    found = sentences(text)
    assert [s.text for s in found] == ["Title line", "First sentence here.", "Second one?",
                                       "\u201cThird,\u201d he said."]
    assert all(text[s.start:s.end] == s.text for s in found)
    assert found[0].is_heading and not found[1].is_heading


def test_seed_figures_are_the_casualty_figures() -> None:
    text = SEED.read_text()
    found = [f.text for s in sentences(text) for f in figures(s)]
    assert found == ["9", "4", "22", "22", "dozens", "at least 22", "more than 20", "dozens", "more than 2,000",
                     "about 9,000", "498", "1,597", "more than 2,870", "about 3,700", "572"]
    for s in sentences(text):
        for f in figures(s):
            assert text[f.start:f.end] == f.text


@pytest.mark.parametrize("text", [
    "Russian Air Strike Hits Two Schools In Ukraine's Chernihiv",
    "Talks resumed on February 24 after a 41-year-old ceasefire.",
    "Talks began in 2022 after 30 metres of wall collapsed and killed nobody.",
    "Russia has shelled several key sites in Kyiv.",
])
def test_non_casualty_numbers_are_not_figures(text: str) -> None:
    assert [f.text for f in figures(one(text))] == []


@pytest.mark.parametrize(("text", "figure", "outcome", "population", "side"), [
    ("498 Russian troops have been killed in Ukraine and 1,597 wounded", "498", "killed", "military", "Russian"),
    ("498 Russian troops have been killed in Ukraine and 1,597 wounded", "1,597", "injured", "unspecified", None),
    ("An air strike hit schools, killing 22 people and injuring dozens.", "dozens", "injured", "unspecified", None),
    ("more than 2,000 Ukrainian civilians have died since February.", "more than 2,000", "killed", "civilians",
     "Ukrainian"),
    ("while 572 others have been captured.", "572", "captured", "unspecified", None),
    ("about 150,000 people fled Khan Younis on Monday alone", "about 150,000", "displaced", "unspecified", None),
])
def test_figure_facts_read_by_code(text: str, figure: str, outcome: str, population: str, side: str | None) -> None:
    found = {f.text: f for f in figures(one(text))}
    facts = figure_facts(found[figure])
    assert (facts.outcome, facts.population, facts.side) == (outcome, population, side)


@pytest.mark.parametrize(("text", "who"), [
    ("Major General Igor Konashenkov also said more than 2,870 Ukrainian troops have been killed.",
     "Major General Igor Konashenkov"),
    ("Russia has shelled Kyiv, killing more than 20 people, Ukrainian officials said.", "Ukrainian officials"),
    ("According to preliminary information, 9 people are dead, said Ukrainian governor as quoted by AFP.",
     "Ukrainian governor"),
    ("An air strike hit two schools, killing 22 people, Reuters reported.", None),
    ("The Local Coordination Committees, another monitoring group, said at least 15 people were killed.",
     "The Local Coordination Committees"),
    ("It said a further 29 people were injured.", None),
])
def test_attribution(text: str, who: str | None) -> None:
    assert attribution(one(text)) == who


def test_outlets_and_scope() -> None:
    s = one("A spokesman says 498 Russian troops have been killed in Ukraine, AP reported.")
    assert sentence_outlet(s) == "AP"
    assert outlets_in("as quoted by news agency AFP, Reuters said") == ["Reuters", "AFP"]
    assert scope_of(one("more than 2,000 civilians have died since the invasion began")) == "cumulative"
    assert scope_of(one("An air strike on Thursday killed 22 people")) == "incident"


@pytest.mark.parametrize(("text", "expected"), [
    ("A joint patrol captured a mid-level Taliban leader in Uruzgan province.", [("a mid-level Taliban leader",
                                                                                  "captured")]),
    ("A 41-year-old man was killed on Tuesday.", [("A 41-year-old man", "killed")]),
    ("One additional suspected insurgent was detained during the operation.", [("One", "detained")]),
    ("Multiple suspected insurgents were detained.", [("Multiple", "detained")]),
    ("A security force killed Taliban leader Saifullah during an operation.", [("Taliban leader Saifullah",
                                                                               "killed")]),
    ("Forces confirmed the death of Haqqani leader Shabeer following an airstrike.", [("Haqqani leader Shabeer",
                                                                                       "killed")]),
    ("Muhammad Yah, a senior Taliban commander in the area, was killed during this operation.",
     [("Muhammad Yah, a senior Taliban commander in the area", "killed")]),
    ("Forces confirmed that the Taliban leader Nek Mohammad was killed on Sunday.", [("Taliban leader Nek Mohammad",
                                                                                      "killed")]),
    ("The security force returned fire, killing the insurgent.", []),  # refers back: not a new person
    ("Kyiv, the capital, was hit by a missile.", []),
])
def test_single_people_and_vague_groups_are_figures(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(f.text, figure_facts(f).outcome) for f in figures(one(text))] == expected


def test_page_clutter_is_not_a_candidate() -> None:
    from summarise.strategies.candidates import is_clutter

    assert is_clutter(one("* [](https://www.reuters.com/world/ukraine-talks-2026-02-05/)"))
    assert not is_clutter(one("Talks between Russia and Ukraine began on the Belarus border."))


@pytest.mark.parametrize("phrase, qualifier", [("Not less than", "at_least"), ("No fewer than", "at_least"),
                                               ("Well over", "more_than"), ("As many as", "up_to")])
def test_the_figure_finder_and_the_number_reader_share_one_list_of_hedges(phrase: str, qualifier: str) -> None:
    """The anchored strategy's figure keeps its hedge, so the claim gets the qualifier the hedge states."""
    text = f"{phrase} 20 people were killed in the shelling, the governor said."
    def answer(messages: list[dict[str, str]]) -> dict[str, Any]:  # the claimant only when it is asked for
        asked = "- claimed_by:" in messages[-1]["content"]
        return {"side": None, "event": "shelling", **({"claimed_by": "the governor"} if asked else {})}

    chat = FakeChat(responder=answer)
    result = fake_client(chat, strategy="anchored-casualties").summarise(text)
    [found] = result.casualty_claims
    assert (found.count_text, found.count, found.qualifier.value) == (f"{phrase} 20", 20, qualifier)
    assert found.claimed_by == "the governor"


@pytest.mark.parametrize("text, scope", [
    ("Five people have been killed in an Israeli strike on the camp.", "incident"),
    ("More than 10,000 civilians have been killed in Ukraine since the invasion.", "cumulative"),
    ("At least 7,000 people have been killed in Sudan.", "cumulative"),
    ("Nearly 400 people died in nearly every province hit by the floods, officials said.", "incident"),
    ("The group has killed 300 soldiers in more than two years of fighting.", "cumulative"),
])
def test_running_totals_and_single_incidents(text: str, scope: str) -> None:
    assert scope_of(one(text)) == scope


def test_demand_cues_are_general_imperatives() -> None:
    from summarise.lexicon import DEMAND_WORDS

    assert DEMAND_WORDS.search("Give us the weapons we need.")
    assert DEMAND_WORDS.search("Get out of our country, the protesters chanted.")
    assert not DEMAND_WORDS.search("They leave our town every morning at six.")


def test_sentences_glued_without_a_space_are_split() -> None:
    found = [s.text for s in sentences("No more details.At least two people were killed. U.S. officials said so.")]
    assert found == ["No more details.", "At least two people were killed.", "U.S. officials said so."]


@pytest.mark.parametrize("text, expected", [
    ("Two people were killed on 07.10 in the raid.", ["Two"]),
    ("Five people were killed in two separate incidents.", ["Five"]),
    ("The shelling displaced residents of three villages.", []),
    ("A 60-year-old woman died in the attack, police said.", ["A 60-year-old woman"]),
    ("One resident was killed and a soldier was shot dead.", ["One", "a soldier"]),
    # a photo gallery's counters, as scraped pages carry them, are not people
    ("Item 1 of 5 Ukrainian prisoners of war pose for a picture after a swap.", []),
    ("**[1/5]** Ukrainian prisoners of war pose for a picture after a swap.", []),
    ("Photo 3: Four civilians were killed in the strike.", ["Four"]),
    # one named person, however the sentence names them
    ("One of the planners, Hamas\u2019 military chief Mohammed Deif, was killed in a strike.",
     ["Hamas\u2019 military chief Mohammed Deif"]),
    ("It came after the group\u2019s political leader, Ismail Haniyeh, was assassinated in Tehran.",
     ["Ismail Haniyeh"]),
    ("Minutes later, a blast killed Serhiy Smolyak, a 56-year-old emergency medic.", ["Serhiy Smolyak"]),
    ("The army announced Salama\u2019s death last month.", ["Salama"]),
    ("The army announced Salama\u2019s promotion last month.", []),
    ("He is suspected in the attempted assassination of several officials.", []),  # no one died
    # a prisoner exchange is not a casualty claim; "572 captured" is
    ("The two sides agreed to an exchange of 314 prisoners of war on Thursday.", []),
    ("Russia and Ukraine have exchanged 157 prisoners of war each.", []),
    ("Russian forces took 572 Ukrainian prisoners of war in the battle.", ["572"]),
    # bodies that are not the dead
    ("Astronomers later discovered several similar icy bodies in the Kuiper Belt.", []),
    ("At least 22 bodies have been recovered from the rubble.", ["At least 22"]),
])
def test_what_is_and_is_not_a_casualty_figure(text: str, expected: list[str]) -> None:
    assert [f.text for s in sentences(text) for f in figures(s)] == expected


def test_the_title_line_is_not_asked_about() -> None:
    """The guide: the headline is not annotated; its figures are, where the body states them."""
    text = "Strike kills 30 in Gaza\n\nAt least 12 people were killed on Tuesday, officials said."
    chat = FakeChat(responder=lambda messages: {"side": None, "event": "strike", "claimed_by": "officials"})
    result = fake_client(chat, strategy="anchored-casualties").summarise(text)
    assert [c.count_text for c in result.casualty_claims] == ["At least 12"]


@pytest.mark.parametrize("text, who", [
    ("An air strike on the market in Kharkiv killed 14 civilians on Tuesday, the regional governor said.",
     "the regional governor"),
    ("Five soldiers were wounded, a military spokesman told reporters.", "a military spokesman"),
    ("At least 30 people died in the floods, the country's disaster agency said on Monday.",
     "the country's disaster agency"),
])
def test_a_trailing_attribution_in_lower_case_names_the_claimant(text: str, who: str) -> None:
    [found] = [f for f in figures(one(text))]
    assert attribution(one(text), found.start) == who


@pytest.mark.parametrize("who, ok", [
    ("the regional governor", True), ("Syrian Observatory for Human Rights", True), ("unattributed", True),
    ("At least 32 are", False), ("Shajul Islam for fears for his own safety", False), ("", False),
])
def test_a_claimant_is_a_person_or_body_never_a_clause(who: str, ok: bool) -> None:
    from summarise.contract.names import is_claimant

    assert is_claimant(who) is ok
