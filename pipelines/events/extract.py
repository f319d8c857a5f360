"""Event extraction from spaCy parses: triggers from our lexicon, actors from the dependency parse,
mode and negation from auxiliaries and governing verbs, place and time from attached phrases, and a
confidence that ranks the substantive event of a sentence above the reporting verb around it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from spacy.tokens import Doc, Span, Token

from pipelines.events import eventive, lexicon
from pipelines.events.actors import SECTORS, actor_record, is_pronoun, mentions
from pipelines.events.countries import country_of, is_country_word
from pipelines.events.lexicon import Sense
from pipelines.events.timex import TimeMention, find_times, resolve
from pipelines.text.ids import stable_hash

SUBJECT_DEPS = {"nsubj", "csubj", "expl"}
PASSIVE_SUBJECT_DEPS = {"nsubjpass", "csubjpass"}
OBJECT_DEPS = {"dobj", "dative", "iobj", "attr", "oprd"}
CLAUSE_COMPLEMENTS = {"xcomp", "ccomp"}
SUBORDINATE_DEPS = {"advcl", "relcl", "acl", "pcomp", "csubj", "prep", "pobj", "npadvmod", "amod", "compound"}
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
ACTOR_ENTITIES = {"GPE", "NORP", "ORG", "PERSON"}
NOT_ACTOR_ENTITIES = {"DATE", "TIME"}
ACTOR_NOUNS = set("group agency organization organisation worker team mission convoy party movement faction "
                  "union coalition alliance side community person man woman member supporter official".split())
PLACE_PREPOSITIONS = {"in", "at", "near", "outside", "inside", "across", "into", "on"}
MOVEMENT_LEMMAS = {"travel", "go", "come", "fly", "arrive", "return", "deploy", "send", "move"}
PLACE_ENTITIES = {"GPE", "LOC", "FAC"}
NEGATIONS = {"not", "n't", "never", "no"}
FAILURE_VERBS = {"fail", "refuse", "decline"}
# Types whose direct object is usually the actor's own forces ("withdraw its troops from Lebanon").
OWN_FORCES_TYPES = {"RETREAT", "MOBILIZE"}
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
STATE_ACTIONS = {"COERCE", "SANCTION", "ACCUSE"}
COMMISSIVE = {"AGREE", "THREATEN", "REJECT", "REQUEST"}
MIN_CONFIDENCE, MAX_CONFIDENCE = 0.05, 0.99
# Doc.user_data key: where a parsed piece of a paragraph starts in it (0 when the whole paragraph was parsed).
PARAGRAPH_OFFSET = "newsstream_paragraph_offset"
# A reporting verb frames the events it reports: it ranks below any of them.
STATEMENT_CONFIDENCE = 0.2
# Types whose weak verbs take an act or a document as object ("approved the law", "opposed the plan");
# the rest need a party ("received a delegation", not "received a boost").
ACT_OBJECT_TYPES = {"AGREE", "CONCEDE", "REJECT", "SUPPORT", "REQUEST", "ACCUSE", "SANCTION"}
# The least a strong harm noun gets: measured right 0.8-0.85 of the time on the build halves at any position.
HARM_NOUN_CONFIDENCE = 0.55
# What "would", "could", "if" take off: a hypothetical event falls below the 0.5 a user filters at.
HYPOTHETICAL_PENALTY = 0.3
HYPOTHETICAL_MAX = 0.45


@dataclass
class Trigger:
    """A word (or phrase) of the sentence that signals an event, with the sense our lexicon gives it."""

    token: Token
    tokens: list[Token]
    sense: Sense
    kind: str  # verb | noun | adjective | obligation
    light_verb: Token | None = None


@dataclass
class ArticleState:
    """What carries across the paragraphs of one article: person names and the last subject seen,
    for pronouns and for names the model labels inconsistently."""

    person_names: set[str] = field(default_factory=set)
    last_subject: tuple[str, Token] | None = None


def published_date(published_at_ms: int | None) -> date | None:
    if published_at_ms is None:
        return None
    return datetime.fromtimestamp(published_at_ms / 1000, tz=timezone.utc).date()


def event_id(article_id: str, paragraph_index: int, sentence_start: int, trigger_start: int, event_type: str) -> str:
    """Deterministic: the same article text always yields the same ids."""
    return stable_hash(article_id, str(paragraph_index), str(sentence_start), str(trigger_start), event_type,
                       length=24)


class EventExtractor:
    """Turns the parsed paragraphs of an article into event records (schemas/event.avsc)."""

    def article_events(self, article: dict, docs: list[tuple[int, Doc]]) -> list[dict]:
        """All events of an article from its (paragraph index, parsed Doc) pairs, in text order."""
        state = ArticleState()
        for _, doc in docs:
            state.person_names.update(e.text for e in doc.ents if e.label_ == "PERSON")
            state.person_names.update(e.text.split()[-1] for e in doc.ents if e.label_ == "PERSON")
        events = []
        published = published_date(article.get("published_at"))
        for index, doc in docs:
            for sentence in doc.sents:
                events.extend(self.sentence_events(sentence, article, index, published, state))
        return events

    def sentence_events(self, sentence: Span, article: dict, paragraph_index: int, published: date | None,
                        state: ArticleState) -> list[dict]:
        triggers = find_triggers(sentence)
        times = find_times(sentence.text) if triggers else []
        events = []
        for trigger in triggers:
            events.extend(self._events_for(trigger, triggers, sentence, times, article, paragraph_index,
                                           published, state))
        subject = main_subject(sentence)
        if subject is not None and not is_pronoun(subject):
            state.last_subject = (mentions(subject)[0][0] if mentions(subject) else subject.text, subject)
        return events

    def _events_for(self, trigger: Trigger, triggers: list[Trigger], sentence: Span, times: list[TimeMention],
                    article: dict, paragraph_index: int, published: date | None, state: ArticleState) -> list[dict]:
        event_type = trigger.sense.event_type
        mode = mode_of(trigger)
        negated = is_negated(trigger)
        sources, targets = participants(trigger, event_type, state)
        if not eventive_event(trigger, event_type, sources, targets, sentence):
            return []
        governor = governing_trigger(trigger, triggers)
        if trigger.kind != "obligation" and governor is None and mode == "intended" and any(
                is_actor_like(head) for _, head in sources):
            if event_type in lexicon.COOPERATIVE_TYPES:
                event_type = "AGREE"
            elif event_type in lexicon.HOSTILE_TYPES:
                event_type = "THREATEN"
        confidence = confidence_of(trigger, governor, sentence, bool(sources), bool(targets), negated)
        if mode == "hypothetical":
            confidence = clamp(min(confidence - HYPOTHETICAL_PENALTY, HYPOTHETICAL_MAX))
        place = location_of(trigger)
        when = time_of(trigger, times, sentence, published, future=mode != "asserted")
        actors = [actor_record("source", text, head) for text, head in sources]
        actors += [actor_record("target", text, head) for text, head in targets]
        for actor, (_, head) in zip(actors, sources + targets, strict=True):
            if head.text in state.person_names and actor["entity_type"] in (None, "ORG", "NORP"):
                # a name seen as a PERSON elsewhere in the article ("President Trump" ... "Trump" as ORG)
                actor["entity_type"] = "PERSON"
        if not sources and place is not None and place["country"] and event_type in STATE_ACTIONS:
            # "was arrested in Lebanon": with no agent named, the state where it happened acted.
            actors.insert(0, {"role": "source", "text": place["text"], "country": place["country"],
                              "sector": "GOV", "entity_type": "GPE"})
        base = {
            "article_id": article["article_id"],
            "paragraph_index": paragraph_index,
            "sentence": sentence.text,
            "trigger": trigger_record(trigger, sentence),
            "actors": actors,
            "location": place,
            "time": when,
            "mode": mode,
            "published_at": article.get("published_at"),
        }
        if negated and event_type == "CONCEDE" and verb_lemma(trigger.token) in ("allow", "permit"):
            # "does not allow its citizens to travel": a restriction
            event_type, negated = "COERCE", False
        records = [dict(base, event_type=event_type, negated=negated, confidence=confidence)]
        if negated and event_type in lexicon.COOPERATIVE_TYPES and (trigger.sense.strength >= 0.6 or any(
                c.dep_ == "dobj" and is_act(c) for c in trigger.token.children)):
            # Not agreeing, not accepting, not helping: a rejection in its own right.
            records[0]["confidence"] = clamp(confidence - 0.2)
            records.append(dict(base, event_type="REJECT", negated=False, confidence=clamp(confidence)))
        for record in records:
            record["event_id"] = event_id(article["article_id"], paragraph_index,
                                          sentence.start_char + sentence.doc.user_data.get(PARAGRAPH_OFFSET, 0),
                                          record["trigger"]["start"], record["event_type"])
        return records


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
    if eventive.in_fiction(trigger.token) or eventive.in_fiction(predicate):
        return False
    hostile = event_type in lexicon.HOSTILE_TYPES
    if event_type == "ASSAULT" and eventive.accidental(trigger.token):
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
    if things and not actor_target and not (hostile and actor_source and not any(map(eventive.is_thing, things))):
        return False
    if weak:
        return actor_target or any(is_place(o) or is_pronoun(o) or hostile and eventive.is_weapon(o) or
                                   is_act(o) and event_type in ACT_OBJECT_TYPES for o in objects) \
            or (not objects and (actor_source or any(
            s.lower_ in eventive.PERSONAL_PRONOUNS for s in trigger.token.children if s.dep_ == "nsubj")))
    return True


def noun_event(trigger: Trigger, event_type: str, actor_source: bool, actor_target: bool, weak: bool,
               sentence: Span) -> bool:
    """An event noun needs a party, except an attack or protest told without one ("the bombing"); a thing
    after "of" makes it a figure of speech ("an explosion of portable media")."""
    of_objects = _preposition_objects(trigger.token, ("of",))
    if any(is_inanimate(o) and not eventive.is_weapon(o) for o in of_objects) and not actor_target:
        return False
    if actor_target or actor_source and not (weak and event_type in ("CONCEDE", "AID")):
        return True
    return event_type in ("ASSAULT", "PROTEST") and not weak and not eventive.arts_report(sentence)


def verb_object_sense(lemma: str, obj: Token) -> Sense | None:
    """The sense of a verb + object pair, matched on the object's lemma or its word ("arms" is no arm)."""
    return lexicon.VERB_OBJECT.get((lemma, obj.lower_)) or lexicon.VERB_OBJECT.get((lemma, obj.lemma_.lower()))


