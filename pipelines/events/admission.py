"""Which trigger matches become events: the match must be an event between actors, not told in fiction,
no accident, no sport or show-business figure of speech, and directed at a party rather than at a thing."""
from __future__ import annotations

from spacy.tokens import Span, Token

from pipelines.events import eventive, lexicon
from pipelines.events.actors import is_pronoun
from pipelines.events.parties import is_act, is_inanimate, is_place, names_actor
from pipelines.events.syntax import misattached_finite_verb, noun_lemma, preposition_objects, verb_lemma
from pipelines.events.triggers import Trigger, predicate_of, verb_object_sense

# Types whose weak verbs take an act or a document as object ("approved the law", "opposed the plan");
# the rest need a party ("received a delegation", not "received a boost").
ACT_OBJECT_TYPES = {"AGREE", "CONCEDE", "REJECT", "SUPPORT", "REQUEST", "ACCUSE", "SANCTION"}


def eventive_event(trigger: Trigger, event_type: str, sources: list[tuple[str, Token]],
                   targets: list[tuple[str, Token]], sentence: Span) -> bool:
    """Whether the match is an event between actors: not told inside fiction, no accident, no sport or
    show-business metaphor, acted by an actor (or a weapon, for harm) and directed at an actor or place
    rather than at a thing."""
    if event_type == "STATEMENT":
        return True
    if trigger.kind == "obligation":
        return any(names_actor(head) or head.lower_ in eventive.PERSONAL_PRONOUNS for _, head in targets)
    predicate = predicate_of(trigger)
    if eventive.in_fiction(trigger.token) or eventive.in_fiction(predicate) or \
            eventive.declines_to_comment(trigger.token):
        return False
    hostile = event_type in lexicon.HOSTILE_TYPES
    if event_type == "ASSAULT" and (eventive.accidental(trigger.token) or eventive.is_illness(trigger.token) or
                                    eventive.hurt_body(trigger.token)):
        return False
    if trigger.kind == "noun" and trigger.token.lower_ == "trials":
        # "the European indoor trials": selection contests; a court case is "the trial" of someone
        return False
    weak = trigger.sense.strength < 0.6 and len(trigger.tokens) == 1
    if eventive.sport_report(sentence) and (event_type not in eventive.SPORT_EVENT_TYPES or weak):
        return False
    directed = [head for _, head in targets
                if hostile or not (head.dep_ == "pobj" and head.head.lower_ in ("in", "at"))]
    actor_target = any(names_actor(head) or hostile and is_place(head) for head in directed)
    actor_source = any(names_actor(head) for _, head in sources)
    if event_type in ("ASSAULT", "MOBILIZE", "THREATEN") and eventive.arts_report(sentence) and (
            weak or not any(names_actor(head) for head in directed)):
        return False
    subject = next((c for c in predicate.children if c.dep_ == "nsubj"), None)
    harm = hostile or event_type == "THREATEN"
    if subject is not None and not is_pronoun(subject) and not names_actor(subject) and not (
            harm and (eventive.is_weapon(subject) or noun_lemma(subject) in lexicon.NOUNS)):
        return False
    if trigger.kind == "noun" and event_type == "ASSAULT" and weak and personal_contest(trigger, targets):
        return False
    if trigger.kind == "noun":
        return noun_event(trigger, event_type, actor_source, actor_target, weak, sentence)
    in_trigger = {t.i for t in trigger.tokens}
    lemma = verb_lemma(trigger.token)
    object_deps = ("dobj", "nsubjpass") if trigger.kind == "verb" else ("dobj",)
    objects = [c for c in trigger.token.children if c.dep_ in object_deps and c.i not in in_trigger
               and verb_object_sense(lemma, c) is None]
    if trigger.kind == "verb" and trigger.token.tag_ == "VBN" and trigger.token.dep_ == "acl" and \
            not misattached_finite_verb(trigger.token):
        # "hotspots offered by companies": the noun a participle describes is what the act is done to
        objects.append(trigger.token.head)
    things = [o for o in objects if is_inanimate(o)]
    if things and lemma == "demonstrate":
        # "demonstrated a new phone", "the prototypes will be demonstrated": shown, not protested
        return False
    if things and not actor_target and not (hostile and actor_source and not any(map(eventive.is_thing, things))):
        return False
    if weak:
        return actor_target or any(is_place(o) or is_pronoun(o) or hostile and eventive.is_weapon(o) or
                                   is_act(o) and event_type in ACT_OBJECT_TYPES for o in objects) \
            or (not objects and (actor_source or any(
            s.lower_ in eventive.PERSONAL_PRONOUNS for s in trigger.token.children if s.dep_ == "nsubj")))
    return True


def personal_contest(trigger: Trigger, targets: list[tuple[str, Token]]) -> bool:
    """ "an epic battle with Radcliffe", "his long fight with Hughes": a weak harm noun directed only at
    persons by name, with no weapon in the sentence, is a contest (a race, a court case, an election)."""
    heads = [head for _, head in targets]
    return bool(heads) and all(head.ent_type_ == "PERSON" for head in heads) and not any(
        eventive.is_weapon(token) for token in trigger.token.sent)


def noun_event(trigger: Trigger, event_type: str, actor_source: bool, actor_target: bool, weak: bool,
               sentence: Span) -> bool:
    """An event noun needs a party, except an attack or protest told without one ("the bombing"); a thing
    after "of" makes it a figure of speech ("an explosion of portable media")."""
    of_objects = preposition_objects(trigger.token, ("of",))
    if any(is_inanimate(o) and not eventive.is_weapon(o) for o in of_objects) and not actor_target:
        return False
    if actor_target or actor_source and not (weak and event_type in ("CONCEDE", "AID")):
        return True
    return event_type in ("ASSAULT", "PROTEST") and not weak and not eventive.arts_report(sentence)
