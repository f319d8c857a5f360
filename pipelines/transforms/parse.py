"""Parse stage: message bytes -> RawArticle, or a dead letter for anything off the input contract."""
from __future__ import annotations

import apache_beam as beam

from pipelines.records import RawArticle, SourceMessage, as_source_message
from pipelines.text.parse import DEFAULT_LIMITS, ParseLimits, parse_message
from pipelines.transforms.stage import StageOutputs, apply_stage


class Parse(beam.PTransform):
    """Messages (SourceMessage as the readers emit, or plain bytes / str: one JSON article each) -> outputs
    `records` (RawArticle) and `dead_letters` (schemas/dead_letter.avsc)."""

    def __init__(self, limits: ParseLimits = DEFAULT_LIMITS):
        super().__init__()
        self.limits = limits

    def expand(self, messages: beam.PCollection) -> StageOutputs:
        limits = self.limits
        return apply_stage(messages, "ParseJson", "parse",
                           lambda message: [parse_message(as_source_message(message), limits)],
                           SourceMessage | bytes | str, RawArticle)
