from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from summarise.contract.grounding import ArticleIndex, normalise

ARTICLE = "He said \u201cthe  only\nway\u201d \u2014 to stop this war. Reuters\u2019 count: 2,870."


def test_locates_across_typographic_quotes_dashes_and_whitespace() -> None:
    index = ArticleIndex(ARTICLE)
    span = index.locate('"the only way" - to stop')
    assert span is not None
    assert normalise(ARTICLE[span.start:span.end]) == normalise('"the only way" - to stop')
    assert ARTICLE[span.start] == "\u201c"


def test_nothing_looser_than_normalisation() -> None:
    index = ArticleIndex(ARTICLE)
    assert index.locate("The only way") is None  # case differs
    assert index.locate("the only way to stop") is None  # quote mark missing
    assert index.locate("2870") is None  # digits differ
    assert index.locate("   ") is None


def test_apostrophes_normalise() -> None:
    assert ArticleIndex(ARTICLE).contains("Reuters' count")


words = st.lists(st.text(alphabet="abcdefgh\u2019\u201c\u201d-\u2014", min_size=1, max_size=6), min_size=3, max_size=30)


@given(words, st.data())
def test_every_substring_of_words_is_located_at_its_span(tokens: list[str], data: st.DataObject) -> None:
    seps = data.draw(st.lists(st.sampled_from([" ", "  ", "\n", "\t "]), min_size=len(tokens), max_size=len(tokens)))
    text = "".join(t + s for t, s in zip(tokens, seps, strict=True))
    i = data.draw(st.integers(0, len(tokens) - 1))
    j = data.draw(st.integers(i, len(tokens) - 1))
    quote = " ".join(tokens[i:j + 1])
    span = ArticleIndex(text).locate(quote)
    assert span is not None
    assert normalise(text[span.start:span.end]) == normalise(quote)


def _reference_normalise(text: str) -> tuple[str, list[int]]:
    """The rule spelled out one character at a time (the fast version keeps breakpoints)."""
    from summarise.contract.grounding import _TRANSLATE

    out: list[str] = []
    index: list[int] = []
    pending = -1
    for i, ch in enumerate(text):
        if ch.isspace():
            pending = i if pending < 0 else pending
            continue
        if pending >= 0 and out:
            out.append(" ")
            index.append(pending)
        pending = -1
        out.append(_TRANSLATE.get(ch, ch))
        index.append(i)
    return "".join(out), index


def test_fast_normalisation_and_offsets_agree_with_the_rule() -> None:
    import random

    from summarise.contract.grounding import _normalise_with_map

    rng = random.Random(7)
    alphabet = list("ab \n\t\u2019\u2014\u00a0\u2028\u3000x1\"")
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        fast, offsets = _normalise_with_map(text)
        slow, index = _reference_normalise(text)
        assert fast == slow, text
        assert [offsets[k] for k in range(len(fast))] == index, text
