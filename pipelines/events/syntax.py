"""Reading the dependency parse the way the event rules need it: lemmas that survive tagging errors,
the verbs the model hung on nouns, agents, conjuncts and the objects of prepositions."""
from __future__ import annotations

from spacy.tokens import Span, Token

from pipelines.events import lexicon

SUBJECT_DEPS = {"nsubj", "csubj", "expl"}
PASSIVE_SUBJECT_DEPS = {"nsubjpass", "csubjpass"}


def verb_lemma(token: Token) -> str:
    """The verb lemma of a token, also when the model tagged a past participle as an adjective."""
    lemma = token.lemma_.lower()
    if token.pos_ in ("VERB", "AUX") or lemma in lexicon.VERBS:
        return lemma
    text = token.lower_
    for suffix, replacement in (("ied", "y"), ("ed", "e"), ("ed", ""), ("d", "")):
        if text.endswith(suffix):
            candidate = text[: -len(suffix)] + replacement
            if candidate in lexicon.VERBS:
                return candidate
            if len(candidate) > 2 and candidate[-1] == candidate[-2] and candidate[:-1] in lexicon.VERBS:
                return candidate[:-1]
    return lemma


def noun_lemma(token: Token) -> str:
    return token.lemma_.lower() if token.lower_ not in lexicon.NOUNS else token.lower_


def is_verbal(token: Token) -> bool:
    """Verbs, and participles the model tagged as adjectives or modifiers (VBD/VBN tags)."""
    return token.pos_ == "VERB" or token.tag_ in ("VBD", "VBN", "VBZ", "VBP", "VBG") or (
        token.pos_ == "ADJ" and token.lower_.endswith("ed") and verb_lemma(token) in lexicon.VERBS)


def misattached_finite_verb(verb: Token) -> bool:
    """A past-tense finite verb the model attached as a noun modifier: "the North test-fired two
    missiles" (amod), "Doctors from two aid groups donated goods" (acl). Such a verb is a main predicate.
    A participle (VBN) counts too when the noun phrase it hangs from is the root of the sentence: a news
    sentence is no bare noun phrase, so "A local paper urged on Monday ..." has "urged" as its predicate."""
    if verb.dep_ not in ("amod", "acl") or any(c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS for c in verb.children):
        return False
    return verb.tag_ == "VBD" or (verb.tag_ == "VBN" and verb.dep_ == "acl" and
                                  noun_phrase_root(verb.head).dep_ == "ROOT")


def noun_phrase_root(token: Token) -> Token:
    """The head of the whole noun phrase a token sits in ("groups" in "Doctors from two groups" -> Doctors)."""
    while token.dep_ in ("pobj", "prep", "compound", "amod", "nmod") and token.head.i != token.i and \
            token.head.pos_ in ("NOUN", "PROPN", "ADP", "PRON", "NUM"):
        token = token.head
    return token


def agent_of(verb: Token) -> list[Token]:
    for child in verb.children:
        if child.dep_ == "agent":
            return [g for g in child.children if g.dep_ == "pobj"]
    return []


def preposition_objects(head: Token, prepositions: tuple[str, ...]) -> list[Token]:
    found = []
    for prep in prepositions:
        for child in head.children:
            if child.dep_ in ("prep", "prt", "agent") and child.lower_ == prep:
                found.extend(g for g in child.children if g.dep_ == "pobj" and g.ent_type_ not in ("DATE", "TIME"))
    return found


def conjunct_tokens(token: Token) -> list[Token]:
    found = [token]
    for child in token.children:
        if child.dep_ == "conj":
            found.extend(conjunct_tokens(child))
    return found


def main_subject(sentence: Span) -> Token | None:
    root = sentence.root
    for child in root.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    return None
