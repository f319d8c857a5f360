"""Participants of an event: its sources (who acts) and targets (whom it is directed at), from the
parse around the trigger, through passives, control verbs, coordination, light verbs and pronouns."""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from pipelines.events import eventive, lexicon
from pipelines.events.actors import is_pronoun, mentions
from pipelines.events.countries import is_country_word
from pipelines.events.lexicon import Sense
from pipelines.events.parties import agents_inside, is_actor_like
from pipelines.events.syntax import (
    PASSIVE_SUBJECT_DEPS,
    SUBJECT_DEPS,
    agent_of,
    conjunct_tokens,
    is_verbal,
    misattached_finite_verb,
    noun_lemma,
    noun_phrase_root,
    preposition_objects,
    verb_lemma,
)
from pipelines.events.triggers import Trigger

# Verbs whose object is also the subject of their infinitive: "urged Israel to ease" (Israel eases).
# Passives that describe a state of the subject, not something done to it: "Vietnam is committed to".
STATIVE_PASSIVES = {"commit", "prepare", "determine", "resolve", "dispose"}
OBJECT_CONTROL = set("urge ask order force allow tell persuade invite call press instruct encourage "
                     "compel oblige require permit help".split())
# Prepositions that introduce the target of an event, by type (the first found wins).
TARGET_PREPOSITIONS = {
    "CONSULT": ("with", "between"),
    "AGREE": ("with", "to"),
    "SUPPORT": ("for", "with", "to"),
    "COOPERATE": ("with", "to"),
    "AID": ("to", "for"),
    "CONCEDE": ("to",),
    "RETREAT": ("from",),
    "REQUEST": ("on", "upon", "of", "from", "to"),
    "ACCUSE": ("against", "on", "with", "of"),
    "REJECT": ("from", "by"),
    "THREATEN": ("against", "to", "on"),
    "PROTEST": ("against", "at", "outside", "over"),
    "MOBILIZE": ("against", "to", "into", "toward", "towards"),
    "SANCTION": ("against", "on", "with", "from"),
    "COERCE": ("against", "on", "from"),
    "ASSAULT": ("against", "on", "at", "into", "in"),
    "STATEMENT": ("to",),
}
# Prepositions that place an event; "to" only for movement ("traveled to the DMZ").
GENERAL_TARGET_PREPOSITIONS = ("to", "with", "against", "on", "from", "for", "at", "into", "toward", "towards", "over")
OBJECT_TARGET_PREPOSITIONS = ("of", "on", "to", "for", "against", "with", "from", "in")
NOT_ACTOR_ENTITIES = {"DATE", "TIME"}
# Types whose direct object is usually the actor's own forces ("withdraw its troops from Lebanon").
OWN_FORCES_TYPES = {"RETREAT", "MOBILIZE"}
COMMISSIVE = {"AGREE", "THREATEN", "REJECT", "REQUEST"}


@dataclass
class ArticleState:
    """What carries across the paragraphs of one article: person names and the last subject seen,
    for pronouns and for names the model labels inconsistently."""

    person_names: set[str] = field(default_factory=set)
    last_subject: tuple[str, Token] | None = None


def participants(trigger: Trigger, event_type: str, state: ArticleState) -> tuple[list, list]:
    """(sources, targets) as lists of (text, head token)."""
    if trigger.kind == "noun":
        sources, targets = noun_participants(trigger, event_type)
    elif trigger.kind == "obligation":
        sources, targets = obligation_participants(trigger)
    else:
        sources, targets = verb_participants(trigger, event_type)
    target_heads = {t.i for t in targets}
    sources = [resolved for head in sources for resolved in resolve_mention(head, trigger, state)
               if resolved[1].i not in target_heads and resolved[1].ent_type_ not in NOT_ACTOR_ENTITIES]
    targets = [m for head in targets for m in mentions(head, {"of"}) if not is_pronoun(head)
               and m[1].ent_type_ not in NOT_ACTOR_ENTITIES and not eventive.is_thing(m[1])]
    seen = {text for text, _ in sources}
    return sources, [(text, head) for text, head in targets if text not in seen]


