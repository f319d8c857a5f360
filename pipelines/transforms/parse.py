"""Parse stage: message bytes -> RawArticle, or a dead letter for anything off the input contract."""
from __future__ import annotations

import apache_beam as beam

from pipelines.text.parse import DEFAULT_MAX_MESSAGE_BYTES, parse_message
from pipelines.transforms.stage import apply_stage


class Parse(beam.PTransform):
    """SourceMessage -> outputs `records` (RawArticle) and `dead_letters`."""

    def __init__(self, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES):
        super().__init__()
        self.max_message_bytes = max_message_bytes

    def expand(self, messages):
        limit = self.max_message_bytes
        return apply_stage(messages, "ParseJson", "parse", lambda message: [parse_message(message, limit)])
