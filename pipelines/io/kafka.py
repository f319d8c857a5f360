"""Kafka source and sink on kafka-python (no Java expansion service).

The source follows Java KafkaIO's ReadFromKafkaDoFn: a splittable DoFn with one offset-range
restriction per topic-partition. Bounded mode stops at the end offsets seen at launch; unbounded
mode checkpoints (defer_remainder) and resumes forever, for streaming runners. Offsets are
committed only once the output is durable (at-least-once): in streaming at bundle finalization,
in bounded runs after every output is written (CommitOffsetsAfterOutput). Record timestamps
become element timestamps and drive the watermark.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.io.watermark_estimators import MonotonicWatermarkEstimator
from apache_beam.metrics import Metrics
from apache_beam.transforms.core import RestrictionProvider
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP, Duration, Timestamp
from apache_beam.utils.windowed_value import WindowedValue
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from pipelines.io.kafka_config import KafkaConnection
from pipelines.records import SourceMessage

LOG = logging.getLogger(__name__)
MAX_OFFSET = 2**63 - 1
@dataclass(frozen=True)
class PartitionSpec:
    """One topic-partition to read, from `start` up to `stop` (exclusive; None = unbounded)."""

    topic: str
    partition: int
    start: int
    stop: int | None


@dataclass(frozen=True)
class ReadSettings:
    """How the source reads: group for committed offsets, where to start, when to stop."""

    topics: tuple[str, ...]
    group_id: str | None = None
    start_offsets: tuple[tuple[str, int, int], ...] = ()
    auto_offset_reset: str = "earliest"
    bounded: bool = True
    commit_offsets: bool = True
    poll_timeout_ms: int = 200
    idle_timeout_s: float = 30.0
    max_seconds_per_bundle: float = 1.0
    # one partition is fetched at a time, so each fetch may carry more than kafka-python's 1 MiB default;
    # read_committed: records of aborted transactions are never read, and a bounded run ends at the last
    # stable offset (records of a transaction still open belong to a later run)
    consumer_config: tuple[tuple[str, object], ...] = (
        ("max_partition_fetch_bytes", 8 * 1024 * 1024), ("isolation_level", "read_committed"))

    @property
    def isolation_level(self) -> str:
        return str(dict(self.consumer_config).get("isolation_level", "read_uncommitted"))


def probe_end_offsets(consumer: KafkaConsumer, partitions: list[TopicPartition], timeout_s: float) -> dict:
    """End offsets of a bounded run: what a consumer of this isolation level can read now.

    ListOffsets(latest) can lag what a fetch returns (Tansu), so the partitions are fetched from the
    listed offset on. read_uncommitted trusts the fetch high watermark. read_committed must stop at
    the last stable offset instead: the high watermark runs ahead of it while a transaction is open,
    and a run waiting for those records would wait for another producer's commit. The position a
    read_committed fetch reaches (it returns records and markers up to the last stable offset only)
    is that offset, once polls stop advancing it.
    """
    listed = consumer.end_offsets(partitions)
    consumer.assign(partitions)
    for tp in partitions:
        consumer.seek(tp, listed[tp])
    read_committed = consumer.config["isolation_level"] == "read_committed"
    deadline = time.monotonic() + timeout_s
    idle_polls = 0
    while time.monotonic() < deadline and idle_polls < 3:
        fetched = consumer.poll(timeout_ms=100)
        known = all(consumer.highwater(tp) is not None for tp in partitions)
        caught_up = known and all(consumer.position(tp) >= consumer.highwater(tp) for tp in partitions)
        if caught_up or (known and not read_committed):
            break
        idle_polls = idle_polls + 1 if known and not fetched else 0
    missing = [tp for tp in partitions if consumer.highwater(tp) is None]
    if missing:
        LOG.warning("no fetch high watermark for %s; using ListOffsets", missing)
    if read_committed:
        return {tp: max(listed[tp], consumer.position(tp)) for tp in partitions}
    return {tp: max(listed[tp], consumer.highwater(tp) or 0) for tp in partitions}


def plan_partitions(
    connection: KafkaConnection, settings: ReadSettings, timeout_s: float = 30.0
) -> list[PartitionSpec]:
    """Resolve every partition of the topics to a PartitionSpec: explicit start, else committed, else reset."""
    consumer = KafkaConsumer(group_id=settings.group_id, enable_auto_commit=False, max_partition_fetch_bytes=1024,
                             isolation_level=settings.isolation_level, **connection.client_config())
    try:
        partitions = []
        for topic in settings.topics:
            ids = _wait_for_partitions(consumer, topic, timeout_s)
            partitions += [TopicPartition(topic, p) for p in sorted(ids)]
        explicit = {(t, p): o for t, p, o in settings.start_offsets}
        beginning = consumer.beginning_offsets(partitions)
        end = probe_end_offsets(consumer, partitions, timeout_s)
        specs = []
        for tp in partitions:
            start = explicit.get((tp.topic, tp.partition))
            if start is None and settings.group_id:
                start = consumer.committed(tp)
            if start is None:
                start = beginning[tp] if settings.auto_offset_reset == "earliest" else end[tp]
            start = max(start, beginning[tp])
            specs.append(PartitionSpec(tp.topic, tp.partition, start, end[tp] if settings.bounded else None))
        LOG.info("kafka plan: %s", specs)
        return specs
    finally:
        consumer.close()


def _wait_for_partitions(consumer: KafkaConsumer, topic: str, timeout_s: float) -> set[int]:
    """The topic's partition ids, waiting for a topic still being created. A topic the principal may not
    describe looks absent here (the brokers leave it out of the metadata): `check_access` reports it first."""
    deadline = time.monotonic() + timeout_s
    while True:
        ids = consumer.partitions_for_topic(topic)
        if ids:
            return ids
        if time.monotonic() > deadline:
            raise TimeoutError(f"topic {topic!r} not found on the brokers within {timeout_s:.0f}s")
        time.sleep(0.2)


class HighWatermarks:
    """Latest fetch high watermark per partition seen by this worker's readers: the backlog estimate
    (high watermark - position) that sizes an unbounded restriction, as Java KafkaIO does."""

    def __init__(self) -> None:
        self._latest: dict[tuple[str, int], int] = {}

    def update(self, topic: str, partition: int, highwater: int | None) -> None:
        if highwater is not None:
            self._latest[(topic, partition)] = highwater

    def backlog(self, topic: str, partition: int, position: int) -> int:
        return max(0, self._latest.get((topic, partition), position) - position)


HIGH_WATERMARKS = HighWatermarks()


class CheckpointOnlyOffsetTracker(OffsetRestrictionTracker):
    """Offset tracker for an unbounded partition: only checkpoint splits (fraction 0) are allowed;
    a fractional split of an endless range has no meaning."""

    def try_split(self, fraction_of_remainder):
        if fraction_of_remainder != 0:
            return None
        return super().try_split(0)

    def is_bounded(self):
        return False


class PartitionRestrictionProvider(RestrictionProvider):
    """One OffsetRange per PartitionSpec; never split up front (a partition is read in order)."""

    def initial_restriction(self, spec: PartitionSpec) -> OffsetRange:
        return OffsetRange(spec.start, MAX_OFFSET if spec.stop is None else max(spec.start, spec.stop))

    def create_tracker(self, restriction: OffsetRange):
        if restriction.stop == MAX_OFFSET:
            return CheckpointOnlyOffsetTracker(restriction)
        return OffsetRestrictionTracker(restriction)

    def split(self, element, restriction):
        yield restriction

    def restriction_size(self, spec: PartitionSpec, restriction: OffsetRange):
        if restriction.stop == MAX_OFFSET:
            return HIGH_WATERMARKS.backlog(spec.topic, spec.partition, restriction.start)
        return restriction.size()


PARTITION_RESTRICTION = beam.DoFn.RestrictionParam(PartitionRestrictionProvider())
RECORD_TIME_WATERMARK = beam.DoFn.WatermarkEstimatorParam(MonotonicWatermarkEstimator.default_provider())


class ReadPartitionFn(beam.DoFn):
    """Reads the offsets of one partition's restriction; commits the next offset at bundle finalization."""

    def __init__(self, connection: KafkaConnection, settings: ReadSettings):
        self.connection = connection
        self.settings = settings
        self.read_counter = Metrics.counter("newsstream", "kafka.messages_read")
        self.bytes_counter = Metrics.counter("newsstream", "kafka.bytes_read")
        self._consumer = None
        self._committer = None
        self._commit_lock = threading.Lock()

    def setup(self):
        self._consumer = KafkaConsumer(enable_auto_commit=False, **dict(self.settings.consumer_config),
                                       **self.connection.client_config())

    def teardown(self):
        for client in (self._consumer, self._committer):
            if client is not None:
                client.close()

    def process(
        self,
        spec: PartitionSpec,
        bundle_finalizer=beam.DoFn.BundleFinalizerParam,
        tracker=PARTITION_RESTRICTION,
        watermark_estimator=RECORD_TIME_WATERMARK,
    ) -> Iterator[beam.window.TimestampedValue]:
        restriction = tracker.current_restriction()
        tp = TopicPartition(spec.topic, spec.partition)
        self._consumer.assign([tp])
        self._consumer.seek(tp, restriction.start)
        next_offset = None
        try:
            for record in self._records(tp, tracker, restriction):
                next_offset = record.offset + 1
                self.read_counter.inc()
                self.bytes_counter.inc(len(record.value or b""))
                yield beam.window.TimestampedValue(
                    SourceMessage(value=record.value or b"", key=record.key, topic=record.topic,
                                  partition=record.partition, offset=record.offset, timestamp_ms=record.timestamp),
                    Timestamp(micros=record.timestamp * 1000),
                )
        finally:
            unbounded = restriction.stop == MAX_OFFSET
            if unbounded and next_offset is not None and self.settings.group_id and self.settings.commit_offsets:
                bundle_finalizer.register(lambda: self._commit(tp, next_offset))

    def _records(self, tp: TopicPartition, tracker, restriction: OffsetRange) -> Iterable:
        bounded = restriction.stop != MAX_OFFSET
        started = idle_since = time.monotonic()
        while True:
            records = self._consumer.poll(timeout_ms=self.settings.poll_timeout_ms).get(tp, [])
            HIGH_WATERMARKS.update(tp.topic, tp.partition, self._consumer.highwater(tp))
            for record in records:
                if not tracker.try_claim(record.offset):
                    return
                yield record
            now = time.monotonic()
            if records:
                idle_since = now
            if bounded:
                if self._consumer.position(tp) >= restriction.stop:
                    tracker.try_claim(restriction.stop)
                    return
                if now - idle_since > self.settings.idle_timeout_s:
                    raise TimeoutError(
                        f"{tp.topic}[{tp.partition}]: no records for {self.settings.idle_timeout_s:.0f}s at offset "
                        f"{self._consumer.position(tp)}, before the end offset {restriction.stop} seen at launch")
            elif not records or now - started > self.settings.max_seconds_per_bundle:
                tracker.defer_remainder(Duration.of(0 if records else 1))
                return

    def _commit(self, tp: TopicPartition, next_offset: int) -> None:
        with self._commit_lock:
            if self._committer is None:
                self._committer = KafkaConsumer(group_id=self.settings.group_id, enable_auto_commit=False,
                                                **self.connection.client_config())
            self._committer.commit({tp: OffsetAndMetadata(next_offset, "", -1)})
        LOG.debug("committed %s[%s] = %s", tp.topic, tp.partition, next_offset)


