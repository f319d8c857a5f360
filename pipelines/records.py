"""The records that flow between stages, and the dead-letter record every stage can emit."""
from __future__ import annotations

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
