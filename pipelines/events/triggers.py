"""Triggers: the words (or phrases) of a sentence that signal an event, with the sense our lexicon gives
them in this construction (a verb with its particle or object, an event noun with its light verb, a
commitment adjective, an obligation reported by someone)."""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from pipelines.events import eventive, lexicon
from pipelines.events.actors import is_pronoun
from pipelines.events.lexicon import Sense
from pipelines.events.parties import is_actor_noun, is_place, names_actor
from pipelines.events.syntax import PASSIVE_SUBJECT_DEPS, SUBJECT_DEPS, is_verbal, noun_lemma, verb_lemma

# Prepositions that belong to a phrasal verb even with an object: "call on X", "side with X", "fire at X".
PHRASAL_PREPOSITIONS = {"on", "upon", "for", "with", "at"}
# "The summit collapsed", "talks broke down": a negotiation failing is a rejection.
FAILURE_LEMMAS = {"collapse", "fail", "stall", "founder"}
PHRASES_BY_FIRST_WORD: dict[str, list[tuple[tuple[str, ...], Sense]]] = {}
for _phrase, _sense in lexicon.PHRASE_NOUNS.items():
    PHRASES_BY_FIRST_WORD.setdefault(_phrase[0], []).append((_phrase, _sense))
# Every verb lemma that can start a verb trigger: the first test, before the parse is walked.
TRIGGER_VERB_LEMMAS = set(lexicon.VERBS) | {verb for verb, _ in lexicon.PHRASAL} | \
    {verb for verb, _ in lexicon.VERB_OBJECT} | FAILURE_LEMMAS | {"break"}


@dataclass
class Trigger:
    """A word (or phrase) of the sentence that signals an event, with the sense our lexicon gives it."""

    token: Token
    tokens: list[Token]
    sense: Sense
    kind: str  # verb | noun | adjective | obligation
    light_verb: Token | None = None


def predicate_of(trigger: Trigger) -> Token:
    """The verb whose clause the event belongs to (the trigger itself, or the light verb of a noun)."""
    if trigger.kind == "noun":
        return trigger.light_verb or trigger.token
    return trigger.token


def verb_object_sense(lemma: str, obj: Token) -> Sense | None:
    """The sense of a verb + object pair, matched on the object's lemma or its word ("arms" is no arm)."""
    return lexicon.VERB_OBJECT.get((lemma, obj.lower_)) or lexicon.VERB_OBJECT.get((lemma, obj.lemma_.lower()))


def find_triggers(sentence: Span) -> list[Trigger]:
    """Every trigger in the sentence; an event noun carried by a light verb absorbs the verb."""
    triggers = phrase_noun_triggers(sentence)
    absorbed: set[int] = {t.i for trigger in triggers for t in trigger.tokens}
    for token in sentence:
        if token.i in absorbed:
            continue
        if is_verbal(token):
            trigger = verb_trigger(token)
        elif token.pos_ in ("NOUN", "PROPN"):
            trigger = noun_trigger(token)
        elif token.pos_ == "ADJ" and token.lower_ in lexicon.WILLING_ADJECTIVES:
            trigger = willing_trigger(token)
        else:
            trigger = None
        if trigger is not None and eventive_use(token):
            triggers.append(trigger)
            absorbed.update(t.i for t in trigger.tokens)
    triggers = [t for t in triggers if not _absorbed_by_noun(t, triggers)]
    triggers.extend(obligation_triggers(sentence, triggers))
    return sorted(triggers, key=lambda t: t.token.i)


def eventive_use(token: Token) -> bool:
    """The word is not part of a name, an attributive modifier or a fixed expression."""
    if eventive.in_fixed_expression(token):
        return False
    if (token.pos_ not in ("VERB", "AUX") or token.ent_iob_ == "I" or
            token.ent_iob_ == "B" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].ent_iob_ == "I") \
            and eventive.is_name_word(token):
        return False
    return not ((is_verbal(token) or token.pos_ == "ADJ") and eventive.is_attributive(token))


