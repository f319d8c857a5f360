"""The learned event model: the shipped file loads and is the one the training script reproduces from the
stored feature table; its features come from the parse; the extractor drops what it rejects and gives
the rest its probability as confidence. All sentences are our own."""
import json
import os

import pytest

from benchmarks import train_event_model
from pipelines.events.extract import FEATURES_KEY, EventExtractor
from pipelines.events.learned import FEATURE_VERSION, MODEL_PATH, EventModel, in_rule_order, shipped_model


def extract(nlp, text, extractor):
    article = {"article_id": "a1", "published_at": None, "paragraphs": [{"index": 0, "text": text}]}
    return [e for e in extractor.article_events(article, [(0, nlp(text))]) if e["event_type"] != "STATEMENT"]


def test_shipped_model_loads_with_the_feature_version_of_this_code():
    model = shipped_model()
    assert 0.0 < model.threshold < 1.0
    assert "rule_confidence" in model.weights and len(model.weights) > 20


def test_a_model_trained_on_other_features_is_refused():
    with open(MODEL_PATH, encoding="utf-8") as fh:
        data = json.load(fh)
    data["feature_version"] = FEATURE_VERSION + 1
    with pytest.raises(ValueError, match="make events-model"):
        EventModel.from_json(data)


def test_retraining_from_the_stored_features_gives_the_shipped_model():
    with open(MODEL_PATH, encoding="utf-8") as fh:
        shipped = json.load(fh)
    retrained = json.loads(json.dumps(train_event_model.fit(train_event_model.read_rows())))
    assert retrained == shipped


def test_training_rows_are_build_half_candidates_only():
    from benchmarks.events_quality import half_of, news_id
    rows = train_event_model.read_rows()
    assert {row["set"] for row in rows} == {"plover", "wikievents", "news", "candidates"}
    dev = [row for row in rows if row["set"] in ("plover", "wikievents")]
    assert dev and all(half_of(row["id"]) == "build" for row in dev)
    held_news = {news_id(label) for label in map(json.loads, open(os.path.join(
        os.path.dirname(train_event_model.FEATURES_PATH), "events_news_labels.jsonl"), encoding="utf-8"))
        if half_of(news_id(label)) == "held"}
    assert not held_news & {row["id"] for row in rows if row["set"] == "news"}


def test_features_come_from_the_parse(nlp):
    text = "Police arrested two protesters in Cairo on Monday."
    [event] = extract(nlp, text, EventExtractor(learned=False, with_features=True))
    features = event[FEATURES_KEY]
    assert features["type=COERCE"] == 1.0 and features["lemma=arrest"] == 1.0
    assert features["violence_context"] == 1.0 and features["rank=top"] == 1.0
    assert features["rule_confidence"] == event["confidence"]


def test_confidence_is_the_model_probability(nlp):
    text = "The Swedish foreign minister met her Chinese counterpart in Beijing on Tuesday."
    [rules] = extract(nlp, text, EventExtractor(learned=False, with_features=True))
    [learned] = extract(nlp, text, EventExtractor())
    model = shipped_model()
    assert learned["confidence"] == round(model.probability(rules[FEATURES_KEY]), 3)
    assert FEATURES_KEY not in learned


def test_model_drops_rule_matches_it_finds_unlikely_and_keeps_real_events(nlp):
    unlikely = "The company is committed to cutting its prices this year."
    assert extract(nlp, unlikely, EventExtractor(learned=False))
    assert extract(nlp, unlikely, EventExtractor()) == []
    real = "Rebels attacked an army convoy near the border on Sunday."
    assert [e["event_type"] for e in extract(nlp, real, EventExtractor())] == ["ASSAULT"]


