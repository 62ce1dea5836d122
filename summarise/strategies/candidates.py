"""Code finds what the model is asked about: sentences, casualty figures, section candidates.

Everything here is deterministic text processing. A figure found here is grounded by
construction (its text and span come from the article); the model only classifies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarise.contract.names import is_claimant
from summarise.lexicon import (
    AGENCIES,
    CASUALTY_WORDS,
    CIVILIAN_WORDS,
    GROUP_WORDS,
    HEDGE_PATTERN,
    MILITARY_WORDS,
    MONTH_PATTERN,
    OUTCOME_WORDS,
    PEOPLE_WORDS,
    VAGUE_AMOUNTS,
    WEEKDAY_PATTERN,
)

_HEDGE = HEDGE_PATTERN
_UNIT = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
         r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)")
_WORDNUM = rf"(?:{_UNIT}(?:[\s-]+{_UNIT})*(?:\s+(?:hundred|thousand|million)(?:\s+(?:and\s+)?{_UNIT}(?:-{_UNIT})?)?)*|a\s+dozen|a\s+hundred|a\s+thousand)"  # noqa: E501
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s+(?:million|thousand|billion))?"
_VAGUE = "(?:" + "|".join(r"\s+".join(w.split()) + (r"(?:\s+hundred|\s+thousand|\s+dozen)?" if w == "several" else "")
                         for w in VAGUE_AMOUNTS) + ")"
FIGURE = re.compile(rf"(?<![\w$€£#.,-])(?:{_HEDGE}\s+)?(?:{_DIGITS}|{_WORDNUM}|{_VAGUE})(?![\w%-])", re.I)

_NOT_PEOPLE_AFTER = re.compile(
    r"^\s*(?:-|\s)?(?:year|years|yr|month|months|week|weeks|day|days|hour|hours|minute|minutes|second|seconds|"
    r"percent|per\s+cent|km|kilomet|mile|miles|metre|meter|feet|foot|kg|tonnes|tons|dollars|euros|pounds|"
    r"am\b|pm\b|a\.m|p\.m|o'clock|times|points|rounds?|"
    r"(?:st|nd|rd|th)\b)", re.I)
_COUNTED_THINGS = re.compile(
    r"^\s+(?:[\w-]+\s+)?(?:incidents?|attacks?|strikes?|raids?|occasions?|rounds?|villages?|towns?|cities|"
    r"neighbou?rhoods?|districts?|provinces?|regions?|homes?|houses?|buildings?|schools?|hospitals?|vehicles?|"
    r"cars?|trucks?|tanks?|drones?|missiles?|rockets?|shells?|bombs?|explosions?|blasts?)\b", re.I)
_SHARE = re.compile(r"^\s+of\s+(?:the|them|those|whom|these)\b", re.I)
# a gallery's or a list's counter ("Item 1 of 5", "[1/5]", "Photo 3"): page furniture, not people
_COUNTER_BEFORE = re.compile(r"(?:\b(?:item|photo|image|picture|slide|page|part)\s+(?:\d+\s+of\s+)?|\d\s*/\s*)$", re.I)
_COUNTER_AFTER = re.compile(r"^\s*/\s*\d")
# prisoners exchanged, released or returned are not newly captured (the annotation guide: prisoner
# exchanges are not casualty claims)
_PRISONERS_AFTER = re.compile(r"^\s+(?:[\w-]+\s+){0,2}?(?:prisoners?|POWs?|captives|detainees)\b", re.I)
_RELEASE = re.compile(r"\b(?:exchang\w*|swap\w*|releas\w*|freed|return\w*|repatriat\w*|handed\s+over)\b", re.I)
# "bodies" that are not the dead: "icy bodies" in space, "governing bodies", "bodies of water"
_NOT_CORPSES = re.compile(r"\b(?:icy|rocky|celestial|heavenly|frozen|governing|regulatory|public|international|"
                          r"official|legislative|judicial|professional|advisory)\s+bodies\b|\bbodies\s+of\s+water\b",
                          re.I)
_MONTH_NEAR = re.compile(rf"(?:\b(?:{MONTH_PATTERN})\.?\s*$)", re.I)
_MONTH_AFTER = re.compile(rf"^\s*(?:{MONTH_PATTERN})\b", re.I)


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str

    @property
    def is_heading(self) -> bool:
        """A headline-like line (no closing punctuation), which usually repeats the body."""
        return not self.text.rstrip().endswith((".", "!", "?", '"', "\u201d", "'", ")", ":"))


@dataclass(frozen=True)
class Figure:
    """A number expression near casualty words: its text and span are the article's own."""

    sentence: Sentence
    start: int
    end: int
    text: str
    person: str | None = None  # the surname of one named person ("Deif" for "military chief Mohammed Deif")