def phrase_noun_triggers(sentence: Span) -> list[Trigger]:
    """Multiword event nouns ("state of emergency", "human shields"); the phrase's syntactic head
    stands for it in the parse."""
    found = []
    for token in sentence:
        for phrase, sense in PHRASES_BY_FIRST_WORD.get(token.lower_, ()):
            end = token.i + len(phrase)
            if end > sentence.end or tuple(t.lower_ for t in token.doc[token.i:end]) != phrase:
                continue
            tokens = list(token.doc[token.i:end])
            inside = {t.i for t in tokens}
            root = next((t for t in tokens if t.head.i not in inside or t.head.i == t.i), tokens[-1])
            found.append(Trigger(root, tokens, sense, "noun", _light_verb(root)))
    return found


def _absorbed_by_noun(trigger: Trigger, triggers: list[Trigger]) -> bool:
    """A light or reporting verb whose object is an event noun: the noun's event is the one."""
    if trigger.kind != "verb" or len(trigger.tokens) > 1:
        return False
    lemma = verb_lemma(trigger.token)
    light = lemma in lexicon.LIGHT_VERBS or trigger.sense.event_type == "STATEMENT" or trigger.sense.strength < 0.6
    return light and any(t.light_verb is not None and t.light_verb.i == trigger.token.i for t in triggers)


def verb_trigger(token: Token) -> Trigger | None:
    lemma = verb_lemma(token)
    if lemma not in TRIGGER_VERB_LEMMAS:
        return None
    for child in token.children:
        particle = child.dep_ in ("prt", "advmod") or child.dep_ == "prep" and not any(
            g.dep_ == "pobj" for g in child.children) or child.dep_ == "prep" and child.lower_ in PHRASAL_PREPOSITIONS
        if particle and child.i > token.i and (lemma, child.lower_) in lexicon.PHRASAL:
            return Trigger(token, sorted([token, child], key=lambda t: t.i), lexicon.PHRASAL[(lemma, child.lower_)],
                           "verb")
    for child in token.children:
        sense = verb_object_sense(lemma, child)
        if child.dep_ in ("dobj", "nsubjpass", "pobj") and sense is not None:
            tokens = [token, child] if child.i == token.i + 1 else [token]
            return Trigger(token, tokens, sense, "verb")
    for child in token.children:
        if child.dep_ == "prep":
            for grandchild in child.children:
                key = (lemma, grandchild.lemma_.lower())
                if grandchild.dep_ == "pobj" and key in lexicon.VERB_OBJECT and key[1] == "fire":
                    return Trigger(token, [token], lexicon.VERB_OBJECT[key], "verb")
    if lemma in FAILURE_LEMMAS or (lemma, "down") in {(c.head.lemma_, c.lower_) for c in token.children
                                                       if c.dep_ == "prt" and lemma == "break"}:
        subjects = [c for c in token.children if c.dep_ == "nsubj"]
        if any(lexicon.NOUNS.get(noun_lemma(s), Sense("", 0)).event_type in ("CONSULT", "AGREE") for s in subjects):
            return Trigger(token, [token], Sense("REJECT", 0.6), "verb")
    sense = lexicon.VERBS.get(lemma)
    if sense is None or eventive.non_event_phrasal(token, lemma) or not verb_sense_fits(token, lemma):
        return None
    if lemma == "warn" and not warns_of_harm(token):
        sense = Sense("STATEMENT", sense.strength)
    if sense.event_type == "ASSAULT" and attacks_in_words(token):
        sense = Sense("ACCUSE", sense.strength)
    return Trigger(token, [token], sense, "verb")