def is_act(token: Token) -> bool:
    """A noun for an act, a decision or a document: "approved the law", "sought refuge"."""
    return noun_lemma(token) in lexicon.NOUNS or token.lemma_.lower() in eventive.ACT_NOUNS or token.ent_type_ == "LAW"


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


def commercial(token: Token) -> bool:
    return eventive.is_thing(token) or token.lemma_.lower() in eventive.COMMERCIAL_NOUNS


def is_place(token: Token) -> bool:
    return token.ent_type_ in PLACE_ENTITIES or token.lemma_.lower() in lexicon.PLACE_NOUNS


def is_inanimate(token: Token) -> bool:
    """An object that is a thing: no actor, pronoun, place or event, and no actor named inside it."""
    if eventive.is_thing(token):
        return True
    if is_pronoun(token) or eventive.is_weapon(token) or names_actor(token) or is_place(token) or is_act(token):
        return False
    return not agents_inside(token)


def clamp(value: float) -> float:
    return round(min(MAX_CONFIDENCE, max(MIN_CONFIDENCE, value)), 3)


def trigger_record(trigger: Trigger, sentence: Span) -> dict:
    first, last = trigger.tokens[0], trigger.tokens[-1]
    start = first.idx - sentence.start_char
    end = last.idx + len(last.text) - sentence.start_char
    return {"text": sentence.text[start:end], "start": start, "end": end, "lemma": trigger.token.lemma_.lower()}