# A sentence ends at . ! ? before a capital (after a space, or glued to it as scrapers leave it:
# "details.At least two"), at a blank line, or at a line break.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])|"
                       r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|\n\s*\n|\n(?=\S)")


def sentences(text: str) -> list[Sentence]:
    """Sentences (and heading lines) with their offsets in ``text``."""
    out: list[Sentence] = []
    pos = 0
    for match in [*_BOUNDARY.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[pos:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            start = pos + lead
            out.append(Sentence(len(out), start, start + len(stripped), stripped))
        if match:
            pos = match.end()
    return out


def _is_people_figure(sentence: str, start: int, end: int, expr: str) -> bool:
    after = sentence[end:]
    before = sentence[:start]
    if _NOT_PEOPLE_AFTER.match(after) or _MONTH_NEAR.search(before) or _MONTH_AFTER.match(after):
        return False
    if _COUNTER_BEFORE.search(before) or _COUNTER_AFTER.match(after):
        return False
    if (_PRISONERS_AFTER.match(after) and _RELEASE.search(sentence)) or _NOT_CORPSES.search(
            " ".join(after.split()[:4])):
        return False
    bare = re.sub(_HEDGE, "", expr, flags=re.I).strip()
    if re.fullmatch(r"\d+\.\d+", bare):
        return False  # no one counts people in fractions: a date ("07.10") or a measure
    if _COUNTED_THINGS.match(after):
        return False  # "two separate incidents", "three villages": a count of things, not of people
    if _SHARE.match(after) and not re.search(r"\d", bare) and not re.fullmatch(_WORDNUM, bare, re.I):
        return False  # "many of them", "dozens of those": a share of another figure, not a claim
    if re.fullmatch(r"(19|20)\d\d", bare) and not re.match(PEOPLE_WORDS.pattern + r"(?!-)", after.strip(), re.I):
        return False  # a year
    if bare.lower() == "one" and not PEOPLE_WORDS.search(" ".join(after.split()[:4])):
        return False
    near_after = " ".join(re.split(r"[,;:.]", after, maxsplit=1)[0].split()[:3])
    if PEOPLE_WORDS.search(near_after) or CASUALTY_WORDS.search(near_after):
        return True
    near_before = " ".join(re.split(r"[,;:.\"\u201c\u201d]", before)[-1].split()[-4:])
    return bool(CASUALTY_WORDS.search(near_before))


_PERSON = (r"(?:leader|commander|facilitator|insurgent|militant|fighter|man|woman|boy|girl|child|civilian|soldier|"
           r"officer|policeman|suspect|member|bomb-?maker|financier|emir|operative|journalist|activist|doctor|"
           r"gunman|sniper|courier|spokesman|official|chief|deputy|lieutenant|associate|driver|resident|medic|"
           r"paramedic|nurse|rescuer|worker|teacher|farmer|student|reporter|photographer)")
_ONE = rf"(?P<np>(?:an?|one)\s+(?:[\w'-]+\s+){{0,4}}?{_PERSON})\b"
_PERSON_ACTIVE = re.compile(rf"\b(?:killed|killing|captured|capturing|detained|detaining|arrested|arresting|"
                            rf"apprehended|apprehending|wounded|wounding|injured|injuring)\s+{_ONE}", re.I)
_PERSON_PASSIVE = re.compile(rf"(?:^|[,;]\s*|\b(?:and|when|after|as)\s+){_ONE}\s+(?:(?:was|has\s+been|had\s+been)\s+"
                             rf"(?:\w+\s+)?(?:killed|captured|detained|arrested|apprehended|wounded|injured|shot\s+dead)"
                             rf"|(?:later\s+)?(?:died|perished))\b", re.I)
# One named person: "killed Taliban leader Saifullah", "the death of Haqqani leader Shabeer",
# "Muhammad Yah, a senior Taliban commander, was killed", "Hamas' military chief Mohammed Deif, was killed",
# "Hamas' political leader, Ismail Haniyeh, was assassinated", "a blast killed Serhiy Smolyak, a 56-year-old
# emergency medic", "the IDF announced Salama's death". Case matters here: a name is capitalised.
# ("killing the insurgent" is left out: it refers back to someone already counted.)
_NAME = r"[A-Z][a-z'-]+(?:\s+(?:[A-Z][a-z'-]+|al-[A-Z][a-z'-]+|bin|ibn)){0,3}"
_NAMED = rf"(?P<name>{_NAME})"
_PERSON_WORD = rf"(?i:{_PERSON})"
_TITLED = rf"(?:[A-Z][\w'\u2019-]*\s+)?(?:[a-z][\w-]+\s+){{0,2}}?{_PERSON_WORD}\s+{_NAMED}"
_PASSIVE_END = (r",?\s+(?:was|has\s+been|had\s+been)\s+(?:\w+\s+)?"
                r"(?i:killed|captured|detained|arrested|apprehended|assassinated|shot\s+dead)\b")
_NAMED_ACTIVE = re.compile(rf"\b(?i:killed|killing|captured|capturing|detained|detaining|arrested|arresting|"
                           rf"apprehended|apprehending|death\s+of)\s+(?:the\s+)?(?P<np>{_TITLED})\b")
_NAMED_PASSIVE = re.compile(rf"(?:^|[,;(\u2013-]\s*|\b(?:that|and|when|after)\s+)(?:the\s+)?(?P<np>{_TITLED})"
                            rf"{_PASSIVE_END}")
_APPOSITIVE = re.compile(rf"(?:^|[,;(\u2013-]\s*|\b(?:that|and)\s+)(?P<np>{_NAMED},\s+(?:an?|the)\s+[^,;]{{0,80}}?"
                         rf"\b{_PERSON_WORD}\b[^,;]{{0,60}}),{_PASSIVE_END}")
_TITLE_THEN_NAME = re.compile(rf"\b{_PERSON_WORD},\s+(?P<np>{_NAMED}),{_PASSIVE_END}")
_KILLED_THEN_WHO = re.compile(rf"\b(?i:killed|killing)\s+(?P<np>{_NAMED}),\s+an?\s+[^,;]{{0,60}}?\b{_PERSON_WORD}\b")
_NAME_DEATH = re.compile(rf"(?P<np>{_NAMED})['\u2019]s\s+(?i:death|killing|assassination)\b")


def figures(sentence: Sentence) -> list[Figure]:
    """Casualty-like number expressions in one sentence (generous: the model may reject some),
    and single people said to be killed, captured, detained or wounded ("captured a Taliban leader")."""
    found: list[Figure] = []
    for match in FIGURE.finditer(sentence.text):
        expr = match.group(0)
        if _is_people_figure(sentence.text, match.start(), match.end(), expr):
            found.append(Figure(sentence, sentence.start + match.start(), sentence.start + match.end(), expr))
    taken = [(f.start, f.end) for f in found]
    for pattern in (_PERSON_ACTIVE, _PERSON_PASSIVE, _NAMED_ACTIVE, _NAMED_PASSIVE, _APPOSITIVE, _TITLE_THEN_NAME,
                    _KILLED_THEN_WHO, _NAME_DEATH):
        for match in pattern.finditer(sentence.text):
            start, end = sentence.start + match.start("np"), sentence.start + match.end("np")
            if not any(s < end and start < e for s, e in taken):
                name = match.groupdict().get("name")
                found.append(Figure(sentence, start, end, match.group("np"), name.split()[-1] if name else None))
                taken.append((start, end))
    return sorted(found, key=lambda f: f.start)


def is_title(sentence: Sentence, text: str) -> bool:
    """The article's first line when it stands on a line of its own above the body (its headline)."""
    return sentence.index == 0 and text[sentence.end:sentence.end + 1] == "\n" and bool(text[sentence.end:].strip())


def is_clutter(sentence: Sentence) -> bool:
    """Page clutter kept by a scraper: link lists, markup, navigation ("* [](https://…)")."""
    text = sentence.text
    if "](" in text or re.search(r"https?://|www\.", text):
        return True
    letters = sum(ch.isalpha() for ch in text)
    return letters < 0.6 * len(text)


def section_sentences(all_sentences: list[Sentence], pattern: re.Pattern[str]) -> list[Sentence]:
    return [s for s in all_sentences if not s.is_heading and not is_clutter(s) and pattern.search(s.text)]


def outlets_in(text: str) -> list[str]:
    """Agencies and outlets the article names (the only values ``reported_via`` may take)."""
    return [a for a in AGENCIES if re.search(rf"(?<![\w-]){re.escape(a)}(?![\w-])", text)]


_DEMONYM = re.compile(r"^(?:[A-Z][a-z]+(?:ian|ean|ese|ish|i|an|ic)|Palestinians?|Israelis?|Afghans?|Iraqis?|Yemenis?|"
                      r"Pakistanis?|Somalis?|Saudis?|Kurds?|Kurdish|Houthis?|Shiites?|Sunnis?|Russians?|"
                      r"Ukrainians?|Syrians?|Americans?|Israeli|British|French|Sudanese|Kenyan|Lebanese)$")
_CLAUSE_END = re.compile(r"[;:]|,\s+(?:and|while|but)\b|\band\s+(?:about|more|at|over|up|some|nearly|"
                         r"another|\d)|,\s*\"|\bwhile\b|\bbut\b", re.I)


@dataclass(frozen=True)
class FigureFacts:
    """What code can read off the words around a figure (None: code cannot tell)."""

    outcome: str | None
    population: str
    side: str | None


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'-]*", text)


_ADJACENT = re.compile(r"([A-Za-z]+)(?:\s+(?:another|of|the|some|a))*\s+$")


def _outcome_word(word: str) -> str | None:
    return next((name for name, pattern in OUTCOME_WORDS if pattern.match(word)), None)


def _outcome_of(match: re.Match[str] | None) -> str | None:
    """The outcome of a casualty verb right before the figure ("killing 22", "bodies of five")."""
    return _outcome_word(match.group(1)) if match else None


def figure_facts(figure: Figure) -> FigureFacts:
    text = figure.sentence.text
    rel_start = figure.start - figure.sentence.start
    rel_end = figure.end - figure.sentence.start
    after = text[rel_end:]
    clause_end = _CLAUSE_END.search(after)
    after_clause = after[: clause_end.start()] if clause_end else after
    after_words = _words(after_clause)[:9]
    before_words = _words(text[:rel_start])[-4:]

    outcome = _outcome_of(_ADJACENT.search(text[:rel_start]))
    for word in after_words if outcome is None else ():
        outcome = _outcome_word(word)
        if outcome:
            break
    for word in reversed(before_words) if outcome is None else ():
        outcome = _outcome_word(word)
        if outcome:
            break
    clause_before = re.split(r"[,;:]", text[:rel_start])[-1]
    if outcome is None and re.search(r"\b(?:death\s+toll|toll)\b", clause_before, re.I):
        outcome = "killed"  # "the death toll ... reached at least 112 people"

    population, side = "unspecified", None
    for word in after_words[:4]:
        if _DEMONYM.match(word) and side is None:
            side = re.sub(r"s$", "", word) if word.endswith(("ians", "is", "ans", "ds")) else word
        if CIVILIAN_WORDS.match(word):
            population = "civilians"
            break
        if MILITARY_WORDS.match(word):
            population = "military"
            break
        if GROUP_WORDS.match(word):
            break
    return FigureFacts(outcome, population, side)


def sentence_outlet(sentence: Sentence) -> str | None:
    """The one agency a sentence credits, if exactly one is named in it."""
    named = outlets_in(sentence.text)
    longest = {n for n in named if not any(n != m and n in m for m in named)}
    return next(iter(longest)) if len(longest) == 1 else None


_SPEECH = (r"(?:said|says|say|told|confirmed|reported|claimed|added|announced|stated|estimated|put|puts|recorded|"
           r"documented|gave|given|counted|tallied)")
_SUBJECT_BEFORE = re.compile(
    rf"(?:^|[,;:\"\u201c\u201d(]\s*|\bthat\s+|\breports?\s+by\s+)"
    rf"(?P<who>(?:the\s+|a\s+|an\s+)?[A-Z][^,;:\"\u201c\u201d()]*?)"
    rf"(?:,\s+[^,;:\"\u201c\u201d()]{{1,70}},)?\s+(?:also\s+|later\s+|previously\s+|earlier\s+)?"
    rf"(?:has\s+|have\s+|had\s+)?(?:also\s+)?{_SPEECH}\b")
_SUBJECT_AFTER = re.compile(
    rf"(?:\baccording\s+to|\bquoted|,\s*\"?\s*{_SPEECH})\s+(?P<who>(?:the\s+|a\s+|an\s+)?[A-Z][^,;:.\"\u201c\u201d()]*?)"
    r"(?=\s+as\s+(?:saying|quoted)|\s+(?:on|in)\s+(?:" + WEEKDAY_PATTERN + r")|"
    r"[,;:.\"\u201c\u201d()]|$)")
_PRONOUN = re.compile(r"^(?:he|she|it|they|we|i|this|that|there|officials?|the\s+(?:group|ministry|agency|army|"
                      r"military|organisation|organization|statement|report|official|spokesman|office))$", re.I)


def _clean_who(who: str) -> str | None:
    who = " ".join(who.split()).strip(" \"'\u201c\u201d")
    who = re.sub(r"^(?:But|And|Meanwhile|However|Also|Earlier|Later)\s+", "", who)
    who = re.sub(r"^(?:earlier\s+)?reports?\s+by\s+", "", who, flags=re.I)
    if not who or len(who.split()) > 10 or _PRONOUN.match(who) or re.match(r"according\s+to\b", who, re.I):
        return None
    if not is_claimant(who):
        return None  # a clause caught between a comma and "said", not a person or body
    if who in AGENCIES or re.fullmatch(r"(?:news\s+agency\s+)?(?:" + "|".join(map(re.escape, AGENCIES)) + ")", who):
        return None  # an outlet relays; it is reported_via, not the claimant
    if re.match(r"^(?:news\s+agency|the\s+news\s+agency)\b", who, re.I):
        return None
    return who


# a trailing attribution in lower case: "…killed 14 civilians on Tuesday, the regional governor said."
_TRAILING = re.compile(
    rf",\s+(?P<who>(?:the|a|an)\s+[a-z][^,;:\"\u201c\u201d()]{{2,80}}?)\s+(?:also\s+)?(?:has\s+|have\s+)?{_SPEECH}"
    r"(?:\s+[\w'-]+){0,3}\s*[.!]?[\"\u201d']?$")  # "…said on Monday.", "…told reporters."


def attribution(sentence: Sentence, at: int | None = None) -> str | None:
    """Who the sentence says states the figure at offset ``at`` ("X said", "according to X").

    The nearest "X said" before the figure wins (nested reports name the innermost source);
    otherwise an attribution after it (", officials said."). None when code cannot tell.
    """
    text = sentence.text
    pos = len(text) if at is None else at - sentence.start
    before = [m for m in _SUBJECT_BEFORE.finditer(text) if m.end() <= pos + 1]
    after = [*_SUBJECT_AFTER.finditer(text), *_TRAILING.finditer(text)]
    rest = [m for m in _SUBJECT_BEFORE.finditer(text) if m.end() > pos + 1]
    for match in [*reversed(before), *after, *rest]:
        who = _clean_who(match.group("who"))
        if who:
            return who
    return None


_CUMULATIVE = re.compile(
    r"\b(?:since|so\s+far|to\s+date|in\s+total|overall|altogether|toll\s+(?:has|had)\s+(?:reached|risen|climbed|"
    r"passed|exceeded)|death\s+toll\s+in\s+the\s+war|in\s+the\s+(?:war|conflict|campaign)|during\s+the\s+(?:war|"
    r"conflict)|over\s+the\s+(?:past|last)|in\s+(?:nearly|almost|more\s+than|over)\s+(?:\w+\s+)?(?:years|months|weeks)|"
    r"this\s+year|as\s+of|casualties\s+in|"
    # "have been killed in Ukraine" (a running toll), not "in an Israeli strike": the capital is case-sensitive
    r"throughout|over\s+\w+\s+(?:years|months)|has\s+(?:since\s+)?killed|have\s+been\s+killed\s+in\s+(?-i:[A-Z])|"
    r"(?:conflict|war)\s+has\s+(?:left|killed)|since\s+(?:19|20)\d\d|[\w-]+-year(?:-old)?\s+(?:war|conflict)|"
    r"years\s+of\s+(?:war|conflict))", re.I)


def scope_of(sentence: Sentence) -> str:
    """``cumulative`` when the sentence speaks of a running total ("since", "so far", "in the war")."""
    return "cumulative" if _CUMULATIVE.search(sentence.text) else "incident"
