"""Message bytes -> RawArticle, enforcing the input contract (schemas/input.schema.json)."""
from __future__ import annotations

import json

from pipelines.records import RawArticle, RejectedInput, SourceMessage

OPTIONAL_STRING_FIELDS = ("url", "source", "title", "published_at", "language")
DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024


def parse_message(message: SourceMessage, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> RawArticle:
    """Decode one message into a RawArticle, or raise RejectedInput with the reason."""
    value = message.value
    if value is None or len(value) == 0:
        raise RejectedInput("empty_message", "the message has no value")
    if len(value) > max_message_bytes:
        raise RejectedInput(
            "message_too_large", f"the message is {len(value)} bytes, over the limit of {max_message_bytes}"
        )
    try:
        decoded = value.decode("utf-8")
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
    _check_contract(fields)
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
