"""Mode and negation of an event: asserted, intended or hypothetical, from auxiliaries, conditionals and
the verbs that govern the trigger; negated by "not", "no", "failed to", "without"."""
from __future__ import annotations

from spacy.tokens import Token

from pipelines.events import lexicon
from pipelines.events.syntax import SUBJECT_DEPS, verb_lemma
from pipelines.events.triggers import Trigger, predicate_of

NEGATIONS = {"not", "n't", "never", "no"}


def is_mandative(verb: Token) -> bool:
    """A bare-infinitive verb with its own subject in a "that" clause ("demanded that Israel ease"): the
    event is what someone asks for, not what happened."""
    return verb.tag_ == "VB" and verb.dep_ in ("ccomp", "acl", "advcl") and not _aux_words(verb) and any(
        c.dep_ in SUBJECT_DEPS for c in verb.children)


def _aux_words(verb: Token) -> set[str]:
    return {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}


def mode_of(trigger: Trigger) -> str:
    """asserted | intended ("will", "plans to", "promised to") | hypothetical ("would", "if", "could")."""
    verb = predicate_of(trigger)
    if trigger.kind == "noun" and trigger.light_verb is None:
        verb = trigger.token.head if trigger.token.head.pos_ in ("VERB", "AUX") else trigger.token
    if trigger.kind == "adjective":
        return "asserted"
    if is_mandative(verb):
        return "intended"
    current = verb
    while True:
        aux = _aux_words(current)
        if any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in current.children):
            return "hypothetical"
        if aux & lexicon.FUTURE_AUX:
            return "intended"
        if aux & {"would", "'d"}:
            reported = current.dep_ == "ccomp" and verb_lemma(current.head) in lexicon.VERBS and \
                lexicon.VERBS[verb_lemma(current.head)].event_type == "STATEMENT"
            return "intended" if reported else "hypothetical"
        if aux & lexicon.HYPOTHETICAL_AUX:
            return "hypothetical"
        if any(c.lower_ == "going" and c.dep_ == "aux" for c in current.children):
            return "intended"
        if current.dep_ == "xcomp":
            head = current.head
            if verb_lemma(head) in lexicon.INTENT_VERBS or head.lower_ in lexicon.WILLING_ADJECTIVES or \
                    head.lower_ == "going":
                return "intended"
            current = head
            continue
        if current.dep_ == "acl" and current.head.lemma_.lower() in ("plan", "willingness", "intention", "bid",
                                                                     "readiness", "decision", "offer", "promise"):
            return "intended"
        return "asserted"


def is_negated(trigger: Trigger) -> bool:
    """ "did not agree", "never met", "failed to reach", "without committing"."""
    verb = predicate_of(trigger)
    if any(c.dep_ == "neg" or (c.lower_ in NEGATIONS and c.dep_ in ("advmod", "neg")) for c in verb.children):
        return True
    if trigger.kind == "noun" and any(c.lower_ == "no" and c.dep_ == "det" for c in trigger.token.children):
        return True
    if verb.dep_ == "xcomp" and verb_lemma(verb.head) == "fail":
        return True
    if verb.dep_ == "pcomp" and verb.head.lower_ == "without":
        return True
    return False
