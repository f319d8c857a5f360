"""The Dedup stage on the DirectRunner: batch, and streaming semantics with TestStream."""
import json
import time
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
from pipelines.text.verify import DedupSettings
from pipelines.transforms.dedup import AssembleArticle, Dedup
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


def at(ms: int) -> Timestamp:
    return Timestamp(micros=ms * 1000)


def record(article: dict, record_ms: int) -> beam.window.TimestampedValue:
    """The article as the Kafka reader emits it: stamped with its record time, not its publication time."""
    return beam.window.TimestampedValue(article, at(record_ms))


# Kafka record times far from the publication times (a day and more later), in an order of their own.
READ_MS = 40 * DAY_S * 1000


def run_stream(stream: BeamTestStream, expected: list, retention_seconds: float = 7 * DAY_S,
               settings: DedupSettings | None = None) -> None:
    """Runs the stream through Dedup; every stream advances the watermark past its last article before
    jumping to infinity (outputs of timers that fire only at infinity do not reach assert_that on the
    DirectRunner)."""
    with BeamTestPipeline(options=streaming_options()) as p:
        out = ((p | stream | Dedup(settings, retention_seconds=retention_seconds, streaming=True)).records
               | beam.Map(removals))
        assert_that(out, equal_to(expected))


def test_batch_removes_repeats_and_copies_keeps_fact_updates():
    with BeamTestPipeline() as p:
        out = (p | beam.Create([UPDATE, COPY, ORIGINAL]) | Dedup()).records | beam.Map(removals)
        assert_that(out, equal_to(EXPECTED))


def shared_line_articles(count: int) -> list[dict]:
    return [s.article(f"a{i:04d}", 1000 * i, s.FARMERS if i % 2 else s.OUTLET_OWN, f"Story number {i} of the day.",
                      s.WATERING) for i in range(count)]


def shared_line_expected(articles: list[dict]) -> list[tuple]:
    """a0000 keeps everything; every later article loses its watering line (index 2) to a0000's, and the
    farmers or outlet line to the first article that had it."""
    first_of = {s.FARMERS: "a0001", s.OUTLET_OWN: "a0000"}
    expected = []
    for article in articles:
        own = article["paragraphs"][0]["text"]
        gone = []
        if first_of[own] != article["article_id"]:
            gone.append((0, first_of[own], 0))
        if article["article_id"] != "a0000":
            gone.append((2, "a0000", 2))
        kept = tuple(i for i in range(3) if i not in {g[0] for g in gone})
        expected.append((article["article_id"], tuple(gone), kept))
    return expected


def test_batch_line_shared_by_many_articles_goes_everywhere_but_in_the_first():
    articles = shared_line_articles(300)
    with BeamTestPipeline() as p:
        out = (p | beam.Create(articles[::-1]) | Dedup()).records | beam.Map(removals)
        assert_that(out, equal_to(shared_line_expected(articles)))


def test_streaming_line_shared_by_many_articles_arriving_in_reverse_removes_what_batch_removes():
    """Each copy arriving before its earlier copies is answered by the representative of the moment, so
    `duplicate_of` names an earlier copy of the same line, not always the first (README: chains)."""
    articles = shared_line_articles(60)
    text = {(a["article_id"], p["index"]): p["text"] for a in articles for p in a["paragraphs"]}
    stream = BeamTestStream().advance_watermark_to(at(READ_MS - 1))
    for i, article in enumerate(articles[::-1]):
        stream = stream.add_elements([record(article, READ_MS + i)])
    stream = stream.advance_watermark_to(at(READ_MS + 1000)).advance_watermark_to_infinity()

    def removed_lines(article: dict) -> tuple:
        for r in article["removed_paragraphs"]:
            original = (r["duplicate_of"]["article_id"], r["duplicate_of"]["index"])
            assert original[0] < article["article_id"]
            assert text[original] == text[(article["article_id"], r["index"])]
        return article["article_id"], tuple(r["index"] for r in article["removed_paragraphs"])

    with BeamTestPipeline(options=streaming_options()) as p:
        out = (p | stream | Dedup(streaming=True)).records | beam.Map(removed_lines)
        assert_that(out, equal_to([(a, tuple(g[0] for g in gone)) for a, gone, _ in shared_line_expected(articles)]))


@pytest.mark.skipif(not SEED.exists(), reason="../shared/eval/seed not present")
def test_seed_article_loses_exactly_its_pasted_paragraphs():
    raw = SEED.read_bytes().strip()
    seed = normalize_article(RawArticle(fields=json.loads(raw), original=raw))
    with BeamTestPipeline() as p:
        out = (p | beam.Create([seed]) | Dedup()).records | beam.Map(removals)
        assert_that(out, equal_to([("seed-000", ((3, "seed-000", 1), (4, "seed-000", 2)),
                                    (0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13))]))


def test_streaming_order_is_publication_order_whatever_the_record_times():
    """Recorded newest first: the update, then the copy, then the original a second later each."""
    stream = (BeamTestStream()
              .advance_watermark_to(at(READ_MS - 1))
              .add_elements([record(UPDATE, READ_MS)])
              .add_elements([record(COPY, READ_MS + 1000)])
              .add_elements([record(ORIGINAL, READ_MS + 2000)])
              .advance_watermark_to(at(READ_MS + 3000))
              .advance_watermark_to_infinity())
    run_stream(stream, EXPECTED)


