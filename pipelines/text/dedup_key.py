"""The comparison key of a paragraph: the text that survives the edits wire copy goes through.

Syndicated copies differ from their original by datelines, agency credits, HTML entities, quote and
dash styles, spacing, British/American spelling and unit spellings ("4%" / "4 per cent", "$2bn" /
"$2 billion"). `analyze` removes all of that, so shingles of the key only see the wording. Digits are
kept: a changed figure must still lower the similarity, and the `Facts` (numbers and names) are what
the verification step compares, because a running story republished with new figures or new names is
news, not a duplicate.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from typing import NamedTuple

# Wire agencies whose credit is appended to syndicated paragraphs: "(AP)", "- Reuters".
AGENCIES = (
    "AAP", "AFP", "ANSA", "AP", "APA", "Anadolu", "Antara", "Bernama", "Bloomberg", "CNA", "dpa", "EFE",
    "IANS", "Interfax", "Kyodo", "Lusa", "PA", "PTI", "Reuters", "RIA", "TASS", "UPI", "Xinhua", "Yonhap",
)
_AGENCY = "|".join(sorted((re.escape(a) for a in AGENCIES), key=len, reverse=True))
_DASH = "[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]"

# "PARIS (AFP) - ", "NEW YORK, Jan 5 (Reuters) - ", "SEOUL (Yonhap) -- ", "LONDON -- ".
DATELINE = re.compile(
    rf"[A-Z][A-Z.'-]+(?:\s+[A-Z][A-Z.'-]+){{0,3}}"
    rf"(?:,\s*[A-Z][a-z]{{2,8}}\.?\s+\d{{1,2}})?"
    rf"(?:\s*\([^()\n]{{1,30}}\)\s*{_DASH}{{1,2}}|\s+{_DASH}{{2}}|\s+\u2014)\s+"
)
# "... said. (AP)", "... in Dublin. - Reuters"
CREDIT = re.compile(rf"\s*(?:\(\s*(?:{_AGENCY})\s*\)|\s{_DASH}{{1,2}}\s*(?:{_AGENCY}))\s*$", re.IGNORECASE)
CREDIT_TAIL = 24

QUOTE_STYLES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
}
# One pass that touches only the quote characters (str.translate looks up every character of the text).
QUOTE_CHARACTERS = re.compile("[" + "".join(QUOTE_STYLES) + "]")
NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13",
    "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18",
    "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60",
    "seventy": "70", "eighty": "80", "ninety": "90", "hundred": "100",
}
# Unit spellings after a figure: "$2bn" and "$2 billion" are the same wording.
UNIT_WORDS = {"bn": "billion", "b": "billion", "tn": "trillion", "trn": "trillion", "m": "million",
              "mn": "million", "k": "thousand", "pct": "percent", "%": "percent"}
# British spellings folded to one form ("favour", "centre", "organise", "travelled", "defence", "programme").
SPELLING_RULES = (
    (re.compile(r"(?<=..)our(s|ed|ing|ite|ites|able)?$"), r"or\1"),
    (re.compile(r"(?<=..[bcdfghklmnpstvz])re(s|d)?$"), r"er\1"),
    (re.compile(r"(?<=..)is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=..)ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"(?<=.[aeiou])ll(ed|ing|er|ers)$"), r"l\1"),
    (re.compile(r"(?<=.)ence(s)?$"), r"ense\1"),
    (re.compile(r"(?<=..)ogue(s)?$"), r"og\1"),
    (re.compile(r"(?<=..)amme(s)?$"), r"am\1"),
)
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
UNITS = re.compile(r"(?<=\d)\s?(bn|b|tn|trn|mn|m|k|pct)\b")
PER_CENT = re.compile(r"\s?%|\bper cent\b")
# Numbers (with decimals) and words; everything else separates them.
WORD = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")
CAPITALIZED = re.compile(r"[A-Z][^\W_]*")
# A capitalized word that opens a sentence, a quote, a parenthesis or a list item is not a name.
OPENING = re.compile(r"[.!?;:\"(\[-] ?([A-Z][^\W_]*)")


# Words that turn an act into a non-act, by group: a copy may lose one (a trimmed sentence) but never
# gains one, since "has banned" and "has threatened to ban", or "will attend" and "will not attend",
# are different news even when every other word is the same. Synonyms share a group, so an editor's
# swap ("plans to" -> "intends to") adds nothing; hedges ("can" -> "could") are left out for that reason.
STANCE_GROUPS = (
    ("not", "no", "never", "nor", "neither", "none", "nobody", "nothing", "without", "cannot", "dont", "doesnt",
     "didnt", "isnt", "arent", "wasnt", "werent", "hasnt", "havent", "hadnt", "wont", "wouldnt", "cant",
     "couldnt", "shouldnt", "mustnt"),
    ("threaten", "threatens", "threatened", "threatening"),
    ("plan", "plans", "planned", "planning", "intend", "intends", "intended", "intending", "aim", "aims",
     "aimed", "aiming"),
)
STANCE_BITS = {word: 1 << group for group, words in enumerate(STANCE_GROUPS) for word in words}


def stance_of(words: list[str]) -> int:
    """Bit mask of the stance groups (negation, threat, intent) whose words occur."""
    mask = 0
    for word in words:
        mask |= STANCE_BITS.get(word, 0)
    return mask


class Facts(NamedTuple):
    """The figures and names of a paragraph: a copy may drop some, but never replace one with another.

    `digits` is every digit of the paragraph in reading order: a typo that moves a letter into a figure
    ("$4b0n") splits the number but leaves the digits as they were. `stance` is the mask of stance
    groups (STANCE_GROUPS) the paragraph uses: a copy never adds one.
    """

    numbers: tuple[str, ...]
    names: tuple[str, ...]
    digits: str
    stance: int


class ParagraphKey(NamedTuple):
    """What the dedup compares: the normalized key (shingled), its words, and the facts."""

    key: str
    facts: Facts


def clean_text(text: str) -> str:
    """Entities decoded, unicode compatibility forms folded, quote styles unified, spacing collapsed."""
    if "&" in text:
        text = html.unescape(html.unescape(text))
    if not text.isascii():
        text = QUOTE_CHARACTERS.sub(lambda quote: QUOTE_STYLES[quote.group()], unicodedata.normalize("NFKC", text))
    return " ".join(text.split())


def strip_wire_marks(text: str) -> str:
    """The paragraph without a leading dateline or a trailing agency credit."""
    dateline = DATELINE.match(text)
    if dateline and dateline.end() < len(text):
        text = text[dateline.end():]
    head, tail = text[:-CREDIT_TAIL], text[-CREDIT_TAIL:]
    credit = CREDIT.search(tail)
    if credit and (head or credit.start() > 0):
        text = head + tail[:credit.start()]
    return text


def fold_word(word: str) -> str:
    """One lowercase word in its canonical spelling (number words as digits, British spellings folded)."""
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    if len(word) > 4:
        for pattern, replacement in SPELLING_RULES:
            folded, count = pattern.subn(replacement, word)
            if count:
                return folded
    return word


class _FoldedWords(dict):
    """word -> fold_word(word), filled on first use (the vocabulary of news is small)."""

    def __missing__(self, word: str) -> str:
        folded = fold_word(word)
        if len(self) < FOLD_CACHE_SIZE:
            self[word] = folded
        return folded


FOLD_CACHE_SIZE = 500_000
_FOLDED = _FoldedWords()


def names_of(text: str) -> list[str]:
    """Capitalized words that do not open a sentence (acronyms count anywhere), casefolded."""
    openings = Counter(word for word in OPENING.findall(". " + text) if not (len(word) > 1 and word.isupper()))
    names = Counter(CAPITALIZED.findall(text)) - openings
    return [name.casefold() for name in names.elements()]


def analyze(text: str) -> ParagraphKey:
    """The comparison key (casefolded words in canonical spelling, punctuation dropped) and the facts."""
    text = strip_wire_marks(clean_text(text)).replace("'", "")
    if "," in text:
        text = THOUSANDS.sub("", text)
    lowered = text.casefold()
    if "%" in lowered or "per cent" in lowered:
        lowered = PER_CENT.sub(" percent", lowered)
    if any(c.isdigit() for c in lowered):
        lowered = UNITS.sub(lambda m: " " + UNIT_WORDS[m.group(1)], lowered)
    words = list(map(_FOLDED.__getitem__, WORD.findall(lowered)))
    numbers = [w for w in words if w[0].isdigit()]
    digits = "".join(numbers).replace(".", "")
    facts = Facts(tuple(sorted(numbers)), tuple(sorted(names_of(text))), digits, stance_of(words))
    return ParagraphKey(" ".join(words), facts)


def comparison_key(text: str) -> str:
    """The aggressive normalized key two near-duplicate paragraphs share."""
    return analyze(text).key