def attacks_in_words(verb: Token) -> bool:
    """ "attacked the plans as vacuous", "attacked ministers over the cuts", "attacked the decision": an
    attack on a plan, a decision or a policy, or one with a reason or a verdict attached, is criticism."""
    if verb_lemma(verb) != "attack":
        return False
    for child in verb.children:
        if child.dep_ == "dobj" and (child.lemma_.lower() in eventive.ACT_NOUNS or
                                     child.lemma_.lower() in eventive.SPEECH_NOUNS):
            return True
        if child.dep_ == "prep" and child.lower_ in ("as", "over", "for") and not any(
                eventive.is_weapon(g) for g in child.children):
            return True
    return False


def warns_of_harm(verb: Token) -> bool:
    """ "warned that it would retaliate", "warned of strikes": a threat names a hostile act; "warned of a fall
    in profits" or "warned police" is a statement."""
    for token in verb.subtree:
        if token.i == verb.i or token.dep_ in SUBJECT_DEPS and token.head.i == verb.i:
            continue
        sense = lexicon.VERBS.get(verb_lemma(token)) if token.pos_ in ("VERB", "AUX") else \
            lexicon.NOUNS.get(noun_lemma(token))
        if sense is not None and (sense.event_type in lexicon.HOSTILE_TYPES or sense.event_type == "THREATEN"):
            return True
    return False


def verb_sense_fits(verb: Token, lemma: str) -> bool:
    """Senses of a few verbs that the bare lemma does not decide: "beat" hurts only with "up", "with" or
    "to death" or in the passive (else it is winning); "call" requests only with "to" or an event noun
    ("called 2004 a success" names); "commit" agrees only to something ("committed a crime" does not)."""
    children = list(verb.children)
    if lemma == "beat":
        passive = any(c.dep_ in PASSIVE_SUBJECT_DEPS for c in children) or verb.tag_ == "VBN" and verb.dep_ == "acl"
        return passive or any(c.lower_ in ("with", "death", "up") for c in verb.subtree if c.i > verb.i)
    if lemma == "call":
        return any(c.dep_ == "xcomp" for c in children) or any(
            c.dep_ == "dobj" and noun_lemma(c) in lexicon.NOUNS for c in children)
    if lemma == "commit":
        return not any(c.dep_ == "dobj" and not is_pronoun(c) for c in children)
    if lemma in ("seek", "help"):
        # "sought to rig bids", "help drive traffic": trying and making easier, not requests or aid
        return not any(c.dep_ in ("xcomp", "ccomp") for c in children) or any(
            c.dep_ in ("dobj", "dative") and names_actor(c) for c in children)
    if lemma == "ask":
        # "asked about", "asked whether": a question, not a request
        return any(c.dep_ == "xcomp" or c.dep_ == "prep" and c.lower_ == "for" or c.dep_ == "dobj" and (
            noun_lemma(c) in lexicon.NOUNS or c.lemma_.lower() in eventive.ACT_NOUNS) for c in children)
    if lemma == "receive":
        # "received the delegation" hosts a party; "received a boost" or "a payment" is no meeting
        return any(c.dep_ == "dobj" and names_actor(c) for c in children)
    if lemma == "deliver":
        # "delivered a lecture", "have it delivered": handing over to a party only ("delivered to the camps")
        return any(c.dep_ == "dative" and names_actor(c) for c in children) or any(
            c.dep_ == "prep" and c.lower_ == "to" and any(names_actor(g) or is_place(g) for g in c.children)
            for c in children)
    if lemma == "plead":
        return not any(c.lower_ in ("guilty", "innocent") for c in children)
    if lemma == "sign":
        # "hope to sign the striker": recruiting a person, not an agreement
        return not any(c.dep_ == "dobj" and (c.ent_type_ == "PERSON" or c.pos_ == "PROPN" and not c.ent_type_)
                       for c in children)
    if lemma == "rule" and any(c.dep_ in PASSIVE_SUBJECT_DEPS for c in children):
        # "has been ruled out of the tournament": left out, not a rejection
        return not any(c.dep_ == "prep" and c.lower_ == "of" for c in verb.subtree)
    return True


