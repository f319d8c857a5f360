"""The streaming file sink: files cut by processing time, nothing dropped as late, names safe, counters from
what was written, and the offsets it reports are those of messages whose outputs are all in closed files."""
from __future__ import annotations

import json
import os

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_stream import TestStream
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Duration

from pipelines.cli import counters
from pipelines.io.avro import FileOutput, read_avro_file
from pipelines.io.commits import committable_offset
from pipelines.transforms.write import MessageOutputs, WriteMessageOutputs


def article(i: int, partition: int = 0) -> dict:
    return {"article_id": f"a{i}", "paragraphs": [{"index": 0, "text": f"text {i}"}], "removed_paragraphs": [],
            "kafka": {"topic": "t", "partition": partition, "offset": i, "timestamp": 1_000 * i}}


def event(i: int) -> dict:
    return {"event_id": f"e{i}", "article_id": f"a{i}", "paragraph_index": 0, "sentence": "s",
            "trigger": {"text": "s", "start": 0, "end": 1},
            "event_type": "AGREE", "confidence": 0.5, "actors": [], "location": None, "time": None,
            "negated": False, "mode": "asserted", "published_at": None}


def dead_letter(i: int) -> dict:
    return {"error_code": "invalid_json", "message": "m", "stage": "parse", "original": b"x", "article_id": None,
            "kafka": {"topic": "t", "partition": 1, "offset": i, "timestamp": 0}, "line": None}


def prism_options(prism: str) -> PipelineOptions:
    # its own Prism: Beam shares one per process, and a DirectRunner run earlier in the session may have
    # claimed it without a location
    return PipelineOptions(["--runner=PrismRunner", f"--prism_location={prism}", "--streaming",
                            "--experiments=disable_prism_server_singleton"])


def test_drain_writes_every_record_whatever_its_time_and_reports_its_offset(tmp_path, prism):
    """Records far behind and far ahead of the watermark, and at its very end (what dedup releases at a
    drain), all reach files; each message's offset is reported once its records are written."""
    stamped = beam.window.TimestampedValue
    outputs = [
        stamped(MessageOutputs.of_article(article(1), [event(1)]), 10),
        stamped(MessageOutputs.of_article(article(2)), 4_000_000_000),
        stamped(MessageOutputs.of_dead_letter(dead_letter(3)), 0),
        stamped(MessageOutputs.of_article(article(4), [event(4)]), MAX_TIMESTAMP - Duration(seconds=1)),
    ]
    stream = (TestStream()
              .add_elements(outputs[:2])
              .advance_watermark_to(10_000)
              .add_elements(outputs[2:])
              .advance_watermark_to_infinity())
    files = FileOutput.starting_now(str(tmp_path), streaming=True, window_seconds=60, shards=3)
    p = beam.Pipeline(options=prism_options(prism))
    reported = tmp_path / "reported.jsonl"
    (p | stream | WriteMessageOutputs(files)
     | beam.Map(lambda position: reported.open("a").write(json.dumps(position) + "\n")))
    result = p.run()
    result.wait_until_finish()

    assert sorted(json.loads(line) for line in reported.read_text().splitlines()) == [
        [["t", 0], 1], [["t", 0], 2], [["t", 0], 4], [["t", 1], 3]]
    names = [name for name in os.listdir(tmp_path) if name != reported.name]
    assert all(":" not in name and not name.startswith(".") for name in names), names
    by_schema = {schema: sorted(r.get("article_id") or r.get("kafka", {}).get("offset") for name in names
                                if name.startswith(f"{schema}-") for r in read_avro_file(str(tmp_path / name)))
                 for schema in ("articles", "events", "dead_letters")}
    assert by_schema == {"articles": ["a1", "a2", "a4"], "events": ["a1", "a4"], "dead_letters": [3]}
    totals = counters(result)
    assert (totals["articles_written"], totals["events_written"], totals["dead_letters_written"]) == (3, 2, 1)


def test_file_names_are_unique_per_shard_and_firing():
    files = FileOutput("out", "20260101T000000", streaming=True, window_seconds=5, shards=4)
    names = {files.path(schema, shard, firing, 1_700_000_000.0)
             for schema in ("article", "event") for shard in range(4) for firing in range(3)}
    assert len(names) == 2 * 4 * 3 and not any(":" in n for n in names)
    assert files.next_cut(1_700_000_001.0) == 1_700_000_005.0 and files.next_cut(1_700_000_005.0) == 1_700_000_010.0


def test_shards_spread_keys_and_keep_each_key_in_place():
    files = FileOutput("out", "x", shards=4)
    shards = [files.shard_of(f"article-{i}") for i in range(200)]
    assert set(shards) == {0, 1, 2, 3}
    assert shards == [files.shard_of(f"article-{i}") for i in range(200)]


def test_committable_offset_stops_at_the_first_message_not_written():
    assert committable_offset(set(), set()) is None
    assert committable_offset({5, 6, 7}, {5, 6, 7}) == 8
    assert committable_offset({5, 6, 7, 9}, {5, 7, 9}) == 6
    # written before its read notice arrived: waits for the read notice, commits nothing beyond reads
    assert committable_offset({5}, {5, 6}) == 6