# ---------------------------------------------------------------- triggers

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
            c.dep_ == "prep" and c.lower_ == "to" and any(is_actor_like(g) or is_place(g) for g in c.children)
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
        if lexicon.NOUNS.get(noun_lemma(token.head)) or is_actor_noun(token.head) or sense.strength < 0.6:
            return None
        # "a mediation effort", "peace talks": the head noun carries the event in the parse.
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


# ---------------------------------------------------------------- structure

def predicate_of(trigger: Trigger) -> Token:
    """The verb whose clause the event belongs to (the trigger itself, or the light verb of a noun)."""
    if trigger.kind == "noun":
        return trigger.light_verb or trigger.token
    return trigger.token


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


def main_subject(sentence: Span) -> Token | None:
    root = sentence.root
    for child in root.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
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


# ---------------------------------------------------------------- mode and negation

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


# ---------------------------------------------------------------- participants

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


def agent_of(verb: Token) -> list[Token]:
    for child in verb.children:
        if child.dep_ == "agent":
            return [g for g in child.children if g.dep_ == "pobj"]
    return []


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


def _preposition_objects(head: Token, prepositions: tuple[str, ...]) -> list[Token]:
    found = []
    for prep in prepositions:
        for child in head.children:
            if child.dep_ in ("prep", "prt", "agent") and child.lower_ == prep:
                found.extend(g for g in child.children if g.dep_ == "pobj" and g.ent_type_ not in ("DATE", "TIME"))
    return found