def noun_trigger(token: Token) -> Trigger | None:
    lemma = noun_lemma(token)
    qualifiers = lexicon.QUALIFIED_NOUNS.get(lemma) or lexicon.QUALIFIED_NOUNS.get(token.lemma_.lower())
    sense = lexicon.NOUNS.get(lemma) or lexicon.NOUNS.get(token.lemma_.lower())
    if qualifiers:
        for child in token.children:
            if child.dep_ in ("amod", "compound", "nmod") and child.lower_ in qualifiers:
                sense = Sense(qualifiers[child.lower_], 0.7)
                return Trigger(token, sorted([child, token], key=lambda t: t.i), sense, "noun", _light_verb(token))
        if lemma in lexicon.NEEDS_QUALIFIER or token.lower_ in lexicon.NEEDS_QUALIFIER:
            return None
    if sense is None:
        return None
    if sense.event_type in ("REQUEST", "SUPPORT") and eventive.market_quantity(token):
        return None
    if token.dep_ in ("compound", "amod", "nmod") and token.head.pos_ in ("NOUN", "PROPN"):
        if lexicon.NOUNS.get(noun_lemma(token.head)) or is_actor_noun(token.head) or sense.strength < 0.6 or \
                noun_lemma(token.head) not in lexicon.UNDERTAKING_NOUNS:
            # "riot gear", "protest songs", "attack helicopters": a kind of thing, no event
            return None
        # "a mediation effort", "a bombing campaign": the head noun carries the event in the parse.
        return Trigger(token.head, [token], sense, "noun", _light_verb(token.head))
    return Trigger(token, [token], sense, "noun", _light_verb(token))


def _light_verb(noun: Token) -> Token | None:
    """The verb that carries an event noun as its object ("held talks", "announced a suspension")."""
    if noun.dep_ in ("dobj", "nsubjpass", "attr") and noun.head.pos_ in ("VERB", "AUX"):
        verb = noun.head
        lemma = verb_lemma(verb)
        if lemma in lexicon.LIGHT_VERBS or lexicon.VERBS.get(lemma, Sense("", 1)).event_type == "STATEMENT":
            return verb
        if lexicon.VERBS.get(lemma) is None:
            return verb
    return None


def willing_trigger(token: Token) -> Trigger | None:
    """ "is willing / ready / prepared / committed to X": a commitment to X (AGREE)."""
    if any(c.dep_ == "xcomp" for c in token.children) or any(
            c.dep_ == "prep" and any(lexicon.NOUNS.get(noun_lemma(g), Sense("", 0)).event_type in
                                     lexicon.COOPERATIVE_TYPES for g in c.children) for c in token.children):
        return Trigger(token, [token], Sense("AGREE", 0.7), "adjective")
    return None


def obligation_triggers(sentence: Span, triggers: list[Trigger]) -> list[Trigger]:
    """ "X said Y must do Z": a demand by X of Y (REQUEST), whatever Z is."""
    found = []
    for token in sentence:
        if token.dep_ != "aux" or token.lower_ not in lexicon.OBLIGATION_AUX:
            continue
        verb = token.head
        reporter = verb.head if verb.dep_ == "ccomp" else None
        if reporter is None or not _is_reporting(reporter, triggers):
            continue
        subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS]
        if not subjects or any(s.lower_ in ("i", "we") for s in subjects) or any(
                c.dep_ == "aux" and c.lower_ == "have" for c in verb.children):
            continue
        existing = [t for t in triggers if t.token.i == verb.i]
        for t in existing:
            triggers.remove(t)
        found.append(Trigger(verb, [token] if token.i + 1 != verb.i else [token, verb], Sense("REQUEST", 0.7),
                             "obligation"))
    return found


def _is_reporting(token: Token, triggers: list[Trigger]) -> bool:
    return any(t.token.i == token.i and t.sense.event_type == "STATEMENT" for t in triggers) or \
        verb_lemma(token) in ("conclude", "insist", "say", "announce", "state", "declare", "stress")
