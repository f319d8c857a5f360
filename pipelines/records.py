"""The records that flow between stages, and the dead-letter record every stage can emit."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, NamedTuple

MAX_HEADERS = 32
MAX_HEADER_VALUE_BYTES = 1024


class SourceMessage(NamedTuple):
    """One message as read from Kafka or one line of a JSONL file, before any parsing."""

    value: bytes
    key: bytes | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    timestamp_ms: int | None = None
    line: int | None = None
    headers: tuple[tuple[str, bytes | None], ...] = ()

    def kafka_provenance(self) -> dict | None:
        """The `kafka` field of the output records, or None for file input."""
        if self.topic is None:
            return None
        return {"topic": self.topic, "partition": self.partition, "offset": self.offset,
                "timestamp": self.timestamp_ms, "key": self.key, "headers": bounded_headers(self.headers)}


def bounded_headers(headers) -> list[dict]:
    """Record headers for the provenance field: the first MAX_HEADERS, values cut to MAX_HEADER_VALUE_BYTES,
    so a producer's tracing or routing headers travel with the article without letting one message bloat it."""
    return [{"name": str(name), "value": None if value is None else bytes(value[:MAX_HEADER_VALUE_BYTES])}
            for name, value in list(headers or ())[:MAX_HEADERS]]


@dataclass
class RawArticle:
    """A message that parsed as a JSON object meeting the input contract, not yet normalized."""

    fields: dict[str, Any]
    original: bytes
    kafka: dict | None = None
    line: int | None = None


class RejectedInput(Exception):
    """Input that cannot become an article: carries a machine-readable code for the dead letter, and the
    message's own id when it had one, so the producer can tell which of their articles was rejected."""

    def __init__(self, code: str, message: str, article_id: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.article_id = article_id


def given_article_id(fields: dict) -> str | None:
    """The `id` a message gave itself, as the article id it would have had; None when absent or unusable."""
    value = fields.get("id")
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None
    return str(value)


def dead_letter(
    code: str,
    message: str,
    stage: str,
    original: bytes,
    kafka: dict | None = None,
    line: int | None = None,
    article_id: str | None = None,
) -> dict:
    """A record for schemas/dead_letter.avsc: the original bytes with the reason they were rejected."""
    return {
        "error_code": code,
        "message": message,
        "stage": stage,
        "original": original,
        "article_id": article_id,
        "kafka": kafka,
        "line": line,
    }


# The message an article came from (its original bytes and file line) travels with the article dict under this
# key, so a later stage's dead letter keeps them; Avro writers ignore it and the pipeline drops it before writing.
SOURCE_FIELD = "_source"


def as_source_message(message: SourceMessage | bytes | str) -> SourceMessage:
    """What Parse reads, from what a user naturally holds: a SourceMessage, or a message's bytes or text."""
    if isinstance(message, SourceMessage):
        return message
    if isinstance(message, str):
        return SourceMessage(value=message.encode("utf-8", "surrogatepass"))
    if isinstance(message, (bytes, bytearray, memoryview)):
        return SourceMessage(value=bytes(message))
    raise RejectedInput("not_a_message", f"Parse takes bytes, str or SourceMessage, not {type(message).__name__}")


def epoch_ms(value: Any) -> int | None:
    """A time field as epoch milliseconds: ints as they are, datetimes (timestamp-millis read back from Avro,
    naive ones taken as UTC) converted."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return int(value.timestamp() * 1000)
    return value


def as_article(record: dict) -> dict:
    """An article dict as Dedup and ExtractEvents use it, also when read back from our own Avro output
    (`published_at` and the Kafka timestamp as datetimes): times become epoch milliseconds."""
    if not isinstance(record, dict) or not isinstance(record.get("article_id"), str) \
            or not isinstance(record.get("paragraphs"), list):
        raise RejectedInput("not_an_article", "expected an article record (schemas/article.avsc) with "
                                              f"article_id and paragraphs, got {type(record).__name__}")
    article = {**record, "published_at": epoch_ms(record.get("published_at"))}
    if isinstance(record.get("kafka"), dict):
        article["kafka"] = {**record["kafka"], "timestamp": epoch_ms(record["kafka"].get("timestamp"))}
    return article


def without_source(article: dict) -> dict:
    """The article as written: without the message it came from."""
    return {name: value for name, value in article.items() if name != SOURCE_FIELD}
