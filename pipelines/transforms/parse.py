"""Parse stage: message bytes -> RawArticle, or a dead letter for anything off the input contract."""
from __future__ import annotations

import apache_beam as beam

from pipelines.text.parse import DEFAULT_LIMITS, ParseLimits, parse_message
from pipelines.transforms.stage import apply_stage


class Parse(beam.PTransform):
    """SourceMessage -> outputs `records` (RawArticle) and `dead_letters`."""

    def __init__(self, limits: ParseLimits = DEFAULT_LIMITS):
        super().__init__()
        self.limits = limits

    def expand(self, messages):
        limits = self.limits
        return apply_stage(messages, "ParseJson", "parse", lambda message: [parse_message(message, limits)])
