"""Where and when an event happened: the place phrase and the time phrase attached to its trigger (or
its light verb), the time resolved against the publication date."""
from __future__ import annotations

from datetime import date

from spacy.tokens import Span, Token

from pipelines.events import lexicon
from pipelines.events.countries import country_of
from pipelines.events.parties import PLACE_ENTITIES
from pipelines.events.syntax import SUBJECT_DEPS, verb_lemma
from pipelines.events.timex import TimeMention, resolve
from pipelines.events.triggers import Trigger

PLACE_PREPOSITIONS = {"in", "at", "near", "outside", "inside", "across", "into", "on"}
MOVEMENT_LEMMAS = {"travel", "go", "come", "fly", "arrive", "return", "deploy", "send", "move"}


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
