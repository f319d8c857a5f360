"""Event extraction on our own sentences: types, actors, place, time, negation, mode, confidence, ids."""
from datetime import date, datetime, timezone

import pytest

from pipelines.events.extract import EventExtractor

PUBLISHED = int(datetime(2019, 7, 31, tzinfo=timezone.utc).timestamp() * 1000)


def extract(nlp, *paragraphs, published_at=PUBLISHED, article_id="a1"):
    article = {"article_id": article_id, "published_at": published_at,
               "paragraphs": [{"index": i, "text": t} for i, t in enumerate(paragraphs)]}
    docs = list(enumerate(nlp.pipe(paragraphs)))
    return EventExtractor().article_events(article, docs)


def top(events):
    return max(events, key=lambda e: e["confidence"])


def actors(event, role):
    return [a for a in event["actors"] if a["role"] == role]


def test_meeting_with_coordinated_sources_place_and_time(nlp):
    event = top(extract(nlp, "Chilean and Peruvian ministers met in Lima on Monday to discuss fishing rights."))
    assert event["event_type"] == "CONSULT"
    assert event["trigger"]["text"] == "met"
    sources = actors(event, "source")
    assert [(a["text"], a["country"], a["sector"]) for a in sources] == [
        ("Chilean ministers", "CHL", "GOV"), ("Peruvian ministers", "PER", "GOV")]
    assert event["location"] == {"text": "Lima", "country": "PER"}
    assert event["time"]["start"] == event["time"]["end"] == date(2019, 7, 29)
    assert event["time"]["granularity"] == "day"


def test_trigger_offsets_point_into_the_sentence(nlp):
    for event in extract(nlp, "Rebels ambushed an army convoy. Officials condemned the attack on Friday."):
        trigger = event["trigger"]
        assert event["sentence"][trigger["start"]:trigger["end"]] == trigger["text"]


def test_reported_event_outranks_the_reporting_verb(nlp):
    events = extract(nlp, "The interior ministry said police arrested twelve students in Nairobi.")
    assert {e["event_type"] for e in events} >= {"COERCE", "STATEMENT"}
    event = top(events)
    assert event["event_type"] == "COERCE"
    assert [a["text"] for a in actors(event, "source")] == ["police"]
    assert [a["text"] for a in actors(event, "target")] == ["twelve students"]
    assert event["location"]["country"] == "KEN"


def test_passive_agent_is_the_source(nlp):
    event = top(extract(nlp, "Two reporters were detained by border guards near Ankara."))
    assert event["event_type"] == "COERCE"
    assert [a["text"] for a in actors(event, "source")] == ["border guards"]
    assert [a["text"] for a in actors(event, "target")] == ["Two reporters"]


def test_negated_agreement_is_flagged_and_read_as_a_rejection(nlp):
    events = extract(nlp, "The union did not accept the government's offer.")
    accept = next(e for e in events if e["trigger"]["text"] == "accept" and e["event_type"] == "AGREE")
    assert accept["negated"] is True
    assert top(events)["event_type"] == "REJECT"
    assert top(events)["negated"] is False


def test_declared_intentions_have_intended_mode_and_a_promise_type(nlp):
    event = top(extract(nlp, "Norway will send medical supplies to Yemen next month."))
    assert event["mode"] == "intended"
    assert event["event_type"] == "AGREE"
    assert event["time"]["start"] == date(2019, 8, 1)
    hostile = top(extract(nlp, "The rebels said they would attack the capital."))
    assert hostile["event_type"] == "THREATEN"
    assert [a["text"] for a in actors(hostile, "source")] == ["rebels"]


def test_conditional_is_hypothetical(nlp):
    event = top(extract(nlp, "Ankara could impose sanctions on the firm if the dispute continues."))
    assert event["event_type"] == "SANCTION"
    assert event["mode"] == "hypothetical"


def test_event_nouns_with_light_verbs(nlp):
    event = top(extract(nlp, "Farmers staged a protest outside parliament in Paris on Thursday."))
    assert event["event_type"] == "PROTEST"
    assert event["trigger"]["text"] == "protest"
    assert [a["text"] for a in actors(event, "source")] == ["Farmers"]


def test_hyphenated_test_fire_is_a_show_of_force_by_the_subject(nlp):
    event = top(extract(nlp, "Iran test-fired a new cruise missile on Sunday."))
    assert event["event_type"] == "MOBILIZE"
    assert event["trigger"]["text"] == "test-fired"
    assert [(a["text"], a["country"]) for a in actors(event, "source")] == [("Iran", "IRN")]


def test_pronoun_subject_of_reported_clause_is_the_speaker(nlp):
    event = top(extract(nlp, "Sweden said it had expelled two diplomats."))
    assert event["event_type"] == "SANCTION"
    assert [a["country"] for a in actors(event, "source")] == ["SWE"]


def test_demand_targets_the_subject_of_the_demanded_clause(nlp):
    event = top(extract(nlp, "Brazil demanded that Argentina lift the tariffs."))
    assert event["event_type"] == "REQUEST"
    assert [a["text"] for a in actors(event, "target")] == ["Argentina"]


def test_titled_name_is_a_person_across_paragraphs(nlp):
    events = extract(nlp, "President Okafor visited Accra.", "Okafor told reporters the visit went well.")
    told = next(e for e in events if e["trigger"]["text"] == "told")
    assert actors(told, "source")[0]["entity_type"] == "PERSON"


def test_no_publication_time_keeps_the_time_text_without_dates(nlp):
    event = top(extract(nlp, "Protesters marched in Lagos last week.", published_at=None))
    assert event["time"]["text"] == "last week"
    assert event["time"]["start"] is None and event["time"]["end"] is None


