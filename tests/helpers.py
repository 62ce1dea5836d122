"""What several test modules share: paths, the small article with its answers, and a client on a test
double. Test modules import from here (or from ``fakes``), never from one another."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from summarise import Summariser
from tests.fakes import FakeChat, fake_backend

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data"  # fixtures written or chosen by us, openly licensed (see its README)
SEED = EXAMPLES / "zelensky-chernihiv.txt"

# A two-sentence article and the single-pass answers about it
TEXT = ("Kyiv attacked\n\nAn air strike by Russia hit two schools on Thursday, killing 22 people and injuring "
        "dozens, Reuters reported. Talks between Russia and Ukraine began on the Belarus-Poland border.")


def claim(quote: str = "killing 22 people and injuring dozens", count_text: str = "22") -> dict[str, Any]:
    return {"count": 22, "count_text": count_text, "qualifier": "exact", "outcome": "killed",
            "population": "unspecified", "side": None, "scope": "incident", "event": "strike on schools",
            "claimed_by": "unattributed", "reported_via": "Reuters", "quote": quote}


def answer(*claims: dict[str, Any], headline: str = "Russian strike on schools kills 22") -> str:
    return json.dumps({"headline": headline, "summary": "A strike hit two schools.", "key_demands": [],
                       "strikes": [], "casualty_claims": list(claims), "negotiations": []})


def fake_client(chat: FakeChat, strategy: str = "single-pass", **options: Any) -> Summariser:
    """A client whose backend is the fake chat endpoint; no cache unless asked."""
    options.setdefault("cache", False)
    return Summariser(backend=fake_backend(chat), strategy=strategy, **options)


# An article for the anchored strategy, and a test double's answers to its questions, by question type
ANCHORED_TEXT = (
    "Strike on market\n\n"
    "An air strike by Russia hit a market in Kharkiv on Tuesday, killing 14 civilians and injuring dozens, "
    "Reuters reported. "
    "The regional governor said 3 children were among the dead. "
    "Zelensky called for direct talks with Putin. "
    "Talks between Russia and Ukraine began on the Belarus border."
)


def anchored_responder(claimed_by: str = "unattributed") -> Any:
    def answer(messages: list[dict[str, str]]) -> dict[str, Any]:
        question = messages[2]["content"]  # the question, also when this request is a reask
        if question.startswith("Write a headline"):
            return {"headline": "Russian strike on Kharkiv market kills 14", "summary": "A strike hit a market."}
        if question.startswith("Sentence:") and "Casualty figures" in question:
            sentence = question.split("\n")[0].removeprefix("Sentence: ")
            facts = {"side": "Ukrainian", "event": " ".join(sentence.split()[:4])}  # in the sentence's words
            return {**facts, "claimed_by": claimed_by} if "- claimed_by:" in question else facts
        if "Which of these sentences report a specific attack" in question:
            return {"sentences": [1]}
        if "Which of these sentences report demands" in question:
            return {"sentences": [1]}
        if "Which of these sentences report negotiations" in question:
            return {"sentences": [1, 1]}
        if "Describe the attack" in question:
            return {"attacker": "Russia", "target": "a market", "location": "Kharkiv", "when": "Tuesday",
                    "means": "air strike"}
        if "Describe the demand" in question:
            return {"made_by": "Zelensky", "demand": "direct talks", "addressed_to": "Putin"}
        if "Describe the negotiation" in question:
            return {"parties": ["Russia", "Ukraine"], "status": "ongoing", "description": "talks",
                    "venue": "Belarus border", "mediator": None}
        raise AssertionError(f"unexpected question: {question[:80]}")
    return answer
