from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from summarise.contract.numbers import Qualifier, hedge_of, is_vague, parse_count

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell(n: int) -> str:
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    rest = n % 100
    return ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + spell(rest))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("22", 22), ("at least 22", 22), ("2,870", 2870), ("1,597", 1597), ("more than 2,000", 2000),
        ("1.2 million", 1_200_000), ("3.5 million", 3_500_000), ("two million", 2_000_000),
        ("twenty-two", 22), ("nine", 9), ("one hundred and five", 105), ("a dozen", 12),
        ("a hundred", 100), ("100,000", 100_000), ("about 9,000", 9000), ("over 1,000", 1000),
    ],
)
def test_parse_count_reads_stated_numbers(text: str, value: int) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["dozens", "scores", "hundreds", "several hundred", "tens of thousands",
                                  "hundreds of thousands", "a few", "numerous"])
def test_vague_amounts_have_no_count(text: str) -> None:
    assert parse_count(text) is None
    assert is_vague(text)


@pytest.mark.parametrize("text", ["a 41-year-old man", "Mohammed Deif", "an activist"])
def test_single_person_expressions_state_no_number(text: str) -> None:
    assert parse_count(text) is None
    assert not is_vague(text)


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [("at least 22", Qualifier.at_least), ("more than 2,000", Qualifier.more_than),
     ("up to 300", Qualifier.up_to), ("about 9,000", Qualifier.about), ("nearly 50", Qualifier.about),
     ("22", None)],
)
def test_hedges(text: str, qualifier: Qualifier | None) -> None:
    assert hedge_of(text) == qualifier


@given(st.integers(min_value=0, max_value=10**9))
def test_digits_with_separators_round_trip(n: int) -> None:
    assert parse_count(f"{n:,}") == n
    assert parse_count(str(n)) == n


@given(st.integers(min_value=0, max_value=999))
def test_number_words_round_trip(n: int) -> None:
    assert parse_count(spell(n)) == n