def agents_inside(noun: Token) -> list[Token]:
    """Who a proposal, call, ban or offer comes from: its possessor, a national or named modifier, or a
    "by"/"from" phrase ("an Australian ultimatum", "calls by Belarus's rulers", "an appeal from the
    president")."""
    found = [c for c in noun.children if c.dep_ == "poss" and not is_pronoun(c)]
    found += [c for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and (
        c.ent_type_ in ACTOR_ENTITIES or is_country_word(c.text))]
    found += _preposition_objects(noun, ("by", "from"))
    return found


def pick_targets(head: Token, objects: list[Token], event_type: str, extra_heads: tuple[Token, ...] = ()
                 ) -> list[Token]:
    """The party an event is directed at: an actor-like object first, then an actor named in a
    prepositional phrase of the predicate, then the party behind a proposal or ban the event answers,
    then an actor inside the object ("lift the ban on the FIS"), else the object itself."""
    heads = (head, *extra_heads)
    if event_type in OWN_FORCES_TYPES:
        found = [o for h in heads for o in _preposition_objects(h, TARGET_PREPOSITIONS[event_type])
                 if is_actor_like(o)]
        if found:
            return found
    actors = [o for o in objects if is_actor_like(o)]
    if actors:
        return actors
    for prepositions in (TARGET_PREPOSITIONS.get(event_type, ()), GENERAL_TARGET_PREPOSITIONS):
        found = [o for h in heads for o in _preposition_objects(h, prepositions) if is_actor_like(o)]
        if found:
            return found
    inner = objects + [o for h in heads for o in _preposition_objects(h, TARGET_PREPOSITIONS.get(event_type, ()))]
    for obj in inner:
        found = agents_inside(obj)
        if found:
            return found
    for obj in inner:
        found = named_party_inside(obj)
        if found:
            return found
    found = [o for o in _preposition_objects(head, ("in",)) if is_actor_like(o)]
    if found:
        return found
    return objects or _preposition_objects(head, TARGET_PREPOSITIONS.get(event_type, ()))


