"""The learned part of event admission: a logistic model over features of each candidate event that the
rules admitted (trigger word and kind, type, parse position, whether its participants are named parties and
of which sector, sport, show-business and violence vocabulary, mode, the rule confidence, the rank among the
sentence's candidates). It gives the probability that the event is right: candidates below the model's
threshold are dropped unless a `never_drop` feature marks them (violence, a state, armed or international
party) or the model scores them above such a kept candidate of the same sentence, and every kept one
carries the probability as its confidence.

The weights are a small versioned JSON file shipped in the package (`event_model.json`), trained on the
build halves of our labelled sets only by `benchmarks/train_event_model.py` (`make events-model`)."""
from __future__ import annotations

import json
import math
import os
from functools import cache

from spacy.tokens import Span, Token

from pipelines.events import eventive, lexicon
from pipelines.events.actors import is_pronoun
from pipelines.events.parties import ACTOR_ENTITIES, is_act, is_inanimate, is_place, names_actor
from pipelines.events.triggers import Trigger, predicate_of

# Bumped when the features change: a model file trained on other features is refused.
FEATURE_VERSION = 1
MODEL_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "event_model.json")
TAGS = {"VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "NN", "NNS", "JJ"}
DEPS = {"ROOT", "ccomp", "xcomp", "advcl", "relcl", "acl", "conj", "pobj", "dobj", "nsubj", "nsubjpass", "amod",
        "compound", "pcomp"}
# Words of reports on violence and security: harm words there name real attacks, not figures of speech.
VIOLENCE_WORDS = set("killed dead died wounded casualties troops soldiers militants gunmen insurgents rebels "
                     "bomber bombers police army military forces militia".split())
QUOTES = set("\"“”")
# Actor sectors (coding.SECTOR_CODES) grouped: the state, armed forces and groups, political groups,
# international bodies and aid organisations (NGOs, the Red Cross), business and media, other civilians.
SECTOR_GROUPS = {"GOV": "state", "JUD": "state", "LEG": "state", "MIL": "armed", "COP": "armed", "REB": "armed",
                 "UAF": "armed", "OPP": "political", "PTY": "political", "CRM": "political",
                 "IGO": "international", "NGO": "international", "MED": "international", "BUS": "business",
                 "JRN": "business"}


def _participant_features(role: str, heads: list[Token]) -> dict[str, float]:
    if not heads:
        return {f"{role}=none": 1.0}
    features = {}
    if any(h.ent_type_ in ACTOR_ENTITIES for h in heads):
        features[f"{role}=entity"] = 1.0
    elif any(is_pronoun(h) for h in heads):
        features[f"{role}=pronoun"] = 1.0
    elif any(names_actor(h) for h in heads):
        features[f"{role}=party"] = 1.0
    else:
        features[f"{role}=other"] = 1.0
    return features


def candidate_features(trigger: Trigger, event_type: str, sources: list[tuple[str, Token]],
                       targets: list[tuple[str, Token]], sentence: Span, mode: str, negated: bool,
                       governed: bool, rule_confidence: float, actors: list[dict]) -> dict[str, float]:
    """Named features of a candidate event, from the parse already made (nothing is parsed again)."""
    token = trigger.token
    predicate = predicate_of(trigger)
    features = {
        f"type={event_type}": 1.0,
        f"lemma={token.lemma_.lower()}": 1.0,
        f"kind={trigger.kind}": 1.0,
        f"mode={mode}": 1.0,
        "strength": trigger.sense.strength,
        "rule_confidence": rule_confidence,
    }
    if event_type != trigger.sense.event_type:
        features["retyped"] = 1.0
    if len(trigger.tokens) > 1:
        features["multiword"] = 1.0
    if trigger.light_verb is not None:
        features["light_verb"] = 1.0
    if negated:
        features["negated"] = 1.0
    if governed:
        features["governed"] = 1.0
    if token.tag_ in TAGS:
        features[f"tag={token.tag_}"] = 1.0
    features[f"dep={predicate.dep_ if predicate.dep_ in DEPS else 'other'}"] = 1.0
    features.update(_participant_features("source", [head for _, head in sources]))
    features.update(_participant_features("target", [head for _, head in targets]))
    for actor in actors:
        group = SECTOR_GROUPS.get(actor["sector"] or "", "civilian" if actor["sector"] else "uncoded")
        if actor["sector"] is None and actor["country"] and actor["entity_type"] == "GPE":
            group = "state"  # a country named as actor is its government ("Norway will send aid")
        features[f"{actor['role']}_sector={group}"] = 1.0
        if actor["country"]:
            features[f"{actor['role']}_country"] = 1.0
    if any(t.ent_type_ in ("GPE", "NORP") for t in sentence):
        features["polity_named"] = 1.0
    if any(eventive.is_weapon(t) or t.lower_ in VIOLENCE_WORDS for t in sentence if t.i != token.i):
        features["violence_context"] = 1.0
    hostile = event_type in lexicon.HOSTILE_TYPES or event_type == "THREATEN"
    for domain, found in (("sport", eventive.sport_report(sentence)), ("arts", eventive.arts_report(sentence))):
        if found:
            features[domain] = 1.0
            features[f"{domain}+{'hostile' if hostile else 'other'}"] = 1.0
    for obj in (c for c in token.children if c.dep_ == "dobj"):
        kind = "party" if names_actor(obj) or is_pronoun(obj) else "place" if is_place(obj) else \
            "act" if is_act(obj) else "thing" if is_inanimate(obj) else "other"
        features[f"object={kind}"] = 1.0
    if any(t.text in QUOTES or t.text == "'" for t in sentence[: token.i - sentence.start]):
        features["quoted"] = 1.0
    if any(c.dep_ == "nsubj" and c.lower_ in ("i", "we", "you") for c in predicate.children):
        features["first_person"] = 1.0
    if any(t.like_num or t.ent_type_ in ("MONEY", "PERCENT") for t in sentence):
        features["numbers"] = 1.0
    if token.text[:1].isupper() and token.i > sentence.start:
        features["capitalized"] = 1.0
    return features


def add_rank_features(features: list[dict[str, float]], rule_confidences: list[float]) -> None:
    """Where each candidate stands among the sentence's candidates by rule confidence: the rules rank the
    substantive event above those it governs or that merely accompany it."""
    best = max(rule_confidences)
    for named, confidence in zip(features, rule_confidences, strict=True):
        named["rank=top" if confidence >= best else "rank=below"] = 1.0
        if len(features) > 1:
            named["several"] = 1.0


class EventModel:
    """Logistic weights over named features, with the probability below which a candidate is dropped."""

    def __init__(self, weights: dict[str, float], bias: float, threshold: float, never_drop: tuple[str, ...] = ()):
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self.never_drop = never_drop

    @classmethod
    def from_json(cls, data: dict) -> EventModel:
        if data.get("feature_version") != FEATURE_VERSION:
            raise ValueError(f"event model has feature version {data.get('feature_version')}, this code computes "
                             f"version {FEATURE_VERSION}: retrain it with `make events-model`")
        return cls(data["weights"], data["bias"], data["threshold"], tuple(data.get("never_drop", ())))

    def keeps(self, features: dict[str, float], probability: float) -> bool:
        """Kept at or above the threshold, or when a `never_drop` feature is present (violence reports and
        armed parties: the conflict news the rules were written for keep their events)."""
        return probability >= self.threshold or any(features.get(name) for name in self.never_drop)

    def sentence_keeps(self, features: list[dict[str, float]], probabilities: list[float]) -> list[bool]:
        """Which of a sentence's candidates are kept: those `keeps` admits, and every candidate the model
        scores at least as high as one of them. The probability orders the sentence's candidates, so a
        protected unlikely one ("unless the president agrees") never outlives a likelier one ("will
        boycott") that alone falls below the threshold."""
        admitted = [p for named, p in zip(features, probabilities, strict=True) if self.keeps(named, p)]
        floor = min(admitted, default=math.inf)
        return [p >= floor for p in probabilities]

    def probability(self, features: dict[str, float]) -> float:
        score = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


def in_rule_order(rule_confidences: list[float], probabilities: list[float]) -> list[float]:
    """Confidences for a sentence's kept candidates: each its probability, but below the most confident
    candidate the rules rank above it. The rules choose which event a sentence is about (the substantive
    event above those it governs or that merely accompany it); out of fold on the PLOVER build records the
    model's own choice of that top event was no better (71 right against 72), so the model only sets the level."""
    confidences = list(probabilities)
    ceiling = math.inf
    for level in sorted(set(rule_confidences), reverse=True):
        members = [i for i, rule in enumerate(rule_confidences) if rule == level]
        for i in members:
            confidences[i] = min(probabilities[i], ceiling)
        ceiling = max(confidences[i] for i in members) - 0.01
    return confidences


@cache
def shipped_model(path: str = MODEL_PATH) -> EventModel:
    """The model file shipped in the package (read once per process)."""
    with open(path, encoding="utf-8") as fh:
        return EventModel.from_json(json.load(fh))
