"""Trigger words used in no eventive sense give no event; the same words in their eventive sense still do.
All sentences are our own."""
import pytest

from tests.test_events_extract import extract, top


def types(events):
    return {(e["event_type"], e["trigger"]["text"]) for e in events if e["event_type"] != "STATEMENT"}


@pytest.mark.parametrize("sentence", [
    "Film star Grant Mitchell opened the festival in Cannes.",            # a trigger word inside a name
    "The band Snow Patrol played two sold-out nights in Glasgow.",
    "The banned sprinter returned to training on Monday.",                # attributive participles
    "Visiting supporters filled the stadium before kick-off.",
    "Freezing temperatures raised the price of heating oil.",
    "Nadal beat Federer 6-3 6-4 in the final.",                           # sport idioms
    "The two clubs will fight it out for the trophy on Sunday.",
    "The striker shot wide in the second half of the match.",
    "Sales of the new console could hit one million by May.",             # things as participants
    "The retailer blamed a weaker euro for its lower profits.",
    "The firm will offer two new music channels from June.",
    "Stronger demand from China lifted copper prices.",
    "A young wizard is killed in the last book of the series.",           # fiction
    "Two riders were injured in a motorcycle crash near Leeds.",          # an accident
    "The minister called the report a disgrace.",                        # naming, not requesting
    "The bank was put in charge of the new fund.",                        # fixed expressions
    "The ministry changed its rules in order to cut costs.",
    "Commentators are expected to seize on the figures.",                 # phrasal verb with no event
    "The carmaker is expected to receive a lift from the new model.",     # receiving a thing, no visit
    "The professor delivered a lecture on trade in Glasgow.",             # delivering a speech, no aid
    "Cheap flights offered by budget airlines are popular with students.",  # a participle's thing
    "The champion faces a tough battle with Paula Radcliffe in New York.",  # a contest between persons
    "The union did not reject the offer.",                                # no rejection took place
    "The striker injured his ankle in training on Tuesday.",              # an injury to a body part
    "The veteran actor almost had a heart attack on stage.",              # an illness
    "She qualified for the team at the national trials in June.",         # selection contests
])
def test_no_event_where_the_word_is_not_used_as_an_event(nlp, sentence):
    assert types(extract(nlp, sentence)) == set()


@pytest.mark.parametrize("sentence, event_type, trigger", [
    ("Police arrested two protesters in Cairo on Monday.", "COERCE", "arrested"),
    ("Rebels attacked an army convoy near the border.", "ASSAULT", "attacked"),
    ("The tennis federation banned the player for two years.", "COERCE", "banned"),
    ("Three soldiers were killed when a bomb exploded in the market.", "ASSAULT", "killed"),
    ("Government troops beat the prisoners with batons.", "ASSAULT", "beat"),
    ("The prime minister met the Japanese foreign minister in Tokyo.", "CONSULT", "met"),
    ("The union called on the government to raise wages.", "REQUEST", "called on"),
    ("The president received the Chinese delegation in Hanoi.", "CONSULT", "received"),
    ("The Red Cross delivered blankets to the refugees.", "AID", "delivered"),
    ("Two former bankers were sentenced to six years in prison by a Paris court.", "COERCE", "sentenced"),
    ("The opposition leader refuted the allegations made by the minister.", "REJECT", "refuted"),
    ("The families took legal action against the ministry.", "ACCUSE", "legal action"),
])
def test_the_same_words_in_their_eventive_sense_still_give_events(nlp, sentence, event_type, trigger):
    assert (event_type, trigger) in types(extract(nlp, sentence))


def test_an_attack_on_a_plan_or_with_a_verdict_is_criticism(nlp):
    events = extract(nlp, "The opposition leader attacked the government's new pledges as reckless.")
    assert ("ACCUSE", "attacked") in types(events)
    assert not any(e["event_type"] == "ASSAULT" for e in events)


def test_a_work_a_prize_or_a_number_is_never_a_target(nlp):
    events = extract(nlp, "Protesters from the union demonstrated against the award of the Golden Bear prize.")
    for event in events:
        assert all(a["text"] not in ("the Golden Bear prize", "Golden Bear prize") for a in event["actors"])


def test_a_hypothetical_event_is_marked_and_falls_below_the_filter(nlp):
    event = next(e for e in extract(nlp, "If the rebels attacked the capital, the army would respond.")
                 if e["trigger"]["text"] == "attacked")
    assert event["mode"] == "hypothetical"
    assert event["confidence"] < 0.5


def test_a_speaker_regretting_is_no_demand(nlp):
    assert types(extract(nlp, '"I should have done better," the coach said.')) == set()


def test_a_demand_by_a_speaker_of_another_party_is_a_request(nlp):
    event = top(extract(nlp, "The envoy said Israel must lift the blockade."))
    assert event["event_type"] == "REQUEST"
