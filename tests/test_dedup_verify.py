"""Signatures, bucket keys and the verification of candidate pairs."""
import numpy as np
import pytest

from pipelines.text.dedup_key import comparison_key
from pipelines.text.lsh import band_keys
from pipelines.text.minhash import MinHasher
from pipelines.text.verify import DedupSettings, near_duplicate_similarity, sketch_paragraphs, word_similarity
from tests import dedup_samples as s

SETTINGS = DedupSettings()


def similarity(later: str, earlier: str) -> float | None:
    (later_sketch, _), (earlier_sketch, _) = sketch_paragraphs([later, earlier], SETTINGS)
    return near_duplicate_similarity(later_sketch, earlier_sketch, SETTINGS)


def shingles(text: str, width: int = 5) -> set[bytes]:
    data = comparison_key(text).encode()
    return {data[i:i + width] for i in range(len(data) - width + 1)}


def test_a_signature_does_not_depend_on_the_rest_of_the_batch():
    hasher = MinHasher()
    keys = [comparison_key(t) for t in (s.RESERVOIR, s.PUMPING, "short", s.WATERING)]
    together = hasher.signatures(keys).values
    for i, key in enumerate(keys):
        assert np.array_equal(hasher.signatures([key]).values[0], together[i])


def test_estimated_jaccard_tracks_the_exact_jaccard():
    hasher = MinHasher(num_bins=256)
    pairs = [(s.RESERVOIR, s.RESERVOIR_UPDATE), (s.WATERING, s.WATERING_COPY), (s.RESERVOIR, s.FARMERS)]
    for a, b in pairs:
        exact = len(shingles(a) & shingles(b)) / len(shingles(a) | shingles(b))
        values = hasher.signatures([comparison_key(a), comparison_key(b)]).values
        assert abs(float(np.mean(values[0] == values[1])) - exact) < 0.12


def test_identical_keys_share_every_band_and_unrelated_ones_none():
    values = MinHasher().signatures([comparison_key(t) for t in (s.PUMPING, s.PUMPING_COPY, s.FARMERS)]).values
    bands = band_keys(values, SETTINGS.bands, SETTINGS.rows)
    assert (bands[0] == bands[1]).all()
    assert not set(bands[0]) & set(bands[2])


def test_band_layout_must_fit_the_signature():
    with pytest.raises(ValueError):
        band_keys(np.zeros((1, 16), dtype=np.uint32), bands=5, rows=4)


@pytest.mark.parametrize("copy, original", [
    (s.RESERVOIR_COPY, s.RESERVOIR),
    (s.PUMPING_COPY, s.PUMPING),
    (s.WATERING_COPY, s.WATERING),
])
def test_edited_copies_are_near_duplicates(copy, original):
    assert similarity(copy, original) is not None


@pytest.mark.parametrize("update, original", [
    (s.RESERVOIR_UPDATE, s.RESERVOIR),
    (s.PUMPING_NEW_NAME, s.PUMPING),
])
def test_same_wording_with_new_facts_is_not_a_duplicate(update, original):
    assert similarity(update, original) is None


def test_a_paragraph_that_adds_a_sentence_is_not_a_duplicate_of_the_shorter_one():
    longer = s.WATERING + " Hosepipe bans will be enforced with fines of up to 1,000 pounds from next month."
    assert similarity(longer, s.WATERING) is None
    assert similarity(s.WATERING, longer) is not None


def test_unrelated_paragraphs_are_not_duplicates():
    assert similarity(s.FARMERS, s.RESERVOIR) is None


def test_short_paragraphs_compare_word_by_word():
    assert similarity("1400 GMT", "1400 GMT") == 1.0
    assert similarity("1400", "1400 GMT") is not None
    assert similarity("1500 GMT", "1400 GMT") is None
    assert similarity("Lesotho v Malawi (dpa)", "Lesotho v Malawi") == 1.0
    assert similarity("Zambia v Botswana", "Zambia v Swaziland") is None
    assert similarity("On Tuesday,", "On Wednesday,") is None


def test_word_similarity_allows_one_edit():
    assert word_similarity(("winners", "meet", "final"), ("winners", "meet", "in", "final")) == 0.75
    assert word_similarity(("sunday", "febuary"), ("sunday", "february")) is not None
    assert word_similarity(("double", "olympic", "champion"), ("triple", "olympic", "champion")) is None
    assert word_similarity(("a", "b", "c"), ("a", "x", "y", "c")) is None


BAN = "The city council has banned cars from the old harbour district on weekends, starting in the spring."
BAN_THREATENED = ("The city council has threatened to ban cars from the old harbour district on weekends, "
                  "starting in the spring.")
ATTEND = "The foreign minister will attend the regional summit in Porto next week, her spokesman said on Monday."
ATTEND_NOT = ("The foreign minister will not attend the regional summit in Porto next week, her spokesman said "
              "on Monday.")
TALKS = ("Negotiators met again on Thursday. They did not reach a deal on fishing quotas, "
         "but both sides said the talks had been useful and would resume in May.")
TALKS_TRIMMED = "Negotiators met again on Thursday. Both sides said the talks had been useful and would resume in May."


@pytest.mark.parametrize("later, earlier", [(BAN_THREATENED, BAN), (ATTEND_NOT, ATTEND)])
def test_a_copy_that_adds_a_negation_or_a_threat_is_other_news(later, earlier):
    assert similarity(later, earlier) is None


def test_a_trim_may_lose_a_negated_sentence():
    assert similarity(TALKS_TRIMMED, TALKS) is not None


def test_a_synonym_swap_inside_a_stance_group_is_still_a_copy():
    plans = "The ferry operator plans to add two night crossings to the island from June, a spokeswoman said."
    intends = "The ferry operator intends to add two night crossings to the island from June, a spokeswoman said."
    assert similarity(intends, plans) is not None
