"""The Kafka reader's per-partition watermark policy (Java KafkaIO's CreateTime policy, bounded by the clock).

While a partition has a backlog the watermark follows the record times read; once the reader has
caught up (an empty poll, or the position at the high watermark) it moves to `now - max_delay`, so
a quiet partition or topic never holds the pipeline's watermark back. It never passes the worker's
clock: a record stamped in the far future moves it to "now", not beyond, and it never goes back.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from apache_beam.io.watermark_estimators import ManualWatermarkEstimator
from apache_beam.transforms.core import WatermarkEstimatorProvider
from apache_beam.utils.timestamp import MIN_TIMESTAMP, Duration, Timestamp


def wall_clock() -> Timestamp:
    """The worker's clock as a Beam Timestamp."""
    return Timestamp.of(time.time())


class PartitionWatermark:
    """The watermark of one partition's reader: monotonic, at most the clock, `now - max_delay` when idle."""

    def __init__(self, current: Timestamp, max_delay_s: float, clock: Callable[[], Timestamp] = wall_clock):
        self.current = current
        self.max_delay = Duration.of(max_delay_s)
        self.clock = clock

    def record_read(self, record_time: Timestamp) -> Timestamp:
        """A record was read while there may be more behind it: follow its time, never past the clock."""
        self.current = max(self.current, min(record_time, self.clock()))
        return self.current

    def caught_up(self) -> Timestamp:
        """Nothing is waiting in the partition: records still to come are at most `max_delay` old."""
        self.current = max(self.current, self.clock() - self.max_delay)
        return self.current


class PartitionWatermarkProvider(WatermarkEstimatorProvider):
    """A manual estimator per restriction, set by the reader through PartitionWatermark.

    The initial state is the minimum timestamp, not `now - max_delay`: a partition with a backlog of old
    records would otherwise make them all late. The reader's first poll moves an empty partition to
    `now - max_delay` at once.
    """

    def initial_estimator_state(self, element, restriction) -> Timestamp:
        return MIN_TIMESTAMP

    def create_watermark_estimator(self, estimator_state: Timestamp) -> ManualWatermarkEstimator:
        return ManualWatermarkEstimator(estimator_state if estimator_state is not None else MIN_TIMESTAMP)
