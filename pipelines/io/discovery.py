"""Unbounded reads: the partitions of the topics, looked for again every interval (KafkaIO's dynamic read).

A periodic impulse drives one keyed, stateful step that remembers the partitions already emitted, so a
partition added to a topic while the job runs (or while it was stopped, when the runner restores the
state) gets its own PartitionSpec and reader. The first round plans every partition as a bounded run
does (explicit start, else committed, else --auto-offset-reset); a partition found later starts at its
committed offset, else at its earliest, so nothing written to it before it was found is skipped.
"""
from __future__ import annotations

import dataclasses
import logging
import time

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Timestamp
from kafka import KafkaConsumer

from pipelines.io.kafka_config import KafkaConnection

LOG = logging.getLogger(__name__)


def topic_partitions(connection: KafkaConnection, topics: tuple[str, ...]) -> set[tuple[str, int]]:
    """Every (topic, partition) the brokers' metadata lists now; topics not (yet) there are left out."""
    consumer = KafkaConsumer(enable_auto_commit=False, **connection.client_config())
    try:
        listed = consumer.topics()
        return {(topic, p) for topic in topics if topic in listed for p in consumer.partitions_for_topic(topic)}
    finally:
        consumer.close()


def new_partitions(current: set[tuple[str, int]], seen: frozenset[tuple[str, int]]) -> set[tuple[str, int]]:
    """The partitions listed now and never emitted before."""
    return set(current) - set(seen)


SEEN = ReadModifyWriteStateSpec("seen", PickleCoder())
SEEN_STATE = beam.DoFn.StateParam(SEEN)


class EmitNewPartitionsFn(beam.DoFn):
    """(key, tick) -> a PartitionSpec for each partition not emitted before (kept in state)."""

    def __init__(self, connection: KafkaConnection, settings):
        self.connection = connection
        self.settings = settings
        self.found = beam.metrics.Metrics.counter("newsstream", "kafka.partitions_found")

    def process(self, _tick, seen=SEEN_STATE):
        from pipelines.io.kafka import plan_partitions

        known = seen.read() or frozenset()
        new = new_partitions(topic_partitions(self.connection, self.settings.topics), known) if known else None
        if new == set():
            return
        settings = dataclasses.replace(self.settings, auto_offset_reset="earliest") if known else self.settings
        specs = [spec for spec in plan_partitions(self.connection, settings)
                 if new is None or (spec.topic, spec.partition) in new]
        if known:
            LOG.info("new partitions found: %s", [(s.topic, s.partition) for s in specs])
        seen.write(frozenset(known | {(s.topic, s.partition) for s in specs}))
        self.found.inc(len(specs))
        yield from specs


class DiscoverPartitions(beam.PTransform):
    """PBegin -> PartitionSpec (unbounded): the partitions now, then each new one, checked every
    `settings.discovery_interval_s` until `settings.stop_at` (never, by default)."""

    def __init__(self, connection: KafkaConnection, settings):
        super().__init__()
        self.connection = connection
        self.settings = settings

    def expand(self, pbegin):
        stop = Timestamp.of(self.settings.stop_at) if self.settings.stop_at is not None else MAX_TIMESTAMP
        return (
            pbegin
            | "Every" >> PeriodicImpulse(start_timestamp=Timestamp.of(time.time()), stop_timestamp=stop,
                                         fire_interval=self.settings.discovery_interval_s)
            | "OneKey" >> beam.Map(lambda tick: ("partitions", tick))
            | "NewOnly" >> beam.ParDo(EmitNewPartitionsFn(self.connection, self.settings))
            | "Spread" >> beam.Reshuffle()
        )
