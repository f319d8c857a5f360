"""Message bytes -> RawArticle, enforcing the input contract (schemas/input.schema.json)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pipelines.records import RawArticle, RejectedInput, SourceMessage, given_article_id

OPTIONAL_STRING_FIELDS = ("url", "source", "title", "published_at", "language")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class ParseLimits:
    """Bounds that keep one message from exhausting a worker; what exceeds them is dead-lettered."""

    max_message_bytes: int = 10 * 1024 * 1024
    max_paragraphs: int = 2000
    max_paragraph_chars: int = 100_000


DEFAULT_LIMITS = ParseLimits()


def parse_message(message: SourceMessage, limits: ParseLimits = DEFAULT_LIMITS) -> RawArticle:
    """Decode one message into a RawArticle, or raise RejectedInput with the reason."""
    value = message.value
    if not value:
        raise RejectedInput("empty_message", "the message has no value (empty, or a Kafka tombstone)")
    if len(value) > limits.max_message_bytes:
        raise RejectedInput(
            "message_too_large", f"the message is {len(value)} bytes, over the limit of {limits.max_message_bytes}"
        )
    try:
        decoded = value.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise RejectedInput("invalid_utf8", f"the message is not valid UTF-8: {e.reason} at byte {e.start}") from e
    try:
        fields = json.loads(decoded)
    except json.JSONDecodeError as e:
        raise RejectedInput("invalid_json", f"the message is not valid JSON: {e.msg} at char {e.pos}") from e
    except RecursionError as e:
        raise RejectedInput("invalid_json", "the JSON is nested too deeply to parse") from e
    if not isinstance(fields, dict):
        raise RejectedInput("not_an_object", f"the message is a JSON {type(fields).__name__}, not an object")
    try:
        _check_contract(fields)
        fields = {k: _without_lone_surrogates(v) if isinstance(v, str) else v for k, v in fields.items()}
        if fields.get("text") is not None:
            _check_paragraphs(fields["text"], limits)
    except RejectedInput as e:
        e.article_id = given_article_id(fields)
        raise
    return RawArticle(fields=fields, original=value, kafka=message.kafka_provenance(), line=message.line)


def _check_contract(fields: dict) -> None:
    text, html = fields.get("text"), fields.get("html")
    if text is None and html is None:
        raise RejectedInput("missing_text", "the article has neither 'text' nor 'html'")
    for name, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise RejectedInput("wrong_type", f"'{name}' must be a string, not {type(value).__name__}")
    article_id = fields.get("id")
    if article_id is not None and (isinstance(article_id, bool) or not isinstance(article_id, (str, int))):
        raise RejectedInput("wrong_type", f"'id' must be a string or integer, not {type(article_id).__name__}")
    for name in OPTIONAL_STRING_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            raise RejectedInput("wrong_type", f"'{name}' must be a string, not {type(value).__name__}")


def _check_paragraphs(text: str, limits: ParseLimits) -> None:
    count = longest = 0
    for line in text.splitlines():
        if line.strip():
            count += 1
            longest = max(longest, len(line))
    if count > limits.max_paragraphs:
        raise RejectedInput("too_many_paragraphs",
                            f"the text has {count} paragraphs, over the limit of {limits.max_paragraphs}")
    if longest > limits.max_paragraph_chars:
        raise RejectedInput("paragraph_too_long",
                            f"a paragraph has {longest} characters, over the limit of {limits.max_paragraph_chars}")


def _without_lone_surrogates(value: str) -> str:
    """JSON escapes like "\\ud800" decode to unpaired surrogates, which no UTF-8 sink can write: U+FFFD instead."""
    return LONE_SURROGATE.sub("\ufffd", value)
