"""Event extraction from spaCy parses: triggers from our lexicon, actors from the dependency parse,
mode and negation from auxiliaries and governing verbs, place and time from attached phrases, and a
confidence that ranks the substantive event of a sentence above the reporting verb around it."""
from __future__ import annotations

from datetime import date, datetime, timezone

from spacy.tokens import Doc, Span

from pipelines.events import lexicon
from pipelines.events.actors import actor_record, is_pronoun, mentions
from pipelines.events.admission import eventive_event
from pipelines.events.confidence import HYPOTHETICAL_MAX, HYPOTHETICAL_PENALTY, clamp, confidence_of, governing_trigger
from pipelines.events.learned import EventModel, add_rank_features, candidate_features, in_rule_order, shipped_model
from pipelines.events.modality import is_negated, mode_of
from pipelines.events.participants import ArticleState, participants
from pipelines.events.parties import is_act, is_actor_like
from pipelines.events.place_time import location_of, time_of
from pipelines.events.syntax import main_subject, verb_lemma
from pipelines.events.timex import TimeMention, find_times
from pipelines.events.triggers import Trigger, find_triggers
from pipelines.text.ids import stable_hash

STATE_ACTIONS = {"COERCE", "SANCTION", "ACCUSE"}
# Doc.user_data key: where a parsed piece of a paragraph starts in it (0 when the whole paragraph was parsed).
PARAGRAPH_OFFSET = "newsstream_paragraph_offset"
# Record key of a candidate's model features, present only when the extractor is asked for them (training).
FEATURES_KEY = "model_features"


def published_date(published_at_ms: int | None) -> date | None:
    if published_at_ms is None:
        return None
    return datetime.fromtimestamp(published_at_ms / 1000, tz=timezone.utc).date()


def event_id(article_id: str, paragraph_index: int, sentence_start: int, trigger_start: int, event_type: str) -> str:
    """Deterministic: the same article text always yields the same ids."""
    return stable_hash(article_id, str(paragraph_index), str(sentence_start), str(trigger_start), event_type,
                       length=24)


class EventExtractor:
    """Turns the parsed paragraphs of an article into event records (schemas/event.avsc).

    `learned` applies the shipped event model (or `model`) to every non-STATEMENT candidate the rules admit:
    it drops those below the model's threshold and sets the confidence of the rest. `with_features` keeps
    each candidate's model features under FEATURES_KEY (to train the model; the records are then not for
    output)."""

    def __init__(self, model: EventModel | None = None, learned: bool = True, with_features: bool = False):
        self.model = model if model is not None or not learned else shipped_model()
        self.with_features = with_features

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
        events = self._scored(events)
        subject = main_subject(sentence)
        if subject is not None and not is_pronoun(subject):
            state.last_subject = (mentions(subject)[0][0] if mentions(subject) else subject.text, subject)
        return events

    def _events_for(self, trigger: Trigger, triggers: list[Trigger], sentence: Span, times: list[TimeMention],
                    article: dict, paragraph_index: int, published: date | None, state: ArticleState) -> list[dict]:
        event_type = trigger.sense.event_type
        mode = mode_of(trigger)
        negated = is_negated(trigger)
        if negated and event_type == "REJECT":
            # "has not ruled out", "did not refuse": no rejection took place
            return []
        sources, targets = participants(trigger, event_type, state)
        if not eventive_event(trigger, event_type, sources, targets, sentence):
            return []
        governor = governing_trigger(trigger, triggers)
        if trigger.kind != "obligation" and governor is None and mode == "intended" and any(
                is_actor_like(head) for _, head in sources):
            # "will send aid" is a promise (AGREE); "will hold talks" is a meeting planned (still CONSULT)
            if event_type in lexicon.COOPERATIVE_TYPES and not (event_type == "CONSULT" and trigger.kind == "noun"):
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
        if self.model is not None or self.with_features:
            for record in records:
                if record["event_type"] != "STATEMENT":
                    record[FEATURES_KEY] = candidate_features(
                        trigger, record["event_type"], sources, targets, sentence, record["mode"], record["negated"],
                        governor is not None, record["confidence"], actors)
        for record in records:
            record["event_id"] = event_id(article["article_id"], paragraph_index,
                                          sentence.start_char + sentence.doc.user_data.get(PARAGRAPH_OFFSET, 0),
                                          record["trigger"]["start"], record["event_type"])
        return records

    def _scored(self, events: list[dict]) -> list[dict]:
        """The sentence's events with the model's probability as confidence, those it drops left out, and
        its reports (STATEMENT) below the least confident event kept."""
        candidates = [event for event in events if FEATURES_KEY in event]
        if not candidates:
            return events
        add_rank_features([event[FEATURES_KEY] for event in candidates],
                          [event["confidence"] for event in candidates])
        if self.model is None:
            return events
        probabilities = [self.model.probability(event[FEATURES_KEY]) for event in candidates]
        keeps = self.model.sentence_keeps([event[FEATURES_KEY] for event in candidates], probabilities)
        admitted = [(event, probability) for event, probability, keep in zip(candidates, probabilities, keeps,
                                                                             strict=True) if keep]
        levels = in_rule_order([event["confidence"] for event, _ in admitted], [p for _, p in admitted])
        confidence_of_kept = {id(event): level for (event, _), level in zip(admitted, levels, strict=True)}
        kept = []
        for event in events:
            features = event.get(FEATURES_KEY) if self.with_features else event.pop(FEATURES_KEY, None)
            if features is not None:
                if id(event) not in confidence_of_kept:
                    continue
                cap = HYPOTHETICAL_MAX if event["mode"] == "hypothetical" else 1.0
                event["confidence"] = clamp(min(confidence_of_kept[id(event)], cap))
            kept.append(event)
        scored_kept = [event["confidence"] for event in kept if event["event_type"] != "STATEMENT"]
        if scored_kept:
            # A report ranks below the events it reports, as under the rules (STATEMENT_CONFIDENCE): the
            # model may keep a protected event below the fixed STATEMENT confidence.
            for event in kept:
                if event["event_type"] == "STATEMENT":
                    event["confidence"] = min(event["confidence"], round(min(scored_kept) - 0.01, 3))
        return kept


def trigger_record(trigger: Trigger, sentence: Span) -> dict:
    first, last = trigger.tokens[0], trigger.tokens[-1]
    start = first.idx - sentence.start_char
    end = last.idx + len(last.text) - sentence.start_char
    return {"text": sentence.text[start:end], "start": start, "end": end, "lemma": trigger.token.lemma_.lower()}
