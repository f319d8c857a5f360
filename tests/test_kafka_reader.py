"""The unbounded Kafka reader run for real: Beam's FnApiRunner (the SDK-harness code Prism and Flink workers
run) against the embedded broker, plus its plain parts (watermark policy, commit schedule) with a fake clock.

FnApiRunner runs the pipeline in this process, so DoFns append to module-level lists the test reads. Each
run is time-boxed with ReadSettings.stop_at: the reader finishes its restrictions at that wall time.
"""
from __future__ import annotations

import dataclasses
import os
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable

import apache_beam as beam
import kafka
import pytest
from apache_beam.io.restriction_trackers import OffsetRange
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, PrismRunnerOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.runners.portability.prism_runner import PrismRunner
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import TimerSpec, on_timer
from apache_beam.utils.timestamp import MIN_TIMESTAMP, Timestamp
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient

from pipelines.io.discovery import DiscoverPartitions, topic_partitions
from pipelines.io.kafka import (
    MAX_OFFSET,
    CheckpointOnlyOffsetTracker,
    PartitionRestrictionProvider,
    PartitionSpec,
    ReadPartitions,
    ReadSettings,
    UnboundedPartitionRange,
    ensure_topic,
)
from pipelines.io.kafka_config import KafkaConnection
from pipelines.io.offsets import END_OFFSETS, CommitSchedule, OffsetCommitter
from pipelines.io.watermark import PartitionWatermark
from pipelines.runners import query_metrics

COLLECTED: dict[str, list] = defaultdict(list)


class FakeClock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self):
        return self.now


# --- the watermark policy -------------------------------------------------------------------------------

def test_watermark_follows_record_time_while_there_is_backlog():
    watermark = PartitionWatermark(MIN_TIMESTAMP, max_delay_s=10, clock=lambda: Timestamp.of(1000))
    assert watermark.record_read(Timestamp.of(500)) == Timestamp.of(500)
    assert watermark.record_read(Timestamp.of(400)) == Timestamp.of(500), "it never goes back"
    assert watermark.record_read(Timestamp.of(700)) == Timestamp.of(700)


def test_watermark_moves_to_now_minus_max_delay_once_caught_up_even_without_records():
    clock = FakeClock(1000.0)
    watermark = PartitionWatermark(MIN_TIMESTAMP, max_delay_s=10, clock=lambda: Timestamp.of(clock.now))
    assert watermark.caught_up() == Timestamp.of(990), "a partition that never had a record starts at now - delay"
    clock.now = 1060.0
    assert watermark.caught_up() == Timestamp.of(1050), "empty polls keep moving it with the clock"
    watermark.record_read(Timestamp.of(100))
    assert watermark.current == Timestamp.of(1050)


def test_a_far_future_record_time_moves_the_watermark_to_the_clock_not_beyond():
    clock = FakeClock(1000.0)
    watermark = PartitionWatermark(MIN_TIMESTAMP, max_delay_s=10, clock=lambda: Timestamp.of(clock.now))
    assert watermark.record_read(Timestamp.of(1000 + 86400)) == Timestamp.of(1000)
    clock.now = 1005.0
    assert watermark.record_read(Timestamp.of(1001)) == Timestamp.of(1001)
    assert watermark.caught_up() == Timestamp.of(1001)


# --- commits ----------------------------------------------------------------------------------------------

def test_commit_finalizers_are_due_at_most_once_per_interval_with_the_offset_read():
    clock = FakeClock(0.0)
    schedule = CommitSchedule(clock=clock)
    schedule.read_up_to("p0", 10)
    assert schedule.take_due("p0", 5.0) == 10
    schedule.read_up_to("p0", 20)
    clock.now = 1.0
    assert schedule.take_due("p0", 5.0) is None, "registered one second ago"
    clock.now = 5.0
    assert schedule.take_due("p0", 5.0) == 20, "a later (idle) bundle carries the offsets read meanwhile"
    clock.now = 20.0
    assert schedule.take_due("p0", 5.0) is None, "nothing new"
    schedule.read_up_to("p0", 15)
    clock.now = 40.0
    assert schedule.take_due("p0", 5.0) is None, "a restored earlier checkpoint: wait until it passes 20 again"
    schedule.read_up_to("p0", 25)
    assert schedule.take_due("p0", 5.0) == 25
    assert schedule.take_due("p1", 5.0) is None


