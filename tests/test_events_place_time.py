"""Place and time attached to a trigger, without the rest of extraction. Our own sentences."""
from datetime import date

from pipelines.events.place_time import location_of, time_of
from pipelines.events.timex import find_times
from pipelines.events.triggers import find_triggers


def trigger_and_sentence(nlp, text):
    sentence = next(nlp(text).sents)
    return find_triggers(sentence)[0], sentence


def test_the_place_phrase_of_the_trigger(nlp):
    trigger, _ = trigger_and_sentence(nlp, "Chilean ministers met in Lima on Monday.")
    assert location_of(trigger) == {"text": "Lima", "country": "PER"}


def test_a_place_that_modifies_another_noun_is_not_the_events(nlp):
    trigger, _ = trigger_and_sentence(nlp, "Police arrested a student from a school in Nairobi.")
    assert location_of(trigger) is None


def test_the_time_phrase_resolved_against_the_publication_date(nlp):
    trigger, sentence = trigger_and_sentence(nlp, "Chilean ministers met in Lima on Monday.")
    when = time_of(trigger, find_times(sentence.text), sentence, date(2019, 7, 31), future=False)
    assert (when["text"], when["start"], when["granularity"]) == ("Monday", date(2019, 7, 29), "day")


def test_a_future_event_resolves_forward(nlp):
    trigger, sentence = trigger_and_sentence(nlp, "The ministers will meet in Lima on Monday.")
    when = time_of(trigger, find_times(sentence.text), sentence, date(2019, 7, 31), future=True)
    assert when["start"] == date(2019, 8, 5)
