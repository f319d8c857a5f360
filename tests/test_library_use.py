"""Our stages inside a user's Beam pipeline: the README example runs; each stage takes what a user naturally
holds (bytes or str messages, dicts in the input contract, our own Avro records read back), declares its
types, returns `.records` / `.dead_letters`, and never raises on input it cannot use."""
from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.io.avroio import ReadFromAvro
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.typehints.decorators import TypeCheckError

from pipelines.cli import run_totals
from pipelines.io.avro import write_avro_file
from pipelines.records import SOURCE_FIELD
from pipelines.transforms.dedup import Dedup
from pipelines.transforms.events import ExtractEvents
from pipelines.transforms.normalize import Normalize
from pipelines.transforms.parse import Parse
from pipelines.transforms.stage import dead_letter_for

README = Path(__file__).resolve().parent.parent / "README.md"
ARTICLE = {"id": "a1", "text": "Police arrested two men in Lima.", "published_at": "2019-07-31T09:00:00Z"}


def readme_example() -> str:
    text = README.read_text()
    return re.search(r"<!-- library-example -->\n```python\n(.*?)```", text, re.S).group(1)


def test_the_readme_example_runs_and_prints_the_event():
    done = subprocess.run([sys.executable, "-c", readme_example()], capture_output=True, text=True, timeout=600,
                          cwd=README.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["a1", "COERCE"]


def test_parse_takes_bytes_and_str_and_normalize_takes_dicts():
    with BeamTestPipeline() as p:
        parsed = p | "Messages" >> beam.Create([json.dumps(ARTICLE).encode(), json.dumps({**ARTICLE, "id": "s"}),
                                               b"not json"]) | Parse()
        assert_that(parsed.records | "Ids" >> beam.Map(lambda raw: raw.fields["id"]), equal_to(["a1", "s"]),
                    label="parsed")
        assert_that(parsed.dead_letters | "Codes" >> beam.Map(lambda d: (d["error_code"], d["original"])),
                    equal_to([("invalid_json", b"not json")]), label="parse_rejects")
        normalized = p | "Dicts" >> beam.Create([ARTICLE, {"id": "bad", "text": 5}]) | Normalize()
        assert_that(normalized.records | "Articles" >> beam.Map(lambda a: (a["article_id"], a["published_at"])),
                    equal_to([("a1", 1564563600000)]), label="normalized")
        assert_that(normalized.dead_letters | "Rejects" >> beam.Map(lambda d: (d["article_id"], d["error_code"],
                                                                               d["stage"])),
                    equal_to([("bad", "wrong_type", "normalize")]), label="normalize_rejects")


def test_a_wrong_input_type_is_refused_when_the_pipeline_is_built():
    p = beam.Pipeline()
    with pytest.raises(TypeCheckError):
        _ = p | beam.Create([1, 2]) | Parse()


def article_record(article_id: str, text: str, published_ms: int = 1564563600000) -> dict:
    """An article as our Avro output holds it (published_at in ms here; read back it is a datetime)."""
    return {"article_id": article_id, "url": None, "source": None, "title": None, "published_at": published_ms,
            "language": "en", "dateline": None, "credits": [], "warnings": [],
            "paragraphs": [{"index": 0, "text": text}], "removed_paragraphs": [], "kafka": None}


def test_dedup_and_events_take_our_own_avro_records_read_back(tmp_path):
    path = str(tmp_path / "articles-0.avro")
    write_avro_file(path, "article", [article_record("first", "Police arrested two men in Lima on Tuesday."),
                                      article_record("copy", "Police arrested two men in Lima on Tuesday.",
                                                     1564563600000 + 3600_000)])
    with BeamTestPipeline() as p:
        articles = p | ReadFromAvro(path)
        deduped = articles | Dedup()
        assert_that(deduped.records | "Removed" >> beam.Map(lambda a: (a["article_id"], len(a["removed_paragraphs"]),
                                                                       a["published_at"])),
                    equal_to([("first", 0, 1564563600000), ("copy", 1, 1564567200000)]), label="deduped")
        assert_that(deduped.dead_letters, equal_to([]), label="no_dedup_rejects")
        events = articles | ExtractEvents()
        assert_that(events.records | "Events" >> beam.Map(lambda e: (e["article_id"], e["event_type"])),
                    equal_to([("first", "COERCE"), ("copy", "COERCE")]), label="events")
        assert_that(events.dead_letters, equal_to([]), label="no_event_rejects")


def test_dedup_turns_what_is_not_an_article_into_a_dead_letter():
    with BeamTestPipeline() as p:
        deduped = p | beam.Create([{"id": "raw", "text": "Not normalized."}]) | Dedup()
        assert_that(deduped.records, equal_to([]), label="none")
        assert_that(deduped.dead_letters | beam.Map(lambda d: (d["error_code"], d["stage"])),
                    equal_to([("not_an_article", "dedup")]), label="rejects")


def test_the_dead_letter_of_an_avro_article_never_raises():
    record = {**article_record("x", "Text."), "published_at": datetime.datetime(2019, 7, 31, 9, 0)}
    letter = dead_letter_for(record, "events", "nlp_error", "failed")
    assert letter["article_id"] == "x" and b'"2019-07-31 09:00:00"' in letter["original"]
    sourced = {**record, SOURCE_FIELD: {"original": b'{"id": "x"}', "line": 7}}
    assert dead_letter_for(sourced, "events", "nlp_error", "failed")["original"] == b'{"id": "x"}'


class NoMetricsResult:
    """A runner result without metrics (as Beam's DaskRunner gives)."""

    def metrics(self):
        raise NotImplementedError("no metrics on this runner")


def test_the_summary_counts_the_written_files_when_the_runner_has_no_metrics(tmp_path):
    started = datetime.datetime.now().timestamp()
    article = {**article_record("a", "Text."), "removed_paragraphs": [
        {"index": 1, "duplicate_of": {"article_id": "b", "index": 0}, "similarity": 1.0}]}
    write_avro_file(str(tmp_path / "articles-1.avro"), "article", [article, article_record("b", "Other.")])
    letter = dead_letter_for(b"not json", "parse", "invalid_json", "bad")
    write_avro_file(str(tmp_path / "dead_letters-1.avro"), "dead_letter", [letter])
    totals, means = run_totals(NoMetricsResult(), str(tmp_path), started)
    assert (totals["parse.in"], totals["articles_written"], totals["dead_letters_written"],
            totals["events_written"], totals["paragraphs_removed"]) == (3, 2, 1, 0, 1)
    assert means == {}
