"""Every word list the package reads text with, in one place: hedges, vague amounts, casualty and
outcome words, people, section cues, stop words, agencies, weekdays and months.

Lists are data; the patterns built from them live beside them so that two readers of the same
idea (the figure finder and the number reader, say) can never disagree about it.
"""

from __future__ import annotations

import re

# --- hedges: the qualifier a figure's wording implies --------------------------------------------------
# (qualifier, phrases); checked in this order, so "at least" wins over a later "about"
HEDGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("at_least", ("at least", "a minimum of", "no fewer than", "not less than", "no less than", "not fewer than")),
    ("more_than", ("more than", "over", "upwards of", "in excess of", "above", "well over")),
    ("up_to", ("up to", "as many as", "as much as")),
    ("about", ("about", "around", "nearly", "almost", "some", "roughly", "an estimated", "approximately",
               "close to", "estimated")),
)
HEDGE_PHRASES: tuple[str, ...] = tuple(sorted({p for _, ps in HEDGES for p in ps}, key=lambda p: (-len(p), p)))
# one alternation, longest phrase first, spaces matching any whitespace run
HEDGE_PATTERN = "(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in HEDGE_PHRASES) + ")"

# --- amounts -----------------------------------------------------------------------------------------
# vague amounts that stand for a group of people ("dozens were killed"): the figure finder looks for these
VAGUE_AMOUNTS: tuple[str, ...] = (
    "hundreds of thousands", "tens of thousands", "dozens", "scores", "hundreds", "thousands", "millions",
    "several", "a few", "numerous", "countless", "multiple",
)
# quantity words with no definite number, the vague amounts included ("many", "some" only qualify one)
VAGUE_WORDS: tuple[str, ...] = (*VAGUE_AMOUNTS, "few", "many", "some")

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
SPECIAL_AMOUNTS = {"a dozen": 12, "one dozen": 12, "a couple of": 2, "a pair of": 2}

# --- calendar --------------------------------------------------------------------------------------------
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS: tuple[str, ...] = ("january", "february", "march", "april", "may", "june", "july", "august",
                           "september", "october", "november", "december")
MONTH_ABBREVIATIONS: tuple[str, ...] = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                                        "nov", "dec")
MONTH_PATTERN = "|".join((*MONTHS, *MONTH_ABBREVIATIONS))
WEEKDAY_PATTERN = "|".join(d.capitalize() for d in WEEKDAYS)

# --- stop words --------------------------------------------------------------------------------------
# function words left out when short texts (names, places, descriptions) are compared
STOP_WORDS = frozenset({"the", "a", "an", "of", "in", "on", "and", "for", "to", "at", "by", "with", "s", "its",
                        "his", "her"})
# words that say nothing about who a claimant is ("the ministry said", "officials")
REPORTING_WORDS = frozenset({"from", "their", "said", "says", "unattributed", "spokesman", "spokesperson",
                             "official", "officials"})
# words that say nothing about who someone is: left out when names are compared or checked
NAME_FILLERS = STOP_WORDS | REPORTING_WORDS
PRONOUNS = frozenset({"he", "she", "it", "they", "we", "this", "that", "there", "his", "her", "their", "its"})
# text a model writes for "no value"
NULL_TEXTS = frozenset({"null", "none", "n/a", "na", "unknown", "not mentioned", "not specified", "not stated",
                        "not given", "unstated", "as written", ""})

# --- who relays: agencies and outlets (``reported_via``, never the claimant) ---------------------------
AGENCIES: tuple[str, ...] = (
    "Reuters", "AFP", "Agence France-Presse", "AP", "Associated Press", "Xinhua", "TASS", "RIA Novosti",
    "Interfax", "Al Jazeera", "BBC", "CNN", "SANA", "Anadolu", "IRNA", "WAFA", "Al-Manar", "Al Manar",
    "al-Mayadeen", "Al Mayadeen", "Saba", "Ukrinform", "UNIAN", "Sputnik", "Al Arabiya", "Bloomberg",
    "The New York Times", "The Washington Post", "state TV", "state television", "state media",
    "state news agency", "Kyodo", "Yonhap", "dpa", "EFE", "ANSA", "PTI", "ANI", "NHK", "Fars", "Tasnim",
    "Al-Masirah", "Al Masirah", "Axios", "Haaretz", "Times of Israel", "Kurdistan24", "Rudaw",
)

# --- casualty, outcome and people words ------------------------------------------------------------------
CASUALTY_WORDS = re.compile(
    r"\b(?:kill\w*|dead|death\w*|died|die|dying|toll|bod(?:y|ies)|corpses|injur\w*|wound\w*|hurt|casualt\w*|"
    r"captur\w*|prisoners?|POWs?|missing|displac\w*|fled|flee\w*|refugees?|evacu\w*|homeless|detain\w*|"
    r"arrest\w*|abduct\w*|kidnap\w*|hostages?|execut\w*|massacre\w*|perish\w*|slain|martyr\w*|victims?|"
    r"lives|murder\w*|assassinated|shot|beheaded|taken\s+prisoner|custody|apprehend\w*)\b", re.I)
