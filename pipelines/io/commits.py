"""Streaming offset commits derived from what the file sink has durably written (at-least-once).

The contract: for each partition the group's committed offset is the lowest offset that was read but whose
outputs are not yet in closed files (or one past the highest offset read when every read message's outputs
are). A message's outputs are its article with its events, or its dead letter, written in one file firing
(pipelines/transforms/write.py); an article dedup still holds keeps its offset, and every later one, from
being committed. So a job killed at any moment and restarted with the same group re-reads every message
whose outputs were not all in closed files: nothing is lost; what was written after the last commit is
written again (the same records with the same ids, in new files).

The reader itself commits nothing in streaming: committing at bundle finalization would say "read", not
"written" (Prism finalizes once the read bundle is in its memory; Flink once it is in a checkpoint).
"""
from __future__ import annotations

import logging
import time

import apache_beam as beam
from apache_beam.coders import VarIntCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.transforms.window import GlobalWindows
from apache_beam.utils.timestamp import Timestamp
from kafka import TopicPartition

from pipelines.io.kafka_config import KafkaConnection
from pipelines.io.offsets import OffsetCommitter
from pipelines.transforms.stage import METRICS_NAMESPACE

LOG = logging.getLogger(__name__)
READ, WRITTEN = 0, 1


def committable_offset(read: set[int], written: set[int]) -> int | None:
    """The offset to commit: the lowest read offset whose outputs are not written, else one past the highest
    read offset; None when nothing was read."""
    pending = read - written
    if pending:
        return min(pending)
    return max(read) + 1 if read else None


# State and timer of CommitWrittenFn (one set per topic-partition).
READ_OFFSETS = BagStateSpec("read", VarIntCoder())
WRITTEN_OFFSETS = BagStateSpec("written", VarIntCoder())
ARMED = ReadModifyWriteStateSpec("armed", VarIntCoder())
COMMIT = TimerSpec("commit", TimeDomain.REAL_TIME)
READ_STATE = beam.DoFn.StateParam(READ_OFFSETS)
WRITTEN_STATE = beam.DoFn.StateParam(WRITTEN_OFFSETS)
ARMED_STATE = beam.DoFn.StateParam(ARMED)
COMMIT_TIMER = beam.DoFn.TimerParam(COMMIT)


class CommitWrittenFn(beam.DoFn):
    """Keyed by (topic, partition): gathers read and written offsets; every `interval_s` of processing time
    commits the committable offset (see the module docstring) and forgets the offsets below it."""

    def __init__(self, connection: KafkaConnection, group_id: str, interval_s: float):
        self.connection = connection
        self.group_id = group_id
        self.interval_s = interval_s
        self.commits = Metrics.counter(METRICS_NAMESPACE, "kafka.commits")
        self.pending = Metrics.gauge(METRICS_NAMESPACE, "kafka.offsets_not_written")

    def process(self, element, read=READ_STATE, written=WRITTEN_STATE, armed=ARMED_STATE,
                commit=COMMIT_TIMER):
        _, (kind, offset) = element
        (read if kind == READ else written).add(offset)
        if armed.read() is None:
            armed.write(1)
            commit.set(Timestamp(time.time() + self.interval_s))

    @on_timer(COMMIT)
    def on_commit(self, key=beam.DoFn.KeyParam, read=READ_STATE, written=WRITTEN_STATE, armed=ARMED_STATE):
        armed.clear()
        read_offsets, written_offsets = set(read.read()), set(written.read())
        offset = committable_offset(read_offsets, written_offsets)
        if offset is None:
            return
        topic, partition = key
        if OffsetCommitter.shared(self.connection).commit(self.group_id, TopicPartition(topic, partition), offset):
            self.commits.inc()
        pending = read_offsets - written_offsets
        self.pending.set(len(pending))
        early = written_offsets - read_offsets
        read.clear()
        written.clear()
        for kept in sorted(pending):
            read.add(kept)
        for kept in sorted(early):
            written.add(kept)


class CommitWrittenOffsets(beam.PTransform):
    """(read messages, written positions) -> commits to the group, per partition, the offsets whose outputs
    are all in closed files. `read` holds SourceMessage elements; `written` ((topic, partition), offset)."""

    def __init__(self, connection: KafkaConnection, group_id: str, interval_s: float = 2.0):
        super().__init__()
        self.connection = connection
        self.group_id = group_id
        self.interval_s = interval_s

    def expand(self, read_and_written):
        read, written = read_and_written
        read_positions = read | "ReadPositions" >> beam.Map(lambda m: ((m.topic, m.partition), (READ, m.offset)))
        written_positions = written | "WrittenPositions" >> beam.MapTuple(lambda tp, offset: (tp, (WRITTEN, offset)))
        return (
            (read_positions | "ReadInGlobalWindow" >> beam.WindowInto(GlobalWindows()),
             written_positions | "WrittenInGlobalWindow" >> beam.WindowInto(GlobalWindows()))
            | "Positions" >> beam.Flatten()
            | "Commit" >> beam.ParDo(CommitWrittenFn(self.connection, self.group_id, self.interval_s))
        )
