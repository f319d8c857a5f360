"""Confidence ranks the reported event above the reporting verb and a governed event below its governor."""
from pipelines.events.confidence import STATEMENT_CONFIDENCE, clamp, confidence_of, governing_trigger
from pipelines.events.triggers import find_triggers


def scored(nlp, text):
    sentence = next(nlp(text).sents)
    found = find_triggers(sentence)
    return {t.token.text: confidence_of(t, governing_trigger(t, found), sentence, True, True, False) for t in found}


def test_a_reporting_verb_ranks_below_what_it_reports(nlp):
    scores = scored(nlp, "The ministry said police arrested twelve students.")
    assert scores["said"] <= STATEMENT_CONFIDENCE + 0.05 < scores["arrested"]


def test_a_governed_event_ranks_below_the_event_that_governs_it(nlp):
    scores = scored(nlp, "The army threatened to attack the town.")
    assert scores["attack"] < scores["threatened"]


def test_confidence_is_clamped_to_the_open_unit_interval():
    assert 0 < clamp(-1.0) < clamp(0.5) < clamp(3.0) < 1
