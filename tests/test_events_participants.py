"""Sources and targets from the parse around a trigger, without the rest of extraction. Our own sentences."""
from pipelines.events.participants import ArticleState, participants, subject_of
from pipelines.events.triggers import find_triggers


def parties(nlp, text, event_type, state=None):
    sentence = next(nlp(text).sents)
    trigger = next(t for t in find_triggers(sentence) if t.sense.event_type == event_type)
    sources, targets = participants(trigger, event_type, state or ArticleState())
    return [text for text, _ in sources], [text for text, _ in targets]


def test_the_agent_of_a_passive_is_the_source(nlp):
    assert parties(nlp, "Two reporters were detained by border guards.", "COERCE") == (
        ["border guards"], ["Two reporters"])


def test_the_object_of_a_control_verb_does_the_infinitive(nlp):
    doc = nlp("The envoy urged Israel to ease the blockade.")
    ease = next(t for t in doc if t.lemma_ == "ease")
    assert [t.text for t in subject_of(ease)[0]] == ["Israel"]


def test_a_pronoun_stands_for_the_subject_of_the_clause_above(nlp):
    sources, _ = parties(nlp, "Sweden said it had expelled two diplomats.", "SANCTION")
    assert sources == ["Sweden"]


def test_an_unresolved_pronoun_takes_the_last_subject_of_the_article(nlp):
    state = ArticleState()
    previous = nlp("The Red Cross opened a clinic.")
    state.last_subject = ("The Red Cross", previous[2])
    sources, _ = parties(nlp, "They attacked the convoy.", "ASSAULT", state)
    assert sources == ["The Red Cross"]


def test_a_demand_targets_the_subject_of_the_demanded_clause(nlp):
    _, targets = parties(nlp, "Brazil demanded that Argentina lift the tariffs.", "REQUEST")
    assert targets == ["Argentina"]


def test_talks_between_two_parties(nlp):
    assert parties(nlp, "Talks between Ghana and Togo resumed.", "CONSULT") == (["Ghana"], ["Togo"])