def resolve_mention(head: Token, trigger: Trigger, state: ArticleState) -> list[tuple[str, Token]]:
    """Mentions of a participant; a pronoun is replaced by what it stands for where the parse shows it."""
    if not is_pronoun(head):
        return mentions(head)
    antecedent = pronoun_antecedent(head)
    if antecedent is not None:
        return mentions(antecedent)
    if state.last_subject is not None and head.lower_ in ("he", "she", "it", "they", "his", "her", "its", "their"):
        return [state.last_subject]
    return []


def pronoun_antecedent(pronoun: Token) -> Token | None:
    """What a pronoun stands for where the parse shows it: the noun a relative pronoun modifies, else the
    nearest non-pronoun subject of a clause above it ("Uganda said it had paid" -> Uganda; "the diplomats
    held their first meeting" -> the diplomats)."""
    if pronoun.lower_ in ("who", "which", "that", "whom") and pronoun.head.dep_ == "relcl":
        return pronoun.head.head
    for ancestor in pronoun.ancestors:
        if ancestor.pos_ not in ("VERB", "AUX"):
            continue
        subjects, passive = subject_of(ancestor)
        for subject in subjects:
            if not is_pronoun(subject) and subject.i < pronoun.i and not passive and \
                    pronoun.i not in {t.i for t in subject.subtree}:
                return subject
    return None


def subject_of(verb: Token, depth: int = 0) -> tuple[list[Token], bool]:
    """(subject heads, passive?) of a verb, inherited through control, coordination and participles."""
    if depth > 6:
        return [], False
    subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.dep_ != "expl"]
    if subjects:
        return subjects, False
    passive = [c for c in verb.children if c.dep_ in PASSIVE_SUBJECT_DEPS]
    if passive:
        if verb_lemma(verb) in STATIVE_PASSIVES and not agent_of(verb):
            return passive, False
        return passive, True
    head = verb.head
    if head.i == verb.i:
        return [], False
    if misattached_finite_verb(verb):
        if verb.dep_ == "acl":
            return [noun_phrase_root(head)], False
        before = [t for t in list(verb.children) + list(head.children)
                  if t.i < verb.i and t.pos_ in ("PROPN", "NOUN") and t.dep_ != "compound"]
        return ([max(before, key=lambda t: t.i)], False) if before else ([], False)
    if verb.dep_ == "xcomp":
        if verb_lemma(head) in OBJECT_CONTROL:
            objects = [c for c in head.children if c.dep_ in ("dobj", "dative")]
            if objects:
                return objects, False
        if head.pos_ == "ADJ":
            return subject_of(head.head, depth + 1) if head.dep_ in ("acomp", "amod") else ([], False)
        return subject_of(head, depth + 1)
    if verb.dep_ in ("conj", "advcl", "pcomp"):
        found, passive = subject_of(head if verb.dep_ != "pcomp" else head.head, depth + 1)
        if passive and verb.dep_ == "advcl":
            agent = agent_of(head)
            return (agent, False) if agent else ([], False)
        return found, passive if verb.dep_ == "conj" else False
    if verb.dep_ == "acl" and head.pos_ in ("NOUN", "PROPN") and verb.tag_ == "VBG":
        if not is_actor_like(head) and head.dep_ in ("dobj", "attr") and head.head.pos_ in ("VERB", "AUX"):
            return subject_of(head.head, depth + 1)
        return [head], False
    if verb.dep_ == "relcl":
        return [head], False
    return [], False


