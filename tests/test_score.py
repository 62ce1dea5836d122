from __future__ import annotations

import copy
import json

from summarise.evaluation.baselines import regex_claims
from summarise.evaluation.runner import isaf_minimums
from summarise.evaluation.score import Scores, fabricated_numbers, names_agree
from summarise.inputs.article import article_from_text
from tests.helpers import DATA, SEED

GOLD = json.loads((DATA / "seed-gold.json").read_text())
TEXT = SEED.read_text()


def test_gold_scores_perfectly_against_itself() -> None:
    scores = Scores()
    scores.add(GOLD, GOLD, TEXT)
    report = scores.report()
    assert all(s["f1"] == 1.0 for s in report["sections"].values())
    assert report["claims"]["attributes"]["claimed_by"] == 1.0
    assert report["grounding_rate"] == 1.0 and report["fabricated_numbers"] == 0


def test_missing_and_wrong_items_lower_the_scores() -> None:
    got = copy.deepcopy(GOLD)
    got["casualty_claims"] = got["casualty_claims"][:10]
    got["casualty_claims"][0]["outcome"] = "injured"  # 9 injured: matches nothing
    got["casualty_claims"][1]["claimed_by"] = "Someone Else"
    scores = Scores()
    scores.add(got, GOLD, TEXT)
    casualty = scores.report()["sections"]["casualty_claims"]
    assert casualty["tp"] == 9 and casualty["recall"] == round(9 / 13, 3) and casualty["precision"] == 0.9
    assert scores.report()["claims"]["attributes"]["claimed_by"] == round(8 / 9, 3)


def test_fabricated_numbers_are_counted() -> None:
    got = copy.deepcopy(GOLD)
    got["headline"] = "Strike kills 23 in Chernihiv"
    got["casualty_claims"][0]["count"] = 19
    bad, _ = fabricated_numbers(got, TEXT)
    assert bad == 2


def test_one_named_person_is_no_fabricated_number() -> None:
    """The guide's single casualty: count 1 with the words that denote the person ("Mohammed Deif"),
    though the article has no "1" (the seed has none)."""
    got = copy.deepcopy(GOLD)
    named = {**got["casualty_claims"][0], "count": 1, "count_text": "Viacheslav Chaus", "qualifier": "exact"}
    got["casualty_claims"] = [named]
    assert fabricated_numbers(got, TEXT)[0] == 0
    got["casualty_claims"] = [{**named, "count": 2}]  # two is no single person
    assert fabricated_numbers(got, TEXT)[0] == 1


def test_names_compare_by_token_overlap() -> None:
    assert names_agree("Russian Defense Ministry spokesman", "A spokesman for the Russian Defence Ministry")
    assert names_agree(None, None) and not names_agree("AFP", None)
    assert not names_agree("Ukrainian governor", "Russian Defence Ministry")


def test_regex_baseline_and_isaf_rule() -> None:
    record = regex_claims(article_from_text("Officials said two insurgents were killed. Three suspects were "
                                            "detained in a second raid, where a house was hit."))
    assert [(c["count"], c["outcome"]) for c in record["casualty_claims"]] == [(2, "killed"), (3, "detained")]
    mine = {"casualty_claims": [
        {"quote": "a", "count": 2, "count_text": "two", "outcome": "killed"},
        {"quote": "b", "count": None, "count_text": "several", "outcome": "detained"},
        {"quote": "b", "count": None, "count_text": "several", "outcome": "detained"},
        {"quote": "c", "count": 1, "count_text": "a Taliban leader", "outcome": "killed"},
    ]}
    assert isaf_minimums(mine) == (3, 3)
    background = {"casualty_claims": [
        {"quote": "killing more than 30 insurgents", "count": 30, "count_text": "more than 30",
         "qualifier": "more_than", "outcome": "killed"},
        {"quote": "Forces have killed two and detained 30 since Dec. 1", "count": 2, "count_text": "two",
         "qualifier": "exact", "outcome": "killed"},
        {"quote": "the attack on the Kabul hotel which killed 12 people", "count": 12, "count_text": "12",
         "qualifier": "exact", "outcome": "killed"},
    ]}
    assert isaf_minimums(background) == (31, 0)


def test_a_wrong_name_counts_against_the_output_and_none_does_not() -> None:
    got = copy.deepcopy(GOLD)
    got["casualty_claims"][0]["side"] = "Russian"  # gold: Ukrainian
    got["casualty_claims"][1]["side"] = None
    scores = Scores()
    scores.add(got, GOLD, TEXT)
    claims = scores.report()["claims"]
    assert claims["wrong_names"] == {"claimed_by": 0, "reported_via": 0, "side": 1}
    assert claims["attributes"]["side"] == round(11 / 13, 3) and claims["matched"] == 13


def test_names_agree_by_the_dice_of_word_stems() -> None:
    assert names_agree("Israeli military", "the Israeli army's military")
    assert names_agree("Ukraine's health ministry", "Ukrainian Health Ministry")  # stems: ukrai, healt, minis
    assert not names_agree("Israeli military", "Israeli health ministry")  # the old overlap rule let these agree
    assert not names_agree("Russian officials", "Russian Defence Ministry")
    assert names_agree(None, "") and not names_agree("Reuters", None)


def test_fields_of_matched_strikes_demands_and_negotiations_are_reported() -> None:
    got = copy.deepcopy(GOLD)
    got["strikes"][0]["attacker"] = "Somebody Else"
    scores = Scores()
    scores.add(got, GOLD, TEXT)
    report = scores.report()
    fields = report["sections"]["strikes"]["fields"]
    assert fields["attacker"] == round(2 / 3, 3) and fields["target"] == 1.0
    assert report["sections"]["negotiations"]["fields"]["status"] == 1.0
    assert report["claims"]["overlap_rule"]["claimed_by"] == 1.0


def test_the_plain_baseline_requires_its_lists_as_a_user_would() -> None:
    from summarise.evaluation.baselines import PlainSummary

    required = set(PlainSummary.model_json_schema()["required"])
    assert {"key_demands", "strikes", "casualty_claims", "negotiations"} <= required