def test_streaming_duplicate_after_its_original_expired_is_kept():
    late_copy = s.article("outlet-9", 10 * HOUR_MS + 3 * DAY_S * 1000, s.RESERVOIR_COPY, s.PUMPING_COPY)
    stream = (BeamTestStream()
              .advance_watermark_to(at(READ_MS - 1))
              .add_elements([record(ORIGINAL, READ_MS)])
              .advance_watermark_to(at(READ_MS + 2 * DAY_S * 1000 + 2 * HOUR_MS))
              .add_elements([record(late_copy, READ_MS + 2 * DAY_S * 1000 + 2 * HOUR_MS)])
              .advance_watermark_to(at(READ_MS + 3 * DAY_S * 1000))
              .advance_watermark_to_infinity())
    run_stream(stream, [("wire-1", ((3, "wire-1", 1),), (0, 1, 2)), ("outlet-9", (), (0, 1))],
               retention_seconds=2 * DAY_S)


def test_streaming_archive_articles_read_together_are_deduplicated_as_in_batch():
    """Published 40 days before they are read, with a 2-day retention: the clusters live 2 days from the
    record time, so the copy read a day after the original still meets it."""
    stream = (BeamTestStream()
              .advance_watermark_to(at(READ_MS - 1))
              .add_elements([record(ORIGINAL, READ_MS)])
              .advance_watermark_to(at(READ_MS + DAY_S * 1000))
              .add_elements([record(COPY, READ_MS + DAY_S * 1000 + 1)])
              .advance_watermark_to(at(READ_MS + DAY_S * 1000 + 2))
              .advance_watermark_to_infinity())
    run_stream(stream, EXPECTED[:2], retention_seconds=2 * DAY_S)


def test_streaming_late_article_is_written_and_deduped_against_the_index():
    stream = (BeamTestStream()
              .advance_watermark_to(at(READ_MS - 1))
              .add_elements([record(ORIGINAL, READ_MS)])
              .advance_watermark_to(at(READ_MS + HOUR_MS))
              .add_elements([record(COPY, READ_MS + 1000)])  # recorded behind the watermark: late
              .advance_watermark_to_infinity())
    run_stream(stream, EXPECTED[:2])


def test_streaming_earlier_original_arriving_after_its_copy_was_written_cannot_retract_it():
    stream = (BeamTestStream()
              .advance_watermark_to(at(READ_MS - 1))
              .add_elements([record(COPY, READ_MS)])
              .advance_watermark_to(at(READ_MS + 1000))  # the copy settles and is written
              .add_elements([record(ORIGINAL, READ_MS + 2000)])
              .advance_watermark_to(at(READ_MS + 3000))
              .advance_watermark_to_infinity())
    run_stream(stream, [("wire-1", ((3, "wire-1", 1),), (0, 1, 2)), ("outlet-1", (), (0, 1, 2))])


def test_streaming_stalled_watermark_holds_an_article_no_longer_than_the_max_wait():
    """The watermark stays behind the copy's record time; once the processing clock passes the maximum
    wait the copy is written as it stands, so the original that comes after cannot remove from it. Without
    the wait the copy would be held until the original arrived and lose its paragraphs."""
    wait = 60.0
    stream = (BeamTestStream()
              .advance_watermark_to(at(READ_MS - 1))
              .add_elements([record(COPY, READ_MS)])
              .advance_processing_time(int(time.time() + 10 * wait))  # the test clock starts at 0
              .add_elements([record(ORIGINAL, READ_MS + 2000)])
              .advance_watermark_to(at(READ_MS + 3000))
              .advance_watermark_to_infinity())
    run_stream(stream, [("wire-1", ((3, "wire-1", 1),), (0, 1, 2)), ("outlet-1", (), (0, 1, 2))],
               settings=DedupSettings(max_wait_seconds=wait))


def test_streaming_without_the_max_wait_the_held_copy_loses_its_paragraphs():
    stream = (BeamTestStream()
              .advance_watermark_to(at(READ_MS - 1))
              .add_elements([record(COPY, READ_MS)])
              .add_elements([record(ORIGINAL, READ_MS + 2000)])
              .advance_watermark_to(at(READ_MS + 3000))
              .advance_watermark_to_infinity())
    run_stream(stream, EXPECTED[:2])


class HeldValue:
    """A ReadModifyWrite state or a timer of AssembleArticle, held in memory."""

    def __init__(self):
        self.value = None

    def read(self):
        return self.value

    def write(self, value):
        self.value = value

    def set(self, value):
        self.value = value

    def clear(self):
        self.value = None


class HeldBag(HeldValue):
    def read(self):
        return list(self.value or ())

    def add(self, value):
        self.value = [*(self.value or ()), value]


def assemble_state() -> dict:
    return {"articles": HeldBag(), "matches": HeldBag(), "expected": HeldBag(), "answers": HeldBag(),
            "phase": HeldValue(), "forget": HeldValue()}


def assemble(fn: AssembleArticle, state: dict, message: tuple) -> list:
    return list(fn.process(("outlet-1", message), at(READ_MS), settle=HeldValue(), max_wait=HeldValue(), **state))


def test_max_wait_names_an_article_still_missing_bucket_answers(caplog):
    """The max wait ends a watermark wait, not a wait for answers: an article short of answers stays held,
    and the timer says which and how many answers it has (on Prism articles went unwritten silently)."""
    fn, state = AssembleArticle(retention_ms=DAY_S * 1000, max_wait_seconds=60), assemble_state()
    assert assemble(fn, state, ("article", COPY, 3)) == []
    assert assemble(fn, state, ("reply", [])) == []
    assert assemble(fn, state, ("reply", [])) == []
    with caplog.at_level("WARNING", logger="pipelines.transforms.dedup"):
        assert list(fn.on_max_wait(**state)) == []
    assert "['outlet-1'] past the max wait: 2 of 3 bucket answers" in caplog.text

    caplog.clear()
    assert [a.value["article_id"] for a in assemble(fn, state, ("reply", []))] == ["outlet-1"]
    assert list(fn.on_max_wait(**state)) == [] and "past the max wait" not in caplog.text