def pick_targets(head: Token, objects: list[Token], event_type: str, extra_heads: tuple[Token, ...] = ()
                 ) -> list[Token]:
    """The party an event is directed at: an actor-like object first, then an actor named in a
    prepositional phrase of the predicate, then the party behind a proposal or ban the event answers,
    then an actor inside the object ("lift the ban on the FIS"), else the object itself."""
    heads = (head, *extra_heads)
    if event_type in OWN_FORCES_TYPES:
        found = [o for h in heads for o in preposition_objects(h, TARGET_PREPOSITIONS[event_type])
                 if is_actor_like(o)]
        if found:
            return found
    actors = [o for o in objects if is_actor_like(o)]
    if actors:
        return actors
    for prepositions in (TARGET_PREPOSITIONS.get(event_type, ()), GENERAL_TARGET_PREPOSITIONS):
        found = [o for h in heads for o in preposition_objects(h, prepositions) if is_actor_like(o)]
        if found:
            return found
    inner = objects + [o for h in heads for o in preposition_objects(h, TARGET_PREPOSITIONS.get(event_type, ()))]
    for obj in inner:
        found = agents_inside(obj)
        if found:
            return found
    for obj in inner:
        found = named_party_inside(obj)
        if found:
            return found
    found = [o for o in preposition_objects(head, ("in",)) if is_actor_like(o)]
    if found:
        return found
    return objects or preposition_objects(head, TARGET_PREPOSITIONS.get(event_type, ()))


def named_party_inside(phrase: Token, depth: int = 0) -> list[Token]:
    """The first actor named in the prepositional phrases of an object, nearest first ("an extension of
    the mandate for the force in Lebanon" -> Lebanon)."""
    if depth > 3:
        return []
    objects = preposition_objects(phrase, OBJECT_TARGET_PREPOSITIONS)
    found = [o for o in objects if is_actor_like(o)]
    if found:
        return found
    for obj in objects:
        found = named_party_inside(obj, depth + 1)
        if found:
            return found
    return []


def elaboration_targets(predicate: Token, event_type: str) -> list[Token]:
    """Targets from a clause or phrase that restates the same event: "began a hunger strike to protest
    against X", "staged a strike in protest against X"."""
    for child in predicate.children:
        candidates = []
        if child.dep_ in ("advcl", "xcomp") and lexicon.VERBS.get(verb_lemma(child), Sense("", 0)).event_type \
                == event_type:
            candidates = [child]
        elif child.dep_ == "prep":
            candidates = [g for g in child.children if g.dep_ == "pobj" and
                          lexicon.NOUNS.get(noun_lemma(g), Sense("", 0)).event_type == event_type]
        for clause in candidates:
            objects = [c for c in clause.children if c.dep_ in ("dobj", "dative")]
            found = [t for t in pick_targets(clause, objects, event_type) if is_actor_like(t)
                     or agents_inside(t)]
            if found:
                return found
    return []


def verb_participants(trigger: Trigger, event_type: str) -> tuple[list[Token], list[Token]]:
    verb = trigger.token
    in_trigger = {t.i for t in trigger.tokens}
    clause = verb.head if verb.pos_ == "ADJ" and verb.dep_ == "acomp" else verb
    subjects, passive = subject_of(clause)
    objects = [c for c in verb.children if c.dep_ in ("dobj", "dative", "iobj") and c.i not in in_trigger]
    if misattached_finite_verb(verb) and verb.dep_ == "amod":
        objects = objects or [verb.head]
    if passive:
        objects = subjects + objects
        subjects = agent_of(verb)
    if not objects and verb.dep_ == "xcomp" and event_type in COMMISSIVE:
        objects = [c for c in verb.head.children if c.dep_ in ("dobj", "dative")]
    complement = next((c for c in verb.children if c.dep_ in ("xcomp", "ccomp")), None)
    head = verb
    if verb.pos_ == "ADJ" and complement is not None:
        objects = [g for g in complement.children if g.dep_ == "dobj"]
        head = complement
    inner_heads = tuple(t for t in trigger.tokens if t.i != verb.i and t.pos_ in ("NOUN", "PROPN"))
    targets = pick_targets(head, objects, event_type, inner_heads)
    if not any(is_actor_like(t) for t in targets):
        targets = elaboration_targets(verb, event_type) or targets
    if not any(is_actor_like(t) for t in targets) and complement is not None and \
            event_type in COMMISSIVE | {"ACCUSE"}:
        targets = complement_targets(complement) or targets
    if not objects and not any(is_actor_like(t) for t in targets):
        targets = shared_targets(verb, event_type) or targets
    return subjects, targets