@pytest.mark.integration
def test_the_committer_never_moves_an_offset_backwards(broker, topic):
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, 1)
    tp = TopicPartition(topic, 0)
    committer = OffsetCommitter.shared(connection)
    assert committer is OffsetCommitter.shared(connection)
    assert committer.commit("g-forward", tp, 10)
    assert not committer.commit("g-forward", tp, 7), "a finalizer running late must not move it back"
    assert committer.commit("g-forward", tp, 12)
    group = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id="g-forward")
    try:
        assert group.committed(tp) == 12
    finally:
        group.close()


# --- restriction progress -----------------------------------------------------------------------------------

def test_unbounded_progress_is_the_backlog_not_two_to_the_63():
    tp = TopicPartition(f"t-{uuid.uuid4().hex[:8]}", 0)
    connection = KafkaConnection("127.0.0.1:9")
    END_OFFSETS.seen(connection, tp, 50)
    tracker = CheckpointOnlyOffsetTracker(UnboundedPartitionRange(10, tp.topic, tp.partition))
    assert tracker.try_claim(10) and tracker.try_claim(11)
    progress = tracker.current_progress()
    assert (progress.completed_work, progress.remaining_work) == (2, 38)
    assert PartitionRestrictionProvider(connection).restriction_size(
        PartitionSpec(tp.topic, 0, 12, None), OffsetRange(12, MAX_OFFSET)) == 38
    _primary, residual = tracker.try_split(0)
    assert isinstance(residual, UnboundedPartitionRange) and (residual.start, residual.topic) == (12, tp.topic)


# --- the reader on FnApiRunner ------------------------------------------------------------------------------

class Collect(beam.DoFn):
    def __init__(self, run: str):
        self.run = run

    def process(self, message, timestamp=beam.DoFn.TimestampParam):
        COLLECTED[self.run].append((message.partition, message.offset, timestamp))


AT_TIMER = TimerSpec("at", TimeDomain.WATERMARK)


class FireAtEventTime(beam.DoFn):
    """For each (name, event time) element, an event-time timer that records the wall time it fires at:
    it fires only once the reader's watermark has passed that time."""

    def __init__(self, run: str):
        self.run = run

    def process(self, element, timer=beam.DoFn.TimerParam(AT_TIMER)):  # noqa: B008 (Beam's parameter style)
        _name, at = element
        timer.set(at)

    @on_timer(AT_TIMER)
    def fired(self, key=beam.DoFn.KeyParam):
        COLLECTED[self.run].append((key, time.time()))
        return []


def produce(servers: str, topic: str, partition: int, timestamps_ms: list[int]) -> None:
    producer = KafkaProducer(bootstrap_servers=servers, acks="all")
    for ts in timestamps_ms:
        producer.send(topic, value=b'{"text": "x"}', partition=partition, timestamp_ms=ts)
    producer.flush()
    producer.close()


def prism_location() -> str:
    """The Prism binary `make prism` builds for the installed Beam version, or skip."""
    path = os.path.join(os.path.dirname(__file__), "..", ".cache", "prism", beam.__version__, "prism")
    if not os.path.exists(path):
        pytest.skip(f"Prism is not built at {os.path.abspath(path)}: run `make prism`")
    return path


def run_reader(connection: KafkaConnection, settings: ReadSettings, specs: list[PartitionSpec],
               timers: list[tuple[str, Timestamp]] = (), prism: str | None = None) -> tuple[str, dict]:
    """Runs the unbounded reader until settings.stop_at on FnApiRunner, or on Prism (streaming) when given
    its binary; returns the run id and counters."""
    run = uuid.uuid4().hex
    if prism:
        # its own Prism server: the process-wide one may have been started without --prism_location
        options = PipelineOptions(["--streaming", "--environment_type=LOOPBACK",
                                   "--experiments=disable_prism_server_singleton"])
        options.view_as(PrismRunnerOptions).prism_location = prism
        p = beam.Pipeline(runner=PrismRunner(), options=options)
    else:
        p = beam.Pipeline(runner=FnApiRunner())
    messages = p | beam.Create(specs) | ReadPartitions(connection, settings)
    messages | "Collect" >> beam.ParDo(Collect(run))
    if timers:
        (messages
         | "Once" >> beam.FlatMap(lambda m: list(timers) if m.offset == 0 and m.partition == 0 else [])
         | "Timers" >> beam.ParDo(FireAtEventTime(run + "-timers")))
    result = p.run()
    result.wait_until_finish()
    counters = {c.key.metric.name: c.committed for c in query_metrics(result, MetricsFilter())["counters"]}
    return run, counters


