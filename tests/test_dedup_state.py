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
    with pytest.raises(StateVersionError, match="layout version 9, this release reads 1"):
        decode(bytes([9, 0, 0]))