def shared_targets(verb: Token, event_type: str) -> list[Token]:
    """Actor targets a verb shares with the verb coordinated after it: in "seized and searched the
    ship of a Greek firm" the object and its phrases hang from the last verb only."""
    for conj in verb.children:
        if conj.dep_ == "conj" and conj.i > verb.i and is_verbal(conj) and \
                not any(c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS for c in conj.children):
            objects = [c for c in conj.children if c.dep_ in ("dobj", "dative", "iobj")]
            found = [t for t in pick_targets(conj, objects, event_type) if is_actor_like(t)]
            if found:
                return found
    return []


def complement_targets(clause: Token) -> list[Token]:
    """Whom a demand, promise or threat concerns, from the clause it governs: the subject of "demanded
    that the US cancel", else whom the promised act is directed at ("offered to hand over to Britain")."""
    subjects = [c for c in clause.children if c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS]
    if subjects and not all(is_pronoun(s) for s in subjects):
        return [s for s in subjects if not is_pronoun(s)]
    objects = [c for c in clause.children if c.dep_ in ("dobj", "dative", "iobj")]
    sense = lexicon.VERBS.get(verb_lemma(clause))
    if sense is not None:
        return [t for t in pick_targets(clause, objects, sense.event_type) if is_actor_like(t)]
    found = [o for o in objects if is_actor_like(o)]
    found = found or [o for o in preposition_objects(clause, GENERAL_TARGET_PREPOSITIONS) if is_actor_like(o)]
    if not found:
        for obj in objects:
            found = named_party_inside(obj)
            if found:
                break
    return found


def noun_participants(trigger: Trigger, event_type: str) -> tuple[list[Token], list[Token]]:
    noun = trigger.token
    sources: list[Token] = []
    targets: list[Token] = []
    for child in noun.children:
        if child.dep_ == "poss":
            sources.append(child)
        elif child.dep_ in ("compound", "amod", "nmod") and (
                child.ent_type_ in ("GPE", "NORP", "ORG", "PERSON") or is_country_word(child.text)):
            sources.append(child)
        elif child.dep_ == "prep" and child.lower_ in ("by", "from"):
            sources.extend(g for g in child.children if g.dep_ == "pobj")
        elif child.dep_ == "prep" and child.lower_ == "between":
            pair = [g for g in child.children if g.dep_ == "pobj"]
            if pair:
                members = [m for m in conjunct_tokens(pair[0])]
                sources.append(members[0])
                targets.extend(members[1:])
    if not targets:
        of_objects = preposition_objects(noun, ("of",)) if event_type in ("ASSAULT", "SANCTION", "COERCE",
                                                                           "MOBILIZE", "RETREAT") else []
        targets = pick_targets(noun, of_objects, event_type)
    if trigger.light_verb is not None and sources and targets and any(
            c.dep_ == "prep" and c.lower_ == "between" for c in noun.children):
        subjects, passive = subject_of(trigger.light_verb)
        if subjects and not passive:
            # "X launched a mediation between A and B": X acts, A and B are the parties.
            sources, targets = subjects, sources + targets
    if not sources and trigger.light_verb is not None:
        sources, passive = subject_of(trigger.light_verb)
        if passive:
            sources = agent_of(trigger.light_verb)
        if not targets:
            objects = [c for c in trigger.light_verb.children if c.dep_ in ("dative", "iobj")]
            targets = pick_targets(trigger.light_verb, objects, event_type)
        if not any(is_actor_like(t) for t in targets):
            targets = elaboration_targets(trigger.light_verb, event_type) or targets
    elif not sources and noun.dep_ == "pobj" and noun.head.head.pos_ == "VERB":
        sources, passive = subject_of(noun.head.head)
        if passive:
            sources = []
    return sources, targets


def obligation_participants(trigger: Trigger) -> tuple[list[Token], list[Token]]:
    verb = trigger.token
    reporter = verb.head
    sources, _ = subject_of(reporter)
    targets = [c for c in verb.children if c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS]
    return sources, targets
