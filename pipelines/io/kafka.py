"""Kafka source and sink on kafka-python (no Java expansion service).

The source follows Java KafkaIO's ReadFromKafkaDoFn: a splittable DoFn with one offset-range
restriction per topic-partition. Bounded mode stops at the end offsets seen at launch; unbounded
mode checkpoints (defer_remainder) and resumes forever, for streaming runners. The newsstream
pipeline commits offsets only once the output is durable (at-least-once): in streaming from what
the file sink has written (pipelines/io/commits.py), in bounded runs after every output is written
(CommitOffsetsAfterOutput). Used on its own with `commit_offsets`, the unbounded reader commits what
it has read at bundle finalization. The reader sets its own per-partition watermark
(pipelines/io/watermark.py).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.io.iobase import RestrictionProgress
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.metrics import Metrics
from apache_beam.transforms.core import RestrictionProvider
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP, Duration, Timestamp
from apache_beam.utils.windowed_value import WindowedValue
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import (
    CorruptRecordError,
    InvalidRecordError,
    InvalidTimestampError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
)
from kafka.structs import OffsetAndMetadata

from pipelines.io.consumer_pool import CONSUMERS, PartitionConsumer
from pipelines.io.discovery import DiscoverPartitions
from pipelines.io.kafka_config import KafkaConnection
from pipelines.io.offsets import COMMIT_SCHEDULE, END_OFFSETS, OffsetCommitter
from pipelines.io.watermark import PartitionWatermark, PartitionWatermarkProvider
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
    """How the source reads: group for committed offsets, where to start, when to stop.

    Unbounded mode: each partition is read for at most `max_seconds_per_bundle` before a checkpoint, and
    resumes after `idle_resume_delay_s` once caught up; the watermark trails the clock by
    `watermark_max_delay_s` when caught up; commit finalizers are registered at most every
    `commit_interval_s` per partition; new partitions are looked for every `discovery_interval_s`;
    `stop_at` (epoch seconds) ends the read, for time-boxed demos and tests.
    """

    topics: tuple[str, ...]
    group_id: str | None = None
    start_offsets: tuple[tuple[str, int, int], ...] = ()
    auto_offset_reset: str = "earliest"
    bounded: bool = True
    commit_offsets: bool = True
    poll_timeout_ms: int = 200
    idle_timeout_s: float = 30.0
    max_seconds_per_bundle: float = 0.5
    idle_resume_delay_s: float = 1.0
    watermark_max_delay_s: float = 30.0
    commit_interval_s: float = 5.0
    discovery_interval_s: float = 60.0
    stop_at: float | None = None
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


class UnboundedPartitionRange(OffsetRange):
    """The endless offset range of one partition from `start`: it names its partition, so the tracker
    can report the backlog as the remaining work instead of 2**63 offsets."""

    def __init__(self, start: int, topic: str, partition: int):
        super().__init__(start, MAX_OFFSET)
        self.topic = topic
        self.partition = partition


class CheckpointOnlyOffsetTracker(OffsetRestrictionTracker):
    """Offset tracker for an unbounded partition: only checkpoint splits (fraction 0) are allowed;
    a fractional split of an endless range has no meaning. Progress is the records claimed and the
    backlog from the end offsets cache."""

    def __init__(self, restriction: OffsetRange):
        super().__init__(restriction)
        self._partition = (restriction.topic, restriction.partition) \
            if isinstance(restriction, UnboundedPartitionRange) else None

    def try_split(self, fraction_of_remainder):
        if fraction_of_remainder != 0:
            return None
        split = super().try_split(0)
        if split is None or self._partition is None:
            return split
        primary, residual = split
        return primary, UnboundedPartitionRange(residual.start, *self._partition)

    def current_progress(self) -> RestrictionProgress:
        start = self.start_position()
        position = start if self._last_claim_attempt is None else self._last_claim_attempt + 1
        remaining = 0 if self._partition is None else END_OFFSETS.cached_backlog(TopicPartition(*self._partition),
                                                                                  position)
        return RestrictionProgress(completed=position - start, remaining=remaining)

    def is_bounded(self):
        return False


class PartitionRestrictionProvider(RestrictionProvider):
    """One OffsetRange per PartitionSpec; never split up front (a partition is read in order).
    The size of an unbounded restriction is the partition's backlog from a metadata query."""

    def __init__(self, connection: KafkaConnection):
        self.connection = connection

    def initial_restriction(self, spec: PartitionSpec) -> OffsetRange:
        if spec.stop is None:
            return UnboundedPartitionRange(spec.start, spec.topic, spec.partition)
        return OffsetRange(spec.start, max(spec.start, spec.stop))

    def create_tracker(self, restriction: OffsetRange):
        if restriction.stop == MAX_OFFSET:
            return CheckpointOnlyOffsetTracker(restriction)
        return OffsetRestrictionTracker(restriction)

    def split(self, element, restriction):
        yield restriction

    def restriction_size(self, spec: PartitionSpec, restriction: OffsetRange):
        if restriction.stop == MAX_OFFSET:
            return END_OFFSETS.backlog(self.connection, TopicPartition(spec.topic, spec.partition), restriction.start)
        return restriction.size()