class ReadUnboundedPartitionFn(ReadPartitionFn):
    """The same reader, declared unbounded per element for streaming runners."""

    @beam.DoFn.unbounded_per_element()
    def process(
        self,
        spec: PartitionSpec,
        bundle_finalizer=beam.DoFn.BundleFinalizerParam,
        tracker=PARTITION_RESTRICTION,
        watermark_estimator=RECORD_TIME_WATERMARK,
    ):
        yield from super().process(spec, bundle_finalizer, tracker=tracker, watermark_estimator=watermark_estimator)


class KafkaReadTransform(beam.PTransform):
    """A read-side transform configured by a connection and the read settings."""

    def __init__(self, connection: KafkaConnection, settings: ReadSettings):
        super().__init__()
        self.connection = connection
        self.settings = settings


class PlanPartitions(KafkaReadTransform):
    """PBegin -> one PartitionSpec per topic-partition, resolved once when the pipeline starts."""

    def expand(self, pbegin):
        connection, settings = self.connection, self.settings
        return (
            pbegin
            | "Impulse" >> beam.Impulse()
            | "Plan" >> beam.FlatMap(lambda _: plan_partitions(connection, settings))
            | "Spread" >> beam.Reshuffle()
        )


class ReadPartitions(KafkaReadTransform):
    """PartitionSpec -> SourceMessage elements (timestamped with the record timestamp)."""

    def expand(self, partitions):
        reader = ReadPartitionFn if self.settings.bounded else ReadUnboundedPartitionFn
        return partitions | "Read" >> beam.ParDo(reader(self.connection, self.settings))


