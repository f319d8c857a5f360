"""Parse: the input contract, and the reason each kind of bad message is rejected with."""
import json

import pytest

from pipelines.records import RejectedInput, SourceMessage
from pipelines.text.parse import ParseLimits, parse_message


def message(value: bytes, **kw) -> SourceMessage:
    return SourceMessage(value=value, **kw)


def test_valid_article_keeps_fields_original_bytes_and_provenance():
    value = json.dumps({"id": "a1", "text": "One.\nTwo.", "url": "https://x.example/a"}).encode()
    raw = parse_message(message(value, topic="t", partition=2, offset=7, timestamp_ms=1_700_000_000_000))
    assert raw.fields["id"] == "a1"
    assert raw.original == value
    assert raw.kafka == {"topic": "t", "partition": 2, "offset": 7, "timestamp": 1_700_000_000_000, "key": None,
                         "headers": []}


def test_headers_are_kept_bounded_in_provenance():
    headers = tuple((f"h{i}", b"x" * 5000) for i in range(40)) + (("none", None),)
    raw = parse_message(message(b'{"text": "One."}', topic="t", partition=0, offset=1, headers=headers))
    kept = raw.kafka["headers"]
    assert len(kept) == 32 and kept[0] == {"name": "h0", "value": b"x" * 1024}


def test_html_alone_meets_the_contract():
    raw = parse_message(message(b'{"html": "<p>Hello</p>"}', line=3))
    assert raw.fields["html"] == "<p>Hello</p>"
    assert raw.kafka is None and raw.line == 3


@pytest.mark.parametrize(
    "value, code",
    [
        (b"", "empty_message"),
        (b'{"text": "cut off', "invalid_json"),
        (b"\xff\xfe{}", "invalid_utf8"),
        (b"[1, 2]", "not_an_object"),
        (b'"just a string"', "not_an_object"),
        (b'{"title": "no body"}', "missing_text"),
        (b'{"text": 42}', "wrong_type"),
        (b'{"text": "x", "url": ["a"]}', "wrong_type"),
        (b'{"text": "x", "id": true}', "wrong_type"),
        (b"[" * 100000 + b"]" * 100000, "invalid_json"),
    ],
)
def test_bad_messages_are_rejected_with_a_code(value, code):
    with pytest.raises(RejectedInput) as err:
        parse_message(message(value))
    assert err.value.code == code
    assert err.value.message


def test_oversized_message_is_rejected():
    with pytest.raises(RejectedInput) as err:
        parse_message(message(b'{"text": "' + b"a" * 100 + b'"}'), ParseLimits(max_message_bytes=50))
    assert err.value.code == "message_too_large"


def test_paragraph_count_and_length_limits():
    limits = ParseLimits(max_paragraphs=3, max_paragraph_chars=20)
    assert parse_message(message(b'{"text": "a\\n\\nb\\nc"}'), limits).fields["text"]
    with pytest.raises(RejectedInput) as err:
        parse_message(message(b'{"text": "a\\nb\\nc\\nd"}'), limits)
    assert err.value.code == "too_many_paragraphs"
    with pytest.raises(RejectedInput) as err:
        parse_message(message(b'{"text": "short\\n' + b"x" * 21 + b'"}'), limits)
    assert err.value.code == "paragraph_too_long"
