"""The versioned state layouts of streaming dedup: exact round trips, a clear refusal of unknown versions, size."""
import pytest

from pipelines.text.dedup import NO_TIME, BucketClusters, Cluster, Match, ParagraphRef, index_article
from pipelines.text.dedup_state import (
    StateVersionError,
    decode_article,
    decode_clusters,
    decode_match,
    encode_article,
    encode_clusters,
    encode_match,
)
from pipelines.text.verify import DedupSettings
from tests import dedup_samples as s

SETTINGS = DedupSettings()
DAY_MS = 24 * 3600 * 1000


def clusters_of(*articles: dict) -> list[Cluster]:
    """Every paragraph of the articles filed in one bucket (record time an hour after publication)."""
    bucket = BucketClusters((), SETTINGS, DAY_MS)
    for article in articles:
        published = article["published_at"]
        recorded = None if published is None else published + 3_600_000
        for _, entry in index_article(article, published, SETTINGS, recorded):
            bucket.file(entry)
    return bucket.clusters


def test_clusters_round_trip_exactly():
    clusters = clusters_of(s.article("wire-1", 1_700_000_000_000, s.RESERVOIR, s.PUMPING, "Short one."),
                           s.article("outlet-1", 1_700_000_050_000, s.RESERVOIR_COPY, s.FARMERS, "Advertisement"))
    assert len(clusters) >= 4
    assert decode_clusters(encode_clusters(clusters)) == clusters


# Bytes written by layout version 1 (the release before) for V1_SAMPLE: a savepoint taken then still restores.
V1_BYTES = bytes.fromhex(
    "0106ffffffffffffffff7f076e6f2d74696d65000000009176963a82bbe1050040ce18e47fd563cbf13a8154b7756d9ce32b6a81"
    "2ef3499777035090667bb9577b126a4baf83c910574db67cae9b7281f007a2b8ff2825d88620efeb59277dc4c68e0101b4c601"
    "0001320080a0abfef9622466306531643263332d623461352d343639372d383837392d36613562346333643265316600d086"
    "03a0c7bd0380bab7030df6308e39725a3d0040c817d0fbbd512c2e61a8a9dbaed3c7621cecd09ea48572418627124d704207db"
    "bf3a5ffd4a51ef4262637c803dedd2727212fa760eda0846bc082e5da4edc123b40102fe3cc4e701011370811f033431330180"
    "a0abfef9622466306531643263332d623461352d343639372d383837392d366135623463336432653166010080bab70380bab7"
    "03f594685a6858891f00403164d12b79ccb3e92481e0b7ebd050da347b589d3a1d86ff7f5ed846c9daef7cef7fffb729bc83e8"
    "ce067c5ef25a4a264dbf797fd41f2a029baf2ebd3b4c2a03b601018c7b020633aa3388a432ff04313939380080a0abfef96224"
    "66306531643263332d623461352d343639372d383837392d366135623463336432653166020080bab70380bab7039f66edd8cf"
    "d8d05b020573686f72740131000301b2910300013100a0adb1fef9621475726c2d303132333435363738396162636465660100"
    "80bab70380bab703e7949ea1fe7c8b490040325097fb0babeadfac7964e49db2f96fb6891c430823a9327fbe337a4f4c43bf13"
    "b27021da68c558ce9ce229d5b2da9dd4ee35aede5eddd36ab1de503fb48009910100000000a0adb1fef9621475726c2d303132"
    "33343536373839616263646566020080bab70380bab703117254bcaee0eb59010d6164766572746973656d656e740009000000"
    "00")


def v1_sample() -> list[Cluster]:
    return clusters_of(
        s.article("f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f", 1_700_000_000_000, s.RESERVOIR, s.PUMPING, "Short one."),
        s.article("url-0123456789abcdef", 1_700_000_050_000, s.RESERVOIR_COPY, s.FARMERS, "Advertisement"),
        s.article("no-time", None, s.WATERING))


def test_state_written_by_layout_version_1_is_still_read():
    assert V1_BYTES[0] == 1
    assert decode_clusters(V1_BYTES) == v1_sample()


def test_version_2_takes_less_than_version_1_for_the_same_clusters():
    encoded = encode_clusters(v1_sample())
    assert encoded[0] == 2
    assert decode_clusters(encoded) == v1_sample()
    assert len(encoded) < len(V1_BYTES) * 0.85


@pytest.mark.parametrize("article_id", ["f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f", "F0E1D2C3-B4A5-4697-8879-6A5B4C3D2E1F",
                                        "{f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f}", "url-0123456789abcdef", "txt-abc",
                                        "scale-1-000123", "business/001.txt", "x-0a", "00ff", "caf\u00e9-ab12", ""])
def test_every_form_of_article_id_round_trips(article_id):
    clusters = clusters_of(s.article(article_id, 1_700_000_000_123, s.PUMPING, "Short one."))
    assert decode_clusters(encode_clusters(clusters)) == clusters


@pytest.mark.parametrize("digits", ["", "7", "2024", "00150", "\u0662\u0663"])
def test_digits_and_figures_round_trip(digits):
    cluster = clusters_of(s.article("d-1", 1_700_000_000_000, s.PUMPING))[0]
    sketch = cluster.first.sketch._replace(digits=digits, numbers=(65535, 3, 40000, 3), names=(0, 2**32 - 1))
    changed = cluster._replace(first=cluster.first._replace(sketch=sketch))
    assert decode_clusters(encode_clusters([changed])) == [changed]


def test_words_with_a_space_are_refused_rather_than_split_on_reading():
    cluster = clusters_of(s.article("w-1", 1_700_000_000_000, "Short one."))[0]
    sketch = cluster.first.sketch._replace(words=("two words", "x"))
    with pytest.raises(ValueError, match="without spaces"):
        encode_clusters([cluster._replace(first=cluster.first._replace(sketch=sketch))])


def test_paragraphs_without_any_time_round_trip():
    clusters = clusters_of(s.article("no-time", None, s.WATERING))
    assert clusters[0].first.ref.order_ms == NO_TIME
    assert decode_clusters(encode_clusters(clusters)) == clusters


def test_a_stored_cluster_of_a_long_paragraph_takes_under_200_bytes():
    clusters = clusters_of(s.article("f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f", 1_700_000_000_000, s.PUMPING))
    assert len(encode_clusters(clusters)) - 2 < 200


def test_matches_and_held_articles_round_trip():
    match = Match(ParagraphRef(5000, "b", 2), ParagraphRef(-3, "a\u00e9", 0), 0.8123)
    assert decode_match(encode_match(match)) == match
    article = s.article("caf\u00e9-1", 1000, s.PUMPING)
    assert decode_article(encode_article(article, 42)) == (article, 42)


def test_a_held_article_keeps_the_bytes_of_its_kafka_provenance():
    article = {**s.article("k-1", 1000, s.PUMPING),
               "kafka": {"topic": "t", "partition": 0, "offset": 3, "timestamp": 1000, "key": b"\xffkey",
                         "headers": [{"name": "trace", "value": b"\x00\x01"}, {"name": "none", "value": None}]}}
    assert decode_article(encode_article(article, 7)) == (article, 7)


@pytest.mark.parametrize("decode", [decode_clusters, decode_match, decode_article])
def test_an_unknown_layout_version_is_refused_with_a_clear_error(decode):
    with pytest.raises(StateVersionError, match="layout version 9, this release reads [12]"):
        decode(bytes([9, 0, 0]))