def unbounded(topic: str, group: str, seconds: float, **overrides) -> ReadSettings:
    return ReadSettings(topics=(topic,), group_id=group, bounded=False, stop_at=time.time() + seconds, **overrides)


@pytest.mark.integration
def test_the_unbounded_reader_runs_on_fn_api_runner_and_commits(broker, topic):
    """Item 1: the SDK asks the watermark estimator for its state at every checkpoint; it must be a Timestamp."""
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, 2)
    produce(broker.bootstrap_servers, topic, 0, [1_700_000_000_000 + i for i in range(5)])
    produce(broker.bootstrap_servers, topic, 1, [1_700_000_000_000 + i for i in range(3)])
    group = f"g-{topic}"
    run, counters = run_reader(connection, unbounded(topic, group, 6, commit_interval_s=0.5),
                               [PartitionSpec(topic, 0, 0, None), PartitionSpec(topic, 1, 1, None)])

    read = sorted((p, o) for p, o, _ in COLLECTED[run])
    assert read == [(0, o) for o in range(5)] + [(1, 1), (1, 2)]
    assert {ts for p, o, ts in COLLECTED[run] if (p, o) == (0, 3)} == {Timestamp(micros=1_700_000_000_003_000)}
    assert counters["kafka.checkpoints"] > 2
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id=group)
    try:
        assert consumer.committed(TopicPartition(topic, 0)) == 5
        assert consumer.committed(TopicPartition(topic, 1)) == 3
    finally:
        consumer.close()


@pytest.mark.integration
def test_the_watermark_advances_on_caught_up_and_empty_partitions(broker, topic):
    """Item 2, on Prism (FnApiRunner holds every watermark at the minimum while a restriction is deferred,
    so it cannot show this). Partition 0 has an old record, partition 1 never has one: a timer just
    before the start fires while the reader still runs, because both partitions moved to now - delay."""
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, 2)
    start = time.time()
    produce(broker.bootstrap_servers, topic, 0, [int((start - 600) * 1000)])
    settings = unbounded(topic, None, 6, watermark_max_delay_s=1.0)
    run, _ = run_reader(connection, settings, [PartitionSpec(topic, 0, 0, None), PartitionSpec(topic, 1, 0, None)],
                        timers=[("past", Timestamp.of(start - 5))], prism=prism_location())

    fired = dict(COLLECTED[run + "-timers"])
    assert fired["past"] < settings.stop_at, "the watermark moved while the reader was running"


@pytest.mark.integration
def test_a_far_future_record_time_does_not_carry_the_watermark_ahead(broker, topic):
    """Item 2, on Prism: after an old record and one stamped a day ahead, the watermark is at the clock:
    a timer before the start fires while reading, a timer an hour ahead only when the read ends."""
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, 1)
    start = time.time()
    produce(broker.bootstrap_servers, topic, 0, [int((start - 600) * 1000), int((start + 86400) * 1000)])
    settings = unbounded(topic, None, 6, watermark_max_delay_s=1.0)
    run, _ = run_reader(connection, settings, [PartitionSpec(topic, 0, 0, None)],
                        timers=[("past", Timestamp.of(start - 5)), ("future", Timestamp.of(start + 3600))],
                        prism=prism_location())

    fired = dict(COLLECTED[run + "-timers"])
    assert fired["past"] < settings.stop_at, "the watermark moved while the reader was running"
    assert fired["future"] >= settings.stop_at, "the far-future record time moved the watermark ahead"


