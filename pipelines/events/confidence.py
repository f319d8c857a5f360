"""Confidence of an event: lexical strength, raised by a main-clause position and found actors, lowered
when the event is only the complement of another; a reporting verb ranks below what it reports."""
from __future__ import annotations

from spacy.tokens import Span, Token

from pipelines.events import lexicon
from pipelines.events.lexicon import Sense
from pipelines.events.modality import is_mandative
from pipelines.events.syntax import misattached_finite_verb, verb_lemma
from pipelines.events.triggers import Trigger, predicate_of

SUBORDINATE_DEPS = {"advcl", "relcl", "acl", "pcomp", "csubj", "prep", "pobj", "npadvmod", "amod", "compound"}
MIN_CONFIDENCE, MAX_CONFIDENCE = 0.05, 0.99
# A reporting verb frames the events it reports: it ranks below any of them.
STATEMENT_CONFIDENCE = 0.2
# The least a strong harm noun gets: measured right 0.8-0.85 of the time on the build halves at any position.
HARM_NOUN_CONFIDENCE = 0.55
# What "would", "could", "if" take off: a hypothetical event falls below the 0.5 a user filters at.
HYPOTHETICAL_PENALTY = 0.3
HYPOTHETICAL_MAX = 0.45


def clamp(value: float) -> float:
    return round(min(MAX_CONFIDENCE, max(MIN_CONFIDENCE, value)), 3)


def governing_trigger(trigger: Trigger, triggers: list[Trigger]) -> Trigger | None:
    """The nearest other trigger above this one in the parse, unless that is a reporting verb."""
    by_token = {t.token.i: t for t in triggers if t is not trigger}
    for ancestor in predicate_of(trigger).ancestors:
        other = by_token.get(ancestor.i)
        if other is not None:
            if other.sense.event_type == "STATEMENT":
                return None
            return other
    return None


def clause_depth(token: Token) -> int:
    """How many subordinate links lie between a predicate and the main clause (reporting verbs skipped)."""
    depth = 0
    current = token
    while current.dep_ != "ROOT" and current.head.i != current.i and not misattached_finite_verb(current):
        if current.dep_ == "ccomp" and lexicon.VERBS.get(verb_lemma(current.head), Sense("", 0)).event_type \
                == "STATEMENT":
            pass
        elif current.dep_ in ("conj", "xcomp", "aux", "auxpass", "prt", "dobj", "nsubjpass", "attr"):
            pass
        elif current.dep_ == "ccomp":
            depth += 1
        elif current.dep_ in SUBORDINATE_DEPS or current.dep_ in ("nsubj", "advmod", "dep", "parataxis"):
            depth += 1
        current = current.head
    return depth


def confidence_of(trigger: Trigger, governor: Trigger | None, sentence: Span, has_source: bool, has_target: bool,
                  negated: bool) -> float:
    """Lexical strength, raised by a main-clause position and found actors, lowered when the event is
    only the complement or modifier of another event. A reporting verb ranks below what it reports."""
    if trigger.sense.event_type == "STATEMENT":
        return clamp(STATEMENT_CONFIDENCE + (0.05 if has_source else 0.0))
    score = trigger.sense.strength
    if trigger.kind == "noun" and trigger.light_verb is not None:
        score += 0.1
    depth = clause_depth(predicate_of(trigger))
    score += 0.15 if depth == 0 else -0.08 * min(depth, 3)
    if governor is not None or is_mandative(predicate_of(trigger)):
        score -= 0.25
    if trigger.kind == "noun" and trigger.light_verb is None and trigger.token.dep_ in ("pobj", "poss", "nsubj"):
        score -= 0.1
    score += 0.08 if has_source else 0.0
    score += 0.05 if has_target else 0.0
    if negated:
        score -= 0.05
    if trigger.kind == "noun" and trigger.sense.event_type in ("ASSAULT", "COERCE") and trigger.sense.strength >= 0.6:
        # "the bombing", "the arrest": a strong harm noun names a real event wherever it sits in the sentence
        score = max(score, HARM_NOUN_CONFIDENCE)
    return clamp(max(score, STATEMENT_CONFIDENCE + 0.1))
