"""The Dedup stage on the DirectRunner: batch, and streaming semantics with TestStream."""
import json
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.test_stream import TestStream as BeamTestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.utils.timestamp import Timestamp

from pipelines.records import RawArticle
from pipelines.text.normalize import normalize_article
from pipelines.transforms.dedup import Dedup
from tests import dedup_samples as s

HOUR_MS = 3600 * 1000
DAY_S = 24 * 3600
SEED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "seed" / "seed_article.jsonl"


def removals(article: dict) -> tuple:
    """(article id, ((index, duplicate article, duplicate index), ...), kept indexes) of an output record."""
    return (article["article_id"],
            tuple((r["index"], r["duplicate_of"]["article_id"], r["duplicate_of"]["index"])
                  for r in article["removed_paragraphs"]),
            tuple(p["index"] for p in article["paragraphs"]))


ORIGINAL = s.article("wire-1", 10 * HOUR_MS, s.RESERVOIR, s.PUMPING, s.WATERING, s.PUMPING)
COPY = s.article("outlet-1", 12 * HOUR_MS, s.RESERVOIR_COPY, s.OUTLET_OWN, s.PUMPING_COPY)
UPDATE = s.article("outlet-2", 13 * HOUR_MS, s.RESERVOIR_UPDATE, s.FARMERS)
EXPECTED = [
    ("wire-1", ((3, "wire-1", 1),), (0, 1, 2)),
    ("outlet-1", ((0, "wire-1", 0), (2, "wire-1", 1)), (1,)),
    ("outlet-2", (), (0, 1)),
]


def streaming_options() -> PipelineOptions:
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    return options


def event(article: dict) -> beam.window.TimestampedValue:
    return beam.window.TimestampedValue(article, Timestamp(micros=article["published_at"] * 1000))


def run_stream(stream: BeamTestStream, expected: list, retention_seconds: float = 7 * DAY_S) -> None:
    """Runs the stream through Dedup; every stream advances the watermark past its last article before
    jumping to infinity (outputs of timers that fire only at infinity do not reach assert_that on the
    DirectRunner)."""
    with BeamTestPipeline(options=streaming_options()) as p:
        out = (p | stream | Dedup(retention_seconds=retention_seconds, streaming=True)
               | beam.Map(removals))
        assert_that(out, equal_to(expected))


def test_batch_removes_repeats_and_copies_keeps_fact_updates():
    with BeamTestPipeline() as p:
        out = p | beam.Create([UPDATE, COPY, ORIGINAL]) | Dedup() | beam.Map(removals)
        assert_that(out, equal_to(EXPECTED))


@pytest.mark.skipif(not SEED.exists(), reason="../shared/eval/seed not present")
def test_seed_article_loses_exactly_its_pasted_paragraphs():
    raw = SEED.read_bytes().strip()
    seed = normalize_article(RawArticle(fields=json.loads(raw), original=raw))
    with BeamTestPipeline() as p:
        out = p | beam.Create([seed]) | Dedup() | beam.Map(removals)
        assert_that(out, equal_to([("seed-000", ((3, "seed-000", 1), (4, "seed-000", 2)),
                                    (0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13))]))


def test_streaming_out_of_order_arrival_gives_the_batch_result():
    stream = (BeamTestStream()
              .advance_watermark_to(Timestamp(micros=9 * HOUR_MS * 1000))
              .add_elements([event(UPDATE)])
              .add_elements([event(COPY)])
              .add_elements([event(ORIGINAL)])
              .advance_watermark_to(Timestamp(micros=14 * HOUR_MS * 1000))
              .advance_watermark_to_infinity())
    run_stream(stream, EXPECTED)


def test_streaming_duplicate_after_its_original_expired_is_kept():
    late_copy = s.article("outlet-9", 10 * HOUR_MS + 3 * DAY_S * 1000, s.RESERVOIR_COPY, s.PUMPING_COPY)
    stream = (BeamTestStream()
              .advance_watermark_to(Timestamp(micros=9 * HOUR_MS * 1000))
              .add_elements([event(ORIGINAL)])
              .advance_watermark_to(Timestamp(micros=(10 * HOUR_MS + 2 * DAY_S * 1000 + 1000) * 1000))
              .add_elements([event(late_copy)])
              .advance_watermark_to(Timestamp(micros=(late_copy["published_at"] + HOUR_MS) * 1000))
              .advance_watermark_to_infinity())
    run_stream(stream, [("wire-1", ((3, "wire-1", 1),), (0, 1, 2)), ("outlet-9", (), (0, 1))],
               retention_seconds=2 * DAY_S)


def test_streaming_late_article_is_written_and_deduped_against_the_index():
    stream = (BeamTestStream()
              .advance_watermark_to(Timestamp(micros=9 * HOUR_MS * 1000))
              .add_elements([event(ORIGINAL)])
              .advance_watermark_to(Timestamp(micros=20 * HOUR_MS * 1000))
              .add_elements([event(COPY)])  # published at 12:00, behind the watermark: late
              .advance_watermark_to_infinity())
    run_stream(stream, EXPECTED[:2])


def test_streaming_earlier_original_arriving_after_its_copy_was_written_cannot_retract_it():
    stream = (BeamTestStream()
              .advance_watermark_to(Timestamp(micros=9 * HOUR_MS * 1000))
              .add_elements([event(COPY)])
              .advance_watermark_to(Timestamp(micros=20 * HOUR_MS * 1000))
              .add_elements([event(ORIGINAL)])  # late: the copy was already written with nothing removed
              .advance_watermark_to_infinity())
    run_stream(stream, [("wire-1", ((3, "wire-1", 1),), (0, 1, 2)), ("outlet-1", (), (0, 1, 2))])