# the reader DoFn is its own restriction provider and watermark estimator provider
OWN_RESTRICTION = beam.DoFn.RestrictionParam()
OWN_WATERMARK = beam.DoFn.WatermarkEstimatorParam()


class ReadPartitionFn(beam.DoFn, PartitionRestrictionProvider, PartitionWatermarkProvider):
    """Reads the offsets of one partition's restriction with a consumer leased from the process-wide pool.

    It sets its watermark itself (PartitionWatermark) and, in unbounded mode, reads for at most
    `max_seconds_per_bundle` before checkpointing, so the partitions of a worker take turns. Commits go
    through the process-wide OffsetCommitter at bundle finalization, registered at most once per
    `commit_interval_s` per partition. The DoFn is its own restriction and watermark estimator provider.
    """

    def __init__(self, connection: KafkaConnection, settings: ReadSettings):
        self.connection = connection
        self.settings = settings
        self.read_counter = Metrics.counter("newsstream", "kafka.messages_read")
        self.bytes_counter = Metrics.counter("newsstream", "kafka.bytes_read")
        self.skipped_counter = Metrics.counter("newsstream", "kafka.offsets_skipped")
        self.checkpoints = Metrics.counter("newsstream", "kafka.checkpoints")

    def process(
        self,
        spec: PartitionSpec,
        bundle_finalizer=beam.DoFn.BundleFinalizerParam,
        tracker=OWN_RESTRICTION,
        watermark_estimator=OWN_WATERMARK,
    ) -> Iterator[beam.window.TimestampedValue]:
        restriction = tracker.current_restriction()
        tp = TopicPartition(spec.topic, spec.partition)
        unbounded = restriction.stop == MAX_OFFSET
        if unbounded and self.settings.stop_at is not None and time.time() >= self.settings.stop_at:
            tracker.try_claim(MAX_OFFSET)
            return
        watermark = PartitionWatermark(watermark_estimator.current_watermark(), self.settings.watermark_max_delay_s)
        next_offset = restriction.start
        with CONSUMERS.lease(self.connection, self.settings.consumer_config, tp, restriction.start) as consumer:
            try:
                for record in self._records(consumer, tracker, restriction, watermark, watermark_estimator):
                    next_offset = record.offset + 1
                    self.read_counter.inc()
                    self.bytes_counter.inc(len(record.value or b""))
                    yield beam.window.TimestampedValue(
                        SourceMessage(value=record.value or b"", key=record.key, topic=record.topic,
                                      partition=record.partition, offset=record.offset,
                                      timestamp_ms=record.timestamp, headers=tuple(record.headers or ())),
                        Timestamp(micros=record.timestamp * 1000),
                    )
            finally:
                END_OFFSETS.seen(self.connection, tp, consumer.highwater)
        if unbounded and self.settings.group_id and self.settings.commit_offsets:
            self._schedule_commit(tp, next_offset, bundle_finalizer)

    def _records(self, consumer: PartitionConsumer, tracker, restriction: OffsetRange, watermark: PartitionWatermark,
                 estimator) -> Iterable:
        bounded = restriction.stop != MAX_OFFSET
        started = idle_since = time.monotonic()
        while True:
            polled = consumer.poll(self.settings.poll_timeout_ms)
            if polled.skipped:
                self.skipped_counter.inc(polled.skipped)
                # the deleted offsets are done: the residual must not start below the log again
                if not tracker.try_claim(consumer.position - 1):
                    return
            for record in polled.records:
                if not tracker.try_claim(record.offset):
                    return
                estimator.set_watermark(watermark.record_read(Timestamp(micros=record.timestamp * 1000)))
                yield record
            if consumer.caught_up():
                estimator.set_watermark(watermark.caught_up())
            now = time.monotonic()
            if polled.records:
                idle_since = now
            if bounded:
                if consumer.position >= restriction.stop:
                    tracker.try_claim(restriction.stop)
                    return
                if now - idle_since > self.settings.idle_timeout_s:
                    raise TimeoutError(
                        f"{restriction}: no records for {self.settings.idle_timeout_s:.0f}s at offset "
                        f"{consumer.position}, before the end offset {restriction.stop} seen at launch")
            elif (not polled.records and consumer.caught_up()) or now - started > self.settings.max_seconds_per_bundle:
                self.checkpoints.inc()
                tracker.defer_remainder(Duration.of(0 if polled.records else self.settings.idle_resume_delay_s))
                return

    def _schedule_commit(self, tp: TopicPartition, next_offset: int, bundle_finalizer) -> None:
        """Only after a bundle that completed: a failed one's records are read again from its restriction."""
        group = self.settings.group_id
        COMMIT_SCHEDULE.read_up_to((self.connection, group, tp), next_offset)
        due = COMMIT_SCHEDULE.take_due((self.connection, group, tp), self.settings.commit_interval_s)
        if due is not None:
            committer = OffsetCommitter.shared(self.connection)
            bundle_finalizer.register(lambda: committer.commit(group, tp, due))