@pytest.mark.integration
def test_one_pooled_consumer_per_partition_across_many_bundles(broker, topic, monkeypatch):
    """Item 4 and 13: many checkpoints (bundles), yet one consumer per partition, positioned once."""
    opened, seeks = [], []
    real_init, real_seek = kafka.KafkaConsumer.__init__, kafka.KafkaConsumer.seek

    def counting_init(self, *args, **kwargs):
        opened.append(kwargs.get("group_id"))
        real_init(self, *args, **kwargs)

    def counting_seek(self, partition, offset):
        seeks.append((partition, offset))
        real_seek(self, partition, offset)

    monkeypatch.setattr(kafka.KafkaConsumer, "__init__", counting_init)
    monkeypatch.setattr(kafka.KafkaConsumer, "seek", counting_seek)
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, 2)
    produce(broker.bootstrap_servers, topic, 0, [1_700_000_000_000] * 3)
    run, counters = run_reader(connection, unbounded(topic, f"g-{topic}", 6, commit_interval_s=1.0),
                               [PartitionSpec(topic, 0, 0, None), PartitionSpec(topic, 1, 0, None)])

    assert len(COLLECTED[run]) == 3
    assert counters["kafka.checkpoints"] >= 10
    readers = [group for group in opened if group is None]
    assert len(readers) <= 3, f"{len(readers)} consumers for 2 partitions (+1 end-offset query client)"
    assert opened.count(f"g-{topic}") == 1, "one committer for the group"
    assert len(seeks) == 2, "positioned once per partition, then kept positioned between bundles"


def run_discovery(connection: KafkaConnection, bootstrap: str, topic: str, add_partition: Callable[[], None]
                  ) -> tuple[str, dict, list[float], ReadSettings]:
    """Discovery and the reader on FnApiRunner while, a second in, `add_partition` gives the topic a second
    partition and 3 records go to it. FnApiRunner runs discovery to its stop before the readers take the
    specs further, so discovery stops (8 s) before the readers (14 s). Returns the run id, the counters,
    when the partition was added and the discovery settings."""
    read_settings = unbounded(topic, None, 14)
    discovery_settings = dataclasses.replace(read_settings, stop_at=time.time() + 8, discovery_interval_s=0.5)
    added: list[float] = []

    def change() -> None:
        time.sleep(1)
        add_partition()
        added.append(time.time())
        produce(bootstrap, topic, 1, [1_700_000_000_000 + i for i in range(3)])

    changer = threading.Thread(target=change)
    changer.start()
    run = uuid.uuid4().hex
    p = beam.Pipeline(runner=FnApiRunner())
    (p
     | DiscoverPartitions(connection, discovery_settings)
     | ReadPartitions(connection, read_settings)
     | beam.ParDo(Collect(run)))
    result = p.run()
    result.wait_until_finish()
    changer.join()
    counters = {c.key.metric.name: c.committed for c in query_metrics(result, MetricsFilter())["counters"]}
    return run, counters, added, discovery_settings


@pytest.mark.integration
def test_a_partition_that_appears_mid_run_is_discovered_and_read(broker, topic):
    """Item 10. Tansu has no CreatePartitions, so the partition appears the way it can there: the topic is
    deleted and created again with two partitions while the job runs, then both partitions get records.
    Tansu may auto-create the deleted topic (with its own partition count) when a running reader asks for
    it before the test creates it again, so each partition the topic ends with is counted once.
    FnApiRunner runs discovery to its stop before the readers take the specs further, so discovery stops
    earlier (8 s) than the readers (14 s); on a streaming runner both run side by side."""
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, 1)

    def add_partition() -> None:
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        try:
            admin.delete_topics([topic])
        finally:
            admin.close()
        ensure_topic(connection, topic, 2)

    run, counters, added, discovery_settings = run_discovery(connection, broker.bootstrap_servers, topic,
                                                             add_partition)

    assert added[0] < discovery_settings.stop_at - 1, "setup: the partition came too late for discovery"
    assert sorted((p, o) for p, o, _ in COLLECTED[run]) == [(1, 0), (1, 1), (1, 2)]
    partitions_now = len(topic_partitions(connection, (topic,)))
    assert partitions_now >= 2
    assert counters["kafka.partitions_found"] == partitions_now, "each partition once, not every round"