def test_event_ids_are_deterministic_and_distinct(nlp):
    text = "Rebels attacked a convoy and police arrested two men."
    first = [e["event_id"] for e in extract(nlp, text)]
    assert first == [e["event_id"] for e in extract(nlp, text)]
    assert len(set(first)) == len(first) >= 2
    assert first != [e["event_id"] for e in extract(nlp, text, article_id="a2")]


def test_confidence_is_between_zero_and_one(nlp):
    events = extract(nlp, "Officials said the talks collapsed after troops shelled the town.")
    assert events and all(0.0 <= e["confidence"] <= 1.0 for e in events)


@pytest.mark.parametrize("text", ["The weather was fine.", "", "12345 67890"])
def test_sentences_without_events(nlp, text):
    assert extract(nlp, text) == []


def test_participle_hanging_from_the_root_noun_is_the_predicate(nlp):
    # the model attaches "called" as a modifier of "newspaper", leaving the sentence without a verb
    event = top(extract(nlp, "A Kenyan newspaper called Monday on donors to fund the clinic."))
    assert event["event_type"] == "REQUEST"
    assert [a["text"] for a in actors(event, "source")] == ["Kenyan newspaper"]
    assert [a["text"] for a in actors(event, "target")] == ["donors"]


def test_coordinated_participles_share_the_subject_of_a_root_noun(nlp):
    event = top(extract(nlp, "Engineers from three Swiss charities donated and installed water pumps in the village."))
    assert event["event_type"] == "AID"
    assert [a["text"] for a in actors(event, "source")] == ["Engineers from three Swiss charities"]


def test_actor_text_drops_a_dangling_preposition(nlp):
    text = "Hundreds of students from throughout the region were assembling Monday for a rally in Dakar."
    event = top(extract(nlp, text))
    assert [a["text"] for a in actors(event, "source")] == ["Hundreds of students"]


@pytest.mark.parametrize("text, target", [
    ("Engineers from three Swiss charities donated and delivered water pumps to Gulu District Hospital.",
     "Gulu District Hospital"),
    ("Rebels attacked and burned the offices of the Ugandan Red Cross.", "Ugandan Red Cross"),
])
def test_coordinated_verbs_share_the_target_of_the_last_one(nlp, text, target):
    event = top(extract(nlp, text))
    assert event["trigger"]["text"] in ("donated", "attacked")
    assert [a["text"] for a in actors(event, "target")] == [target]


@pytest.mark.parametrize("text, trigger", [
    ("The mayor denied allegations that she had misled the council.", "denied"),
    ("Senators rejected the accusation as baseless on Thursday.", "rejected"),
    ("Local politicians rejected the budget after a long debate.", "rejected"),
])
def test_rejecting_a_claim_or_a_bill_is_a_rejection(nlp, trigger, text):
    events = [e for e in extract(nlp, text) if e["event_type"] == "REJECT"]
    assert [e["trigger"]["text"] for e in events] == [trigger]
    assert actors(events[0], "source")


def test_talks_planned_are_a_meeting_and_aid_promised_is_an_agreement(nlp):
    talks = extract(nlp, "The two unions will hold talks with the transport minister next week.")
    assert "CONSULT" in {e["event_type"] for e in talks} and "AGREE" not in {e["event_type"] for e in talks}
    promise = extract(nlp, "Norway will send food aid to the refugees in the camps.")
    assert top(promise)["event_type"] == "AGREE"


@pytest.mark.parametrize("text, absent", [
    ("The carmaker struck a deal with its unions on Friday.", "ASSAULT"),
    ("A spokesman for the ministry declined to comment.", "REJECT"),
    ("The party leader refused to discuss the reports.", "CONSULT"),
    ("The new manager took charge of the club in May.", "ACCUSE"),
    ("Demand for copper from Chinese factories rose again in March.", "REQUEST"),
    ("The firm demonstrated a folding phone at the trade fair.", "PROTEST"),
    ("Police in riot gear moved into the square before dawn.", "PROTEST"),
    ("The squad attacked relentlessly after half-time and scored twice.", "ASSAULT"),
])
def test_words_outside_their_event_sense_give_no_event(nlp, text, absent):
    assert absent not in {e["event_type"] for e in extract(nlp, text)}


@pytest.mark.parametrize("text, event_type", [
    ("The government struck a deal with the rebels on Friday.", "AGREE"),
    ("Students demonstrated against the fees in the capital.", "PROTEST"),
    ("The union's demand for higher pay was rejected by the board.", "REQUEST"),
    ("The two governments launched a mediation effort in the region.", "CONSULT"),
])
def test_the_same_words_in_their_event_sense_still_give_the_event(nlp, text, event_type):
    assert event_type in {e["event_type"] for e in extract(nlp, text)}


@pytest.mark.parametrize("text, event_type", [
    ("The company agreed terms with its lenders on Monday.", "AGREE"),
    ("The former world champion has been banned from racing for two years.", "COERCE"),
])
def test_plural_acts_and_people_named_by_their_role_are_participants(nlp, text, event_type):
    assert event_type in {e["event_type"] for e in extract(nlp, text)}


@pytest.mark.parametrize("text, event_type", [
    ("The prime minister praised his handling of the crisis.", "SUPPORT"),
    ("Her appointment was endorsed by the party's national executive.", "SUPPORT"),
    ("Opposition parties have been pushing for an early election.", "REQUEST"),
])
def test_praise_of_what_someone_did_and_pushing_for_something_are_events(nlp, text, event_type):
    assert event_type in {e["event_type"] for e in extract(nlp, text)}