class ReadFromKafka(KafkaReadTransform):
    """PBegin -> SourceMessage elements: plan the partitions, then read them."""

    def expand(self, pbegin):
        return (
            pbegin
            | "PlanPartitions" >> PlanPartitions(self.connection, self.settings)
            | "ReadPartitions" >> ReadPartitions(self.connection, self.settings)
        )


class CommitBoundedOffsetsFn(beam.DoFn):
    """Commits a bounded partition's stop offset; runs only once the `outputs_done` side input exists."""

    def __init__(self, connection: KafkaConnection, group_id: str):
        self.connection = connection
        self.group_id = group_id
        self.committed = Metrics.counter("newsstream", "kafka.partitions_committed")

    def process(self, spec: PartitionSpec, outputs_done):
        if spec.stop is None or spec.stop <= spec.start:
            return
        consumer = KafkaConsumer(group_id=self.group_id, enable_auto_commit=False, **self.connection.client_config())
        try:
            consumer.commit({TopicPartition(spec.topic, spec.partition): OffsetAndMetadata(spec.stop, "", -1)})
        finally:
            consumer.close()
        self.committed.inc()
        yield spec


class CommitOffsetsAfterOutput(beam.PTransform):
    """Bounded runs: commit each partition's end offset only after every output is written.

    A batch runner's intermediate data is not durable (a local run killed with -9 loses it), so
    committing at bundle finalization could skip records whose files were never written. Waiting on
    the sinks' results as a side input makes the commit the run's last step; a killed run commits
    nothing and the next run reads the same offsets again (at-least-once, same ids).
    """

    def __init__(self, connection: KafkaConnection, group_id: str, outputs: list):
        super().__init__()
        self.connection = connection
        self.group_id = group_id
        self.outputs = outputs

    def expand(self, partitions):
        outputs_done = (
            self.outputs
            | "AllOutputs" >> beam.Flatten()
            | "OutputsDone" >> beam.combiners.Count.Globally()
        )
        return partitions | "Commit" >> beam.ParDo(
            CommitBoundedOffsetsFn(self.connection, self.group_id), beam.pvalue.AsSingleton(outputs_done))


