"""Avro schemas: every optional field is documented and defaulted; single-object encoding round-trips."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from pipelines.io.avro import SCHEMA_NAMES, decode_single_object, encode_single_object


def fields_of(schema: dict):
    for field in schema["fields"]:
        yield field
        kinds = field["type"] if isinstance(field["type"], list) else [field["type"]]
        for kind in kinds:
            if isinstance(kind, dict) and kind.get("type") == "record":
                yield from fields_of(kind)
            if isinstance(kind, dict) and kind.get("type") == "array" and isinstance(kind["items"], dict):
                if kind["items"].get("type") == "record":
                    yield from fields_of(kind["items"])


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_field_has_a_doc_and_optional_fields_have_defaults(name):
    schema = json.loads(resources.files("schemas").joinpath(f"{name}.avsc").read_text())
    for field in fields_of(schema):
        assert field.get("doc"), f"{name}.{field['name']} has no doc"
        if isinstance(field["type"], list) and "null" in field["type"]:
            assert "default" in field, f"{name}.{field['name']} is nullable without a default"


def test_single_object_encoding_round_trips_and_checks_the_fingerprint():
    provenance = {"topic": "t", "partition": 1, "offset": 9, "timestamp": None, "key": b"k",
                  "headers": [{"name": "h", "value": b"v"}]}
    letter = {"error_code": "invalid_json", "message": "cut", "stage": "parse", "original": b"{",
              "article_id": None, "kafka": provenance, "line": None}
    data = encode_single_object("dead_letter", letter)
    assert data[:2] == b"\xc3\x01"
    assert decode_single_object("dead_letter", data) == letter
    with pytest.raises(ValueError):
        decode_single_object("article", data)


def test_streaming_cuts_files_by_arrival_time_and_drops_no_late_record(tmp_path):
    import time

    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
    from apache_beam.testing.test_stream import TestStream

    from pipelines.io.avro import FileOutput, read_avro_file
    from pipelines.transforms.write import WriteRecords

    def article(i):
        return {"article_id": f"a{i}", "paragraphs": [{"index": 0, "text": f"text {i}"}], "removed_paragraphs": []}

    stamped = beam.window.TimestampedValue
    stream = (TestStream()
              .add_elements([stamped(article(1), 10), stamped(article(2), 20)])
              .advance_watermark_to(5000)
              .add_elements([stamped(article(3), 80)])
              .advance_watermark_to_infinity())
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    started = time.gmtime(time.time() - 120)
    with beam.Pipeline(options=options) as p:
        p | stream | WriteRecords("article", FileOutput.starting_now(str(tmp_path), streaming=True, window_seconds=60))
    files = sorted(tmp_path.glob("articles-*.avro"))
    assert files
    window_starts = {f.name.split("-", 2)[2][:19] for f in files}
    assert all(start >= time.strftime("%Y-%m-%dT%H:%M:%S", started) for start in window_starts)
    assert sorted(r["article_id"] for f in files for r in read_avro_file(str(f))) == ["a1", "a2", "a3"]