PEOPLE_WORDS = re.compile(
    r"\b(?:people|persons?|civilians?|soldiers?|troops?|servicem[ae]n|fighters?|militants?|insurgents?|rebels?|"
    r"police(?:men)?|officers?|children|child|kids|boys?|girls?|women|woman|men|man|babies|infants|students?|"
    r"residents?|villagers?|worshippers|members|others|individuals|militiamen|gunmen|commanders?|leaders?|"
    r"journalists?|workers?|staff|patients|siblings|brothers|sisters|sons|daughters|relatives|family|families|"
    r"Palestinians|Israelis|Ukrainians|"
    r"Russians|Syrians|Yemenis|Iraqis|Afghans|Kenyans|migrants?|pilgrims?|passengers?|"
    r"hostages?|prisoners?|detainees?|guards?|personnel|recruits|teenagers?|minors?|elderly|adults?|"
    r"suspects?|terrorists?|jihadists?|combatants?|mercenaries|volunteers?|medics?|doctors?|nurses?|"
    r"associates|accomplices|bodyguards|facilitators|operatives)\b",
    re.I)
# the outcome a single word names; the first that matches wins
OUTCOME_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("killed", re.compile(r"^(?:kill\w*|dead|death\w*|died|die|dying|toll|bod(?:y|ies)|corpses|execut\w*|"
                          r"massacre\w*|perish\w*|slain|lives|murder\w*|assassinat\w*|beheaded|martyr\w*|fatalit\w*)$",
                          re.I)),
    ("injured", re.compile(r"^(?:injur\w*|wound\w*|hurt)$", re.I)),
    ("captured", re.compile(r"^(?:captur\w*|prisoners?|POWs?|custody)$", re.I)),
    ("missing", re.compile(r"^missing$", re.I)),
    ("displaced", re.compile(r"^(?:displac\w*|fled|flee\w*|refugees?|evacu\w*|homeless)$", re.I)),
    ("detained", re.compile(r"^(?:detain\w*|arrest\w*|detainees?|apprehend\w*)$", re.I)),
    ("other", re.compile(r"^(?:abduct\w*|kidnap\w*|hostages?|casualt\w*|victims?)$", re.I)),
)
CIVILIAN_WORDS = re.compile(r"^(?:civilians?|children|child|kids|boys?|girls?|women|woman|babies|infants|students?|"
                            r"residents?|villagers?|worshippers|pilgrims?|passengers?|patients|siblings|brothers|"
                            r"sisters|sons|daughters|relatives|families|"
                            r"journalists?|medics?|doctors?|nurses?|refugees?|migrants?|teenagers?|minors?|"
                            r"elderly)$", re.I)
MILITARY_WORDS = re.compile(r"^(?:soldiers?|troops?|servicem[ae]n|fighters?|militants?|insurgents?|rebels?|"
                            r"police(?:men)?|officers?|militiamen|gunmen|commanders?|combatants?|mercenaries|"
                            r"recruits|jihadists?|terrorists?|guards?|personnel|POWs?)$", re.I)
GROUP_WORDS = re.compile(r"^(?:people|persons?|individuals|others|men|man|members|adults?)$", re.I)

# --- section cues: sentences that may report a strike, a demand or talks --------------------------------
STRIKE_WORDS = re.compile(
    r"\b(?:strikes?|struck|air\s*strikes?|airstrikes?|air\s+raids?|raids?|bomb\w*|shell\w*|missiles?|rockets?|"
    r"drones?|attack\w*|hit|fired|shot|explosions?|blasts?|suicide|ambush\w*|assault\w*|barrage|"
    r"targeted|destroyed|offensive|mortar\w*|artillery|grenades?|IEDs?|gunfire|gunmen|stormed)\b", re.I)
# a continuing campaign, not one attack (the guide: one strike per distinct attack, a place and a time):
# "has been bombarding ... since March", "continuous attacks", "stepped up its attacks", "Since the war began"
CAMPAIGN_WORDS = re.compile(
    r"\b(?:has|have|had)\s+been\s+\w+ing\b[^.]*\bsince\b|\bcontinu(?:ous|ing|ed|es)\s+(?:attacks|strikes|shelling|"
    r"bombardment)|\bstep(?:ped|ping)\s+up\b|\b(?:has|have)\s+been\s+ongoing\b|^Since\b", re.I)
DEMAND_WORDS = re.compile(
    r"\b(?:call(?:ed|s|ing)?\s+(?:for|on|upon)|urg\w*|demand\w*|insist\w*|must|asked|ask(?:s|ing)?\s+for|"
    r"appeal\w*|ultimatum|request\w*|pressed|press(?:es|ing)?\s+for|should|"
    # imperatives addressed to another party: "give us planes", "Leave our land!" (a clause's first words)
    r"give\s+(?:me|us)|(?:(?<=^)|(?<=[\"\u201c])|(?<=[\"\u201c:;!.,] )|(?<=\bthen )|(?<=\bplease ))"
    r"(?:leave|get\s+out\s+of|withdraw\s+from)\s+(?:our|my)|"
    r"warn\w*\s+(?:that|of)|conditions?\s+for|precondition\w*|want(?:s|ed)?\s+(?:to|the))\b", re.I)
TALKS_WORDS = re.compile(
    r"\b(?:talks?|negotiat\w*|ceasefire|cease-fire|truce|peace|agreement|accord|mediat\w*|summit|"
    r"(?<!\bto\s)(?<!\bwill\s)(?<!\bcan\s)(?<!\bmust\s)deal|"  # the noun, not "to deal with"
    r"dialogue|humanitarian\s+pause|pause|prisoner\s+(?:exchange|swap)|exchange\s+of\s+prisoners|"
    r"round\s+of|envoy|proposal|peace\s+plan|framework|armistice|reconciliation|unity\s+government)\b", re.I)
