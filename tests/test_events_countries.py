"""Country resolution from names, demonyms and capitals."""
import pytest

from pipelines.events.actors import sector_of
from pipelines.events.countries import country_of


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