class ReadUnboundedPartitionFn(ReadPartitionFn):
    """The same reader, declared unbounded per element for streaming runners; commits at bundle finalization."""

    @beam.DoFn.unbounded_per_element()
    def process(
        self,
        spec: PartitionSpec,
        bundle_finalizer=beam.DoFn.BundleFinalizerParam,
        tracker=OWN_RESTRICTION,
        watermark_estimator=OWN_WATERMARK,
    ):
        yield from super().process(spec, bundle_finalizer, tracker=tracker, watermark_estimator=watermark_estimator)


class ReadUnboundedPartitionWithoutCommitsFn(ReadPartitionFn):
    """The unbounded reader of a pipeline that commits elsewhere (newsstream's streaming job commits from the
    written files). It declares no bundle finalizer: Prism sends FinalizeBundle after every bundle of a DoFn
    that declares one, registered or not, and the Python SDK logs an error for each bundle that was not."""

    @beam.DoFn.unbounded_per_element()
    def process(self, spec: PartitionSpec, tracker=OWN_RESTRICTION, watermark_estimator=OWN_WATERMARK):
        yield from super().process(spec, None, tracker=tracker, watermark_estimator=watermark_estimator)


class KafkaReadTransform(beam.PTransform):
    """A read-side transform configured by a connection and the read settings."""

    def __init__(self, connection: KafkaConnection, settings: ReadSettings):
        super().__init__()
        self.connection = connection
        self.settings = settings


class PlanPartitions(KafkaReadTransform):
    """PBegin -> one PartitionSpec per topic-partition: resolved once when a bounded run starts; in
    unbounded mode, looked for again periodically so new partitions are read (DiscoverPartitions)."""

    def expand(self, pbegin):
        connection, settings = self.connection, self.settings
        if not settings.bounded:
            return pbegin | "Discover" >> DiscoverPartitions(connection, settings)
        return (
            pbegin
            | "Impulse" >> beam.Impulse()
            | "Plan" >> beam.FlatMap(lambda _: plan_partitions(connection, settings))
            | "Spread" >> beam.Reshuffle()
        )


class ReadPartitions(KafkaReadTransform):
    """PartitionSpec -> SourceMessage elements (timestamped with the record timestamp)."""

    def expand(self, partitions):
        if self.settings.bounded:
            reader = ReadPartitionFn
        elif self.settings.group_id and self.settings.commit_offsets:
            reader = ReadUnboundedPartitionFn
        else:
            reader = ReadUnboundedPartitionWithoutCommitsFn
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
    """Commits a bounded partition's stop offset; runs only once the `outputs_done` side input exists.

    Only forward: the group's offset is read first and the stop offset committed only when the group has
    none or a lower one. A partition with nothing to read is committed too when the group has no offset
    (`--auto-offset-reset latest` resolved its start at the end), so the next run starts there and reads
    what arrived in between. Another run of the group that got further first is never undone (the read
    and the commit are two requests: two runs committing in the same instant can still race)."""

    def __init__(self, connection: KafkaConnection, group_id: str):
        self.connection = connection
        self.group_id = group_id
        self.committed = Metrics.counter("newsstream", "kafka.partitions_committed")
        self.not_forward = Metrics.counter("newsstream", "kafka.commits_not_forward")

    def process(self, spec: PartitionSpec, outputs_done):
        if spec.stop is None:
            return
        tp = TopicPartition(spec.topic, spec.partition)
        consumer = KafkaConsumer(group_id=self.group_id, enable_auto_commit=False, **self.connection.client_config())
        try:
            current = consumer.committed(tp)
            if current is not None and current >= spec.stop:
                if current > spec.stop:
                    self.not_forward.inc()
                    LOG.warning("%s[%s]: group %s is already at %s, past this run's end %s; not committed",
                                spec.topic, spec.partition, self.group_id, current, spec.stop)
                return
            consumer.commit({tp: OffsetAndMetadata(spec.stop, "", -1)})
        finally:
            consumer.close()
        self.committed.inc()
        yield spec


