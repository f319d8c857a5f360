"""A cheap first pass: most news paragraphs hold no word our lexicon could read as a trigger, and the parser
and entity recognizer, the expensive part of spaCy, need not run on them. The screen knows every written
form of every trigger word (inflections by rule, irregular forms from the model's own lemmatizer tables)
and passes a paragraph on when one of them, or both words of a verb + object or phrasal pair, occur in it.
It is a superset test: a paragraph it holds back has no match in triggers.find_triggers. It also tells
apart the sentences whose only candidates are reporting verbs ("said", "told"): those need the parse for
the speaker but not the entity recognizer, which costs as much as the rest of the pipeline."""
from __future__ import annotations

import re

from spacy.language import Language

from pipelines.events import lexicon

# "X said Y must do Z" is a trigger when a reporting verb governs the auxiliary: both words must occur.
OBLIGATION_WORDS = {"must", "should"}
REPORTING_WORDS = "conclude insist say announce state declare stress".split()
# (A failing negotiation, "the talks collapsed", needs an event noun as subject, which the screen passes.)
VOWELS = set("aeiou")
WORD = re.compile(r"[a-z][a-z'-]*")
NOTHING, STATEMENT_ONLY, EVENT = 0, 1, 2
# A sentence end: . ! or ? (and a closing quote or bracket), space, then a capital, a digit or an opening quote.
SENTENCE_END = re.compile(r"""[.!?]["'\u201d\u2019)]?\s+(?=["'\u201c\u2018(]?[A-Z0-9])""")
# Words before a full stop that does not end a sentence.
ABBREVIATIONS = set("mr mrs ms dr st gen lt col sgt capt maj rev prof sen rep gov jr sr inc co corp ltd no vs "
                    "u.s u.k u.n e.g i.e jan feb aug sept oct nov dec".split())


def plurals(noun: str) -> set[str]:
    forms = {noun, noun + "s", noun + "es"}
    return forms | {noun[:-1] + "ies"} if noun.endswith("y") else forms


def inflections(lemma: str) -> set[str]:
    """The regular forms of an English verb (a superset: some are not words)."""
    forms = {lemma, lemma + "s", lemma + "es", lemma + "d", lemma + "ed", lemma + "ing"}
    if lemma.endswith("e"):
        forms |= {lemma[:-1] + "ing", lemma[:-1] + "ed"}
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if len(lemma) > 2 and lemma[-1] not in VOWELS | {"w", "x", "y"} and lemma[-2] in VOWELS:
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of a paragraph, cut only where a sentence surely ends; an initial
    ("J. Smith") or a title ("Mr. Smith") is no end."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        before = text[start:match.start() + 1].split()
        last = before[-1].rstrip(".").lower() if before else ""
        if len(last) <= 1 or last in ABBREVIATIONS:
            continue
        spans.append((start, match.start() + 1 + len(match.group(0)[1:].rstrip())))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


class TriggerScreen:
    """Tells whether a text could hold a trigger, from its words alone."""

    def __init__(self, nlp: Language):
        irregular = self._irregular_forms(nlp)
        self.forms: set[str] = set(lexicon.WILLING_ADJECTIVES)
        self.statement_forms: set[str] = set()
        for verb, sense in lexicon.VERBS.items():
            if sense.event_type == "STATEMENT":
                self.statement_forms |= self._forms(verb, irregular)
            else:
                self.forms |= self._forms(verb, irregular)
        for noun in set(lexicon.NOUNS) | set(lexicon.QUALIFIED_NOUNS) | {p[0] for p in lexicon.PHRASE_NOUNS}:
            self.forms |= plurals(noun) | irregular.get(noun, set())
        for forms in lexicon.HYPHENATED_VERBS.values():
            self.forms |= set(forms)
        # verb + object and phrasal verb pairs, obligations under a reporting verb: both words must occur
        self.pairs: list[tuple[set[str], set[str]]] = [
            (self._forms(verb, irregular), plurals(second) | self._forms(second, irregular))
            for verb, second in set(lexicon.VERB_OBJECT) | set(lexicon.PHRASAL)]
        self.pairs.append((OBLIGATION_WORDS, {f for word in REPORTING_WORDS for f in self._forms(word, irregular)}))

    @staticmethod
    def _irregular_forms(nlp: Language) -> dict[str, set[str]]:
        """lemma -> irregular forms, from the lemmatizer's exception tables when the model has them."""
        found: dict[str, set[str]] = {}
        if "lemmatizer" not in nlp.pipe_names or not hasattr(nlp.get_pipe("lemmatizer"), "lookups"):
            return found
        lookups = nlp.get_pipe("lemmatizer").lookups
        if not lookups.has_table("lemma_exc"):
            return found
        table = lookups.get_table("lemma_exc")
        for pos in ("verb", "noun", "adj"):
            if pos not in table:
                continue
            for form, lemmas in table[pos].items():
                for lemma in lemmas:
                    found.setdefault(lemma, set()).add(form)
        return found

    @staticmethod
    def _forms(word: str, irregular: dict[str, set[str]]) -> set[str]:
        return inflections(word) | irregular.get(word, set())

    def __call__(self, text: str) -> int:
        """EVENT when the text could hold a trigger of another type than STATEMENT, STATEMENT_ONLY when it
        could hold only reporting verbs, NOTHING when no trigger at all."""
        words = set(WORD.findall(text.lower()))
        words |= {part for word in words if "-" in word for part in word.split("-")}
        if words & self.forms or any(first & words and second & words for first, second in self.pairs):
            return EVENT
        return STATEMENT_ONLY if words & self.statement_forms else NOTHING
