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