class CommitOffsetsAfterOutput(beam.PTransform):
    """Bounded runs: commit each partition's end offset only after every output is written and verified.

    A batch runner's intermediate data is not durable (a local run killed with -9 loses it), so
    committing at bundle finalization could skip records whose files were never written. Waiting on
    `outputs_verified` (one element, made once every output file was checked) as a side input makes the
    commit the run's last step; a killed run, or one whose files are not all there, commits nothing and
    the next run reads the same offsets again (at-least-once, same ids).
    """

    def __init__(self, connection: KafkaConnection, group_id: str, outputs_verified):
        super().__init__()
        self.connection = connection
        self.group_id = group_id
        self.outputs_verified = outputs_verified

    def expand(self, partitions):
        return partitions | "Commit" >> beam.ParDo(
            CommitBoundedOffsetsFn(self.connection, self.group_id), beam.pvalue.AsSingleton(self.outputs_verified))


# errors that are the record's own: sending it again cannot succeed
RECORD_ERRORS = (MessageSizeTooLargeError, RecordListTooLargeError, InvalidRecordError, CorruptRecordError,
                 InvalidTimestampError)


class SendFailed(RuntimeError):
    """Sends of a bundle failed for a reason that is not the record's own (brokers, authorization):
    the bundle fails so the runner retries it."""


class WriteToKafkaFn(beam.DoFn):
    """Sends each (key, value) to one topic; flushes at the end of every bundle so output is durable.

    Every send's result is checked after the flush. A record refused for itself (larger than the
    producer's max_request_size or the broker's message.max.bytes, invalid) is counted
    (`kafka.records_rejected`) and logged with its key, size and reason, then skipped: the record is
    already final in the Avro files, and retrying the bundle could never make it fit, so retrying
    would stop the pipeline for good. Any other failure fails the bundle loudly (SendFailed), so the
    runner retries it and the bounded commit never passes an unsent record (at-least-once).
    """

    def __init__(self, connection: KafkaConnection, topic: str, producer_config: tuple[tuple[str, object], ...] = ()):
        self.connection = connection
        self.topic = topic
        self.producer_config = producer_config
        self.rejected = Metrics.counter("newsstream", "kafka.records_rejected")
        self._producer = None

    def setup(self):
        self._producer = KafkaProducer(acks="all", **dict(self.producer_config), **self.connection.client_config())

    def start_bundle(self):
        self._sends = []

    def process(self, key_value: tuple[bytes | None, bytes]):
        key, value = key_value
        try:
            self._sends.append((key, len(value), self._producer.send(self.topic, key=key, value=value)))
        except RECORD_ERRORS as e:
            self._reject(key, len(value), e)

    def finish_bundle(self):
        """Flush, check every send, and emit the count sent as the bundle's done signal."""
        self._producer.flush()
        sent, failed = 0, []
        for key, size, future in self._sends:
            if not future.failed():
                sent += 1
            elif isinstance(future.exception, RECORD_ERRORS):
                self._reject(key, size, future.exception)
            else:
                failed.append(future.exception)
        if failed:
            raise SendFailed(f"{len(failed)} of {len(self._sends)} records not written to {self.topic}: {failed[0]!r}")
        yield WindowedValue(sent, MIN_TIMESTAMP, [GlobalWindow()])

    def _reject(self, key: bytes | None, size: int, error: Exception) -> None:
        self.rejected.inc()
        LOG.error("record %r (%d bytes) not written to Kafka topic %s: %s: %s", key, size, self.topic,
                  type(error).__name__, error)

    def teardown(self):
        if self._producer is not None:
            self._producer.close()


class WriteToKafka(beam.PTransform):
    """(key bytes, value bytes) -> the topic, in batches compressed with `compression` (None: uncompressed);
    outputs one count per flushed bundle."""

    def __init__(self, connection: KafkaConnection, topic: str, compression: str | None = None,
                 producer_config: tuple[tuple[str, object], ...] = ()):
        super().__init__()
        self.connection = connection
        self.topic = topic
        compressed = (("compression_type", compression),) if compression else ()
        self.producer_config = compressed + producer_config

    def expand(self, pcoll):
        return pcoll | beam.ParDo(WriteToKafkaFn(self.connection, self.topic, self.producer_config))


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
