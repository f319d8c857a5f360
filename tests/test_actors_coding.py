"""Actor codes (country, sector) on our own sentences and short articles: from a mention's words, from the
parse, and inherited across an article; things that cannot act are no actors."""
import json
import os

import pytest

from pipelines.events.batch import EventBatcher
from pipelines.events.coding import SECTOR_CODES, code_words
from pipelines.events.countries import country_of
from pipelines.records import RawArticle
from pipelines.text.normalize import normalize_article


@pytest.mark.parametrize("text, country, sector", [
    ("Malian rebel commanders", "MLI", "REB"),
    ("the Peruvian health ministry", "PER", "GOV"),
    ("Kenyan opposition leaders", "KEN", "OPP"),
    ("Polish riot police", "POL", "COP"),
    ("the Thai parliament", "THA", "LEG"),
    ("Chilean farmers", "CHL", "AGR"),
    ("displaced Sudanese refugees", "SDN", "REF"),
    ("the state-run Egyptian newspaper", "EGY", "GOV"),
    ("an independent Egyptian newspaper", "EGY", "JRN"),
    ("NATO", None, "IGO"),
    ("the Arab League", None, "IGO"),
    ("the Russian Security Council", "RUS", "GOV"),
    ("Hezbollah", "LBN", "REB"),
    ("Ankara", "TUR", "GOV"),
    ("Brazil", "BRA", None),
    ("Merkel", "DEU", "GOV"),
    ("Russian air strikes", "RUS", "MIL"),
    ("a car bombing", None, "UAF"),
])
def test_words_of_a_mention_give_its_codes(text, country, sector):
    codes = code_words(text)
    assert (codes.country, codes.sector) == (country, sector)


def test_every_sector_produced_is_a_documented_symbol():
    produced = {code_words(t).sector for t in ("troops", "judges", "bishops", "smugglers", "nurses", "teachers",
                                               "reporters", "bankers firms", "union", "party", "Amnesty")}
    assert produced - {None} <= set(SECTOR_CODES)


def test_generated_place_names_need_their_capital_letter():
    assert country_of("protesters in Mosul") == "IRQ"
    assert country_of("protesters in the mosul area") is None
    assert country_of("Independence", generated_names=False) is None


def events_of(nlp, *paragraphs):
    article = {"article_id": "a", "published_at": None,
               "paragraphs": [{"index": i, "text": t} for i, t in enumerate(paragraphs)]}
    batcher = EventBatcher(nlp)
    results = batcher.add(article) + batcher.flush()
    return results[0].events


def coded(events, role=None, paragraph=None):
    """(text, country, sector) of the actors, of one role and paragraph when given."""
    return {(a["text"], a["country"], a["sector"]) for e in events for a in e["actors"]
            if (role is None or a["role"] == role) and paragraph in (None, e["paragraph_index"])}


def test_titles_give_the_sector_of_a_named_person(nlp):
    events = events_of(nlp, "General Hassan Diallo threatened the protesters in Bamako.")
    assert ("General Hassan Diallo", "MLI", "MIL") in coded(events, "source")


def test_surnames_inherit_the_codes_of_the_full_mention_across_paragraphs(nlp):
    events = events_of(nlp, "Ghanaian Foreign Minister Kwame Mensah met Togolese officials in Lome on Monday.",
                       "The talks went well, the ministry said.",
                       "Mensah later accused the rebels of blocking aid.")
    assert ("Mensah", "GHA", "GOV") in coded(events, "source")


def test_the_ministry_refers_back_to_the_last_ministry_named(nlp):
    events = events_of(nlp, "The Iranian foreign ministry summoned the Danish ambassador on Monday.",
                       "The ministry also condemned the Danish newspaper.")
    assert ("ministry", "IRN", "GOV") in coded(events, "source", paragraph=1)


def test_the_north_is_the_divided_country_the_article_named(nlp):
    events = events_of(nlp, "South Korean troops fired warning shots after North Korean soldiers crossed "
                       "the border.", "The North condemned the shooting on Tuesday.")
    assert any(country == "PRK" for _, country, _ in coded(events, "source", paragraph=1))


def test_an_unplaced_state_body_takes_the_articles_country(nlp):
    events = events_of(nlp, "Hundreds of Bolivian miners marched in La Paz on Monday.",
                       "Police arrested twelve protesters.")
    assert ("Police", "BOL", "COP") in coded(events, "source", paragraph=1)


def test_an_unclaimed_attack_belongs_to_where_it_happened(nlp):
    events = events_of(nlp, "A car bombing near Mosul killed four policemen on Sunday.")
    assert ("car bombing", "IRQ", "UAF") in coded(events, "source")


def test_a_city_attacked_is_its_people_a_city_acting_is_its_government(nlp):
    attacked = events_of(nlp, "Serbian forces shelled Sarajevo on Monday.")
    assert ("Sarajevo", "BIH", "CVL") in coded(attacked, "target")
    acting = events_of(nlp, "Ankara accused Greece of harbouring militants.")
    assert ("Ankara", "TUR", "GOV") in coded(acting, "source")


def test_an_attached_phrase_names_the_body_behind_a_mention(nlp):
    events = events_of(nlp, "A team of inspectors from the IAEA met Iranian officials in Tehran.")
    assert any(sector == "IGO" and country is None for _, country, sector in coded(events, "source"))


def test_a_state_acting_unnamed_is_coded_with_a_documented_symbol(nlp):
    events = events_of(nlp, "Two journalists were arrested in Lebanon on Monday.")
    assert ("Lebanon", "LBN", "GOV") in coded(events, "source")
    assert {sector for e in events for a in e["actors"] if (sector := a["sector"])} <= set(SECTOR_CODES)


def test_weapons_and_documents_are_no_actors(nlp):
    events = events_of(nlp, "The army fired three rockets at the rebels on Monday and handed photographs "
                       "to the envoy.")
    texts = {text for text, _, _ in coded(events)}
    assert not any("rockets" in t or "photographs" in t for t in texts)
    assert "army" in texts


SEED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "eval", "seed", "seed_article.jsonl")


@pytest.mark.skipif(not os.path.exists(SEED), reason="../shared/eval/seed not found beside the project")
def test_seed_story_actors_carry_their_countries(nlp):
    with open(SEED, encoding="utf-8") as fh:
        article = normalize_article(RawArticle(fields=json.loads(fh.readline()), original=b""))
    batcher = EventBatcher(nlp)
    events = (batcher.add(article) + batcher.flush())[0].events
    actors = [(a["text"], a["country"]) for e in events for a in e["actors"]]
    for name, country in (("Trump", "USA"), ("Kim", "PRK"), ("North", "PRK")):
        assert {c for t, c in actors if t == name} == {country}, name
    assert not any(word in text for text, _ in actors for word in ("missile", "photograph"))


def test_a_name_inside_a_coded_actor_phrase_codes_its_later_mentions_without_entities():
    from pipelines.events.coding import Codes
    from pipelines.events.coreference import ArticleMemory

    memory = ArticleMemory()
    memory.add_actor_names("North Korean leader Kim Jong-un", Codes("PRK", "GOV"), (1, 0))
    assert memory.inherited("Kim", (6, 0)) == Codes("PRK", "GOV")
    assert memory.inherited("leader", (6, 0)) == Codes()
    assert "North" not in memory.names and "Korean" not in memory.names
