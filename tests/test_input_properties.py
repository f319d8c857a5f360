"""Property-based: the parse and normalize entry points on arbitrary bytes and text. Each message
yields exactly one outcome (an Avro-writable article or a RejectedInput); no other exception escapes."""
from __future__ import annotations

import io
import json

import fastavro
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.io.avro import load_schema
from pipelines.records import RejectedInput, SourceMessage
from pipelines.text.normalize import normalize_article
from pipelines.text.parse import parse_message

TEXT = st.text(alphabet=st.characters(codec=None), max_size=400)
FIELD_VALUE = st.one_of(st.none(), TEXT, st.integers(), st.floats(allow_nan=False), st.booleans(),
                        st.lists(st.integers(), max_size=3))
OBJECTS = st.fixed_dictionaries(
    {},
    optional={"id": FIELD_VALUE, "url": FIELD_VALUE, "source": FIELD_VALUE, "title": FIELD_VALUE,
              "published_at": st.one_of(TEXT, st.datetimes().map(lambda d: d.isoformat())), "language": FIELD_VALUE,
              "text": st.one_of(TEXT, st.lists(TEXT, max_size=6).map("\n".join)), "html": TEXT})


def outcome(value: bytes) -> str:
    """Run one message through parse and normalize; 'article' (checked Avro-writable) or the reject code."""
    try:
        article = normalize_article(parse_message(SourceMessage(value=value, topic="t", partition=0, offset=1)))
    except RejectedInput as rejected:
        assert rejected.code and rejected.message
        return rejected.code
    fastavro.schemaless_writer(io.BytesIO(), load_schema("article"), article)
    return "article"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_yield_one_outcome(value):
    assert outcome(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OBJECTS)
def test_arbitrary_json_objects_yield_one_outcome(fields):
    assert outcome(json.dumps(fields).encode())


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_arbitrary_text_decoded_from_bytes_yields_one_outcome(text):
    assert outcome(text.encode("utf-8", "surrogatepass"))
