"""Triggers found in a sentence, with their sense and kind, without the rest of extraction. Our own sentences."""
import pytest

from pipelines.events.triggers import find_triggers, predicate_of


def triggers(nlp, text):
    sentence = next(nlp(text).sents)
    return [(t.sense.event_type, " ".join(w.text for w in t.tokens), t.kind) for t in find_triggers(sentence)]


def test_a_phrasal_verb_is_one_trigger_with_its_particle(nlp):
    assert ("REQUEST", "called on", "verb") in triggers(nlp, "The union called on the minister to resign.")


def test_an_event_noun_absorbs_its_light_verb(nlp):
    sentence = next(nlp("Farmers staged a protest outside the ministry.").sents)
    found = find_triggers(sentence)
    assert [(t.sense.event_type, t.token.text, t.kind) for t in found] == [("PROTEST", "protest", "noun")]
    assert found[0].light_verb.text == "staged"
    assert predicate_of(found[0]).text == "staged"


def test_a_verb_object_pair_has_the_sense_of_the_pair(nlp):
    assert ("AID", "sent aid", "verb") in triggers(nlp, "Norway sent aid to the flooded province.")


def test_an_obligation_reported_by_a_speaker_is_a_request(nlp):
    assert ("REQUEST", "must lift", "obligation") in triggers(nlp, "The envoy said Israel must lift the blockade.")


def test_a_willingness_adjective_is_a_commitment(nlp):
    assert ("AGREE", "ready", "adjective") in triggers(nlp, "The rebels are ready to negotiate with the army.")


def test_an_attack_on_a_policy_is_criticism(nlp):
    assert ("ACCUSE", "attacked", "verb") in triggers(nlp, "The senator attacked the new budget as reckless.")


@pytest.mark.parametrize("text", [
    "The banned sprinter returned to training.",     # an attributive participle
    "Nadal beat Federer in the final.",              # winning, not hurting
    "The ministry cut costs in order to save money.",  # a fixed expression
])
def test_words_not_used_as_events_give_no_trigger_of_their_sense(nlp, text):
    assert not any(kind in ("COERCE", "ASSAULT") for kind, _, _ in triggers(nlp, text))