def named_party_inside(phrase: Token, depth: int = 0) -> list[Token]:
    """The first actor named in the prepositional phrases of an object, nearest first ("an extension of
    the mandate for the force in Lebanon" -> Lebanon)."""
    if depth > 3:
        return []
    objects = _preposition_objects(phrase, OBJECT_TARGET_PREPOSITIONS)
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
    found = found or [o for o in _preposition_objects(clause, GENERAL_TARGET_PREPOSITIONS) if is_actor_like(o)]
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
                members = [m for m in _conjunct_tokens(pair[0])]
                sources.append(members[0])
                targets.extend(members[1:])
    if not targets:
        of_objects = _preposition_objects(noun, ("of",)) if event_type in ("ASSAULT", "SANCTION", "COERCE",
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


def _conjunct_tokens(token: Token) -> list[Token]:
    found = [token]
    for child in token.children:
        if child.dep_ == "conj":
            found.extend(_conjunct_tokens(child))
    return found


def obligation_participants(trigger: Trigger) -> tuple[list[Token], list[Token]]:
    verb = trigger.token
    reporter = verb.head
    sources, _ = subject_of(reporter)
    targets = [c for c in verb.children if c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS]
    return sources, targets


# ---------------------------------------------------------------- place and time

def _anchor(token: Token, stop: set[int]) -> Token | None:
    """The first predicate or trigger above a phrase's head: the thing the phrase modifies."""
    current = token
    for _ in range(12):
        head = current.head
        if head.i == current.i:
            return None
        if head.i in stop or head.pos_ in ("VERB", "AUX"):
            return head
        current = head
    return None


def _trigger_anchors(trigger: Trigger) -> set[int]:
    anchors = {trigger.token.i}
    if trigger.light_verb is not None:
        anchors.add(trigger.light_verb.i)
    if trigger.token.dep_ == "amod" and trigger.token.tag_ == "VBD":
        anchors.add(trigger.token.head.i)
    if trigger.kind == "verb" and trigger.token.dep_ == "conj" and not any(
            c.dep_ in SUBJECT_DEPS for c in trigger.token.children):
        anchors.add(trigger.token.head.i)
    return anchors


def location_of(trigger: Trigger) -> dict | None:
    """Where the event happened: a place phrase attached to the trigger (or its light verb)."""
    anchors = _trigger_anchors(trigger)
    doc = trigger.token.doc
    sentence = trigger.token.sent
    for token in sentence:
        if token.dep_ != "pobj" or token.head.dep_ != "prep":
            continue
        prep = token.head
        allowed = PLACE_PREPOSITIONS | ({"to"} if verb_lemma(prep.head) in MOVEMENT_LEMMAS else set())
        if prep.lower_ not in allowed or prep.head.i not in anchors:
            continue
        if token.ent_type_ in PLACE_ENTITIES or token.lemma_.lower() in lexicon.PLACE_NOUNS or (
                token.pos_ == "PROPN" and token.ent_type_ not in ("PERSON", "DATE", "TIME", "NORP")):
            tokens = [t for t in token.subtree if t.dep_ not in ("relcl", "acl", "punct")
                      and not (t.dep_ == "prep" and t.head.i == token.i and t.lower_ not in ("of",))]
            tokens = [t for t in tokens if not any(a.dep_ in ("relcl", "acl") for a in t.ancestors if a.i > token.i)]
            return place_record(doc[min(t.i for t in tokens):max(t.i for t in tokens) + 1])
    if trigger.kind == "verb" and verb_lemma(trigger.token) == "visit":
        for child in trigger.token.children:
            if child.dep_ == "dobj" and child.ent_type_ in PLACE_ENTITIES:
                return place_record(doc[child.left_edge.i:child.i + 1])
    if trigger.kind == "noun":
        for child in trigger.token.children:
            if child.dep_ in ("compound", "nmod") and child.ent_type_ in PLACE_ENTITIES | {"ORG"} and \
                    child.ent_type_ != "ORG" or child.dep_ == "compound" and child.text.isupper() and \
                    child.ent_type_ in PLACE_ENTITIES | {"ORG"}:
                return place_record(doc[child.i:child.i + 1])
    return None


def place_record(span: Span) -> dict:
    text = span.text
    if span[0].dep_ == "det":
        text = span[1:].text if len(span) > 1 else text
    return {"text": text, "country": country_of(text)}


def time_of(trigger: Trigger, times: list[TimeMention], sentence: Span, published: date | None,
            future: bool) -> dict | None:
    """The time phrase attached to the trigger, resolved against the publication date."""
    anchors = _trigger_anchors(trigger)
    doc = sentence.doc
    for mention in times:
        span = doc.char_span(sentence.start_char + mention.start, sentence.start_char + mention.end,
                             alignment_mode="expand")
        if span is None:
            continue
        anchor = _anchor(span.root, anchors)
        if anchor is None:
            continue
        if anchor.i in anchors or _passes_to(anchor, trigger):
            resolved = resolve(mention, published, future)
            return {"text": mention.text, "start": resolved.start, "end": resolved.end,
                    "granularity": resolved.granularity}
    return None


def _passes_to(anchor: Token, trigger: Trigger) -> bool:
    """A time on a verb that is no event belongs to the event noun that verb governs."""
    if trigger.kind != "noun" or verb_lemma(anchor) in lexicon.VERBS:
        return False
    return trigger.token.head.i == anchor.i and trigger.token.dep_ in ("dobj", "nsubj", "nsubjpass")