def test_a_threshold_above_every_probability_drops_all_but_protected_candidates(nlp):
    shipped = shipped_model()
    strict = EventModel(shipped.weights, shipped.bias, threshold=1.0, never_drop=("violence_context",))
    assert extract(nlp, "The union criticised the plan on Monday.", EventExtractor(model=strict)) == []
    kept = extract(nlp, "Soldiers killed three villagers on Monday.", EventExtractor(model=strict))
    assert [e["event_type"] for e in kept] == ["ASSAULT"]


def test_hypothetical_events_stay_below_the_filtering_level(nlp):
    events = extract(nlp, "Ankara could impose sanctions on the firm if the dispute continues.", EventExtractor())
    hypothetical = [e for e in events if e["mode"] == "hypothetical"]
    assert hypothetical and all(e["confidence"] <= 0.45 for e in hypothetical)


def test_a_sentence_keeps_every_candidate_scored_above_one_it_keeps():
    model = EventModel({"likely": 1.0, "unlikely": -1.0}, bias=-1.0, threshold=0.6, never_drop=("protected",))
    features = [{"protected": 1.0}, {"likely": 1.0}, {"unlikely": 1.0}]
    probabilities = [model.probability(named) for named in features]
    assert probabilities[2] < probabilities[0] < probabilities[1] < model.threshold
    assert model.sentence_keeps(features, probabilities) == [True, True, False]
    assert model.sentence_keeps(features[1:], probabilities[1:]) == [False, False]


def test_an_intended_threat_outranks_the_unlikely_condition_kept_beside_it(nlp):
    text = "The opposition party has said it will boycott the national elections unless the prime minister " \
           "agrees to resign."
    confidence = {e["event_type"]: e["confidence"] for e in extract(nlp, text, EventExtractor())}
    assert confidence["THREATEN"] > confidence["AGREE"]
    assert confidence["THREATEN"] < 0.5


def test_a_report_ranks_below_the_event_it_reports_however_unlikely_that_is(nlp):
    doubtful = EventModel({}, bias=-3.0, threshold=0.5, never_drop=("type=AGREE",))
    text = "A spokesman said the European Union will send emergency supplies to villages cut off by the flood."
    article = {"article_id": "a1", "published_at": None, "paragraphs": [{"index": 0, "text": text}]}
    events = EventExtractor(model=doubtful).article_events(article, [(0, nlp(text))])
    confidence = {e["event_type"]: e["confidence"] for e in events}
    assert confidence["AGREE"] < 0.25
    assert confidence["STATEMENT"] < confidence["AGREE"]


def test_the_model_sets_the_level_of_each_event_and_the_rules_their_order():
    assert in_rule_order([0.9, 0.6, 0.3], [0.4, 0.8, 0.7]) == pytest.approx([0.4, 0.39, 0.38])
    assert in_rule_order([0.6, 0.9], [0.95, 0.7]) == pytest.approx([0.69, 0.7])
    assert in_rule_order([0.8, 0.8, 0.5], [0.3, 0.9, 0.6]) == pytest.approx([0.3, 0.9, 0.6])


def test_the_event_the_rules_put_first_stays_first_when_the_model_prefers_another(nlp):
    prefers_governed = EventModel({"rank=below": 4.0}, bias=-1.0, threshold=0.0)
    text = "The government agreed to send troops to the border after rebels attacked a village."
    rules = extract(nlp, text, EventExtractor(learned=False))
    learned = extract(nlp, text, EventExtractor(model=prefers_governed))
    first_by_rules = max(rules, key=lambda e: e["confidence"])["event_type"]
    assert len(learned) == len(rules) > 1
    assert max(learned, key=lambda e: e["confidence"])["event_type"] == first_by_rules


def test_a_plover_candidate_of_another_type_is_wrong_only_when_the_gold_event_was_missed():
    def row(record, label):
        return {"set": "plover", "id": record, "label": label, "features": {}}
    rows = [row("found", "right"), row("found", "other type"), row("missed", "other type"), row("x", "optional")]
    kept = train_event_model.training_rows(rows)
    assert [(r["id"], r["right"]) for r in kept] == [("found", True), ("missed", False)]