class WriteToKafkaFn(beam.DoFn):
    """Sends each (key, value) to one topic; flushes at the end of every bundle so output is durable."""

    def __init__(self, connection: KafkaConnection, topic: str):
        self.connection = connection
        self.topic = topic
        self._producer = None

    def setup(self):
        self._producer = KafkaProducer(acks="all", **self.connection.client_config())

    def start_bundle(self):
        self._sent = []

    def process(self, key_value: tuple[bytes | None, bytes]):
        key, value = key_value
        self._sent.append(self._producer.send(self.topic, key=key, value=value))

    def finish_bundle(self):
        """Flush so every record of the bundle is acknowledged; a refused record (e.g. no WRITE ACL) fails
        the bundle, so the run never counts it as written. Emits the count as the bundle's done signal."""
        self._producer.flush()
        refused = next((future.exception for future in self._sent if future.failed()), None)
        if refused is not None:
            raise refused
        yield WindowedValue(len(self._sent), MIN_TIMESTAMP, [GlobalWindow()])

    def teardown(self):
        if self._producer is not None:
            self._producer.close()


class WriteToKafka(beam.PTransform):
    """(key bytes, value bytes) -> the topic; outputs one count per flushed bundle."""

    def __init__(self, connection: KafkaConnection, topic: str):
        super().__init__()
        self.connection = connection
        self.topic = topic

    def expand(self, pcoll):
        return pcoll | beam.ParDo(WriteToKafkaFn(self.connection, self.topic))


def ensure_topic(connection: KafkaConnection, topic: str, partitions: int) -> None:
    """Create the topic with `partitions` partitions unless it exists; replication factor and
    min.insync.replicas are the brokers' defaults (default.replication.factor, min.insync.replicas)."""
    from kafka.admin import KafkaAdminClient
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(**connection.client_config())
    try:
        if topic not in admin.list_topics():
            admin.create_topics({topic: {"num_partitions": partitions}}, wait_for_metadata=True)
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def produce_messages(connection: KafkaConnection, topic: str, messages: Iterable[tuple[bytes | None, bytes]]) -> int:
    """Send (key, value) pairs to the topic and wait until all are acknowledged; returns how many."""
    producer = KafkaProducer(acks="all", **connection.client_config())
    try:
        futures = [producer.send(topic, key=key, value=value) for key, value in messages]
        producer.flush()
        for future in futures:
            future.get(timeout=connection.request_timeout_ms / 1000)
        return len(futures)
    finally:
        producer.close()
