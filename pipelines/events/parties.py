"""What a phrase names: a party that can act or be acted on (a country, organization, person, group or
people), a place, an act or document, or a thing that is never a party."""
from __future__ import annotations

from spacy.tokens import Token

from pipelines.events import eventive, lexicon
from pipelines.events.actors import SECTORS, is_pronoun
from pipelines.events.countries import is_country_word
from pipelines.events.syntax import noun_lemma, preposition_objects

ACTOR_ENTITIES = {"GPE", "NORP", "ORG", "PERSON"}
ACTOR_NOUNS = set("group agency organization organisation worker team mission convoy party movement faction "
                  "union coalition alliance side community person man woman member supporter official".split())
PLACE_ENTITIES = {"GPE", "LOC", "FAC"}


def is_act(token: Token) -> bool:
    """A noun for an act, a decision, a document or what someone said or did: "approved the law", "sought
    refuge", "praised his handling of the economy"."""
    return noun_lemma(token) in lexicon.NOUNS or token.ent_type_ == "LAW" or any(
        word in nouns for word in (token.lemma_.lower(), token.lower_)
        for nouns in (eventive.ACT_NOUNS, eventive.SPEECH_NOUNS))


def names_actor(token: Token) -> bool:
    """The phrase names a party: an actor word or name, or a noun owned or modified by one ("Poland's
    parliament", "the al-Qaeda network")."""
    if token.ent_type_ in eventive.THING_ENTITIES:
        return False
    if is_actor_like(token) or is_actor_noun(token) or token.ent_type_ in ACTOR_ENTITIES or \
            token.lemma_.lower() in eventive.PEOPLE_NOUNS or token.lower_ in eventive.PEOPLE_NOUNS:
        return True
    return any(c.dep_ in ("poss", "compound", "amod", "nmod") and (c.ent_type_ in ACTOR_ENTITIES or
                                                                  c.pos_ == "PROPN" or is_actor_noun(c))
               for c in token.children)


def is_place(token: Token) -> bool:
    return token.ent_type_ in PLACE_ENTITIES or token.lemma_.lower() in lexicon.PLACE_NOUNS


def is_inanimate(token: Token) -> bool:
    """An object that is a thing: no actor, pronoun, place or event, and no actor named inside it."""
    if eventive.is_thing(token):
        return True
    if is_pronoun(token) or eventive.is_weapon(token) or names_actor(token) or is_place(token) or is_act(token):
        return False
    return not agents_inside(token)


def is_actor_noun(token: Token) -> bool:
    """A common noun naming a kind of actor ("police", "groups", "workers"): "riot police" is no riot."""
    return token.lemma_.lower() in SECTORS or token.lower_ in SECTORS or token.lemma_.lower() in ACTOR_NOUNS


def is_actor_like(token: Token) -> bool:
    """Names a party that can act or be acted on: a country, organization, person, group or people."""
    if token.lemma_.lower() in lexicon.PLACE_NOUNS and token.ent_type_ not in ACTOR_ENTITIES:
        return False
    if token.ent_type_ in ACTOR_ENTITIES or token.pos_ == "PROPN" or is_country_word(token.text):
        return True
    if is_actor_noun(token):
        return True
    return any(c.dep_ in ("amod", "compound", "nmod", "poss") and (
        c.ent_type_ in ("NORP", "GPE") or is_country_word(c.text)) for c in token.children)


def agents_inside(noun: Token) -> list[Token]:
    """Who a proposal, call, ban or offer comes from: its possessor, a national or named modifier, or a
    "by"/"from" phrase ("an Australian ultimatum", "calls by Belarus's rulers", "an appeal from the
    president")."""
    found = [c for c in noun.children if c.dep_ == "poss" and not is_pronoun(c)]
    found += [c for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and (
        c.ent_type_ in ACTOR_ENTITIES or is_country_word(c.text))]
    found += preposition_objects(noun, ("by", "from"))
    return found
