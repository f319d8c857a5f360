"""The process-wide pool of partition consumers the Kafka reader leases per bundle.

A bundle borrows the consumer of its partition and gives it back positioned, with what it prefetched:
the next bundle of that partition goes on without `assign` + `seek`. The number of consumers is the
number of partitions this worker reads at once, however many bundles and DoFn instances the runner
creates (a runner keeps a bundle's processor alive until it finalizes the bundle, and builds new ones
meanwhile).
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import OffsetOutOfRangeError

from pipelines.io.kafka_config import KafkaConnection

LOG = logging.getLogger(__name__)


class Poll(NamedTuple):
    """Records from one poll, and how many offsets were skipped because the position was out of range."""

    records: list
    skipped: int = 0


class PartitionConsumer:
    """A KafkaConsumer assigned to one partition. Its reset policy is "none": an out-of-range position
    (records deleted by retention under a restored offset) is handled here, from the earliest offset,
    counted and logged, never by jumping silently to the latest one."""

    def __init__(self, consumer: KafkaConsumer, tp: TopicPartition):
        self.consumer = consumer
        self.tp = tp
        self.positioned = False
        self.waiting_beyond_end: set[int] = set()
        consumer.assign([tp])

    def position_at(self, offset: int) -> None:
        """Make `offset` the next one read; a consumer already there keeps its prefetched records."""
        if not self.positioned or self.consumer.position(self.tp) != offset:
            self.consumer.seek(self.tp, offset)
            self.positioned = True

    def poll(self, timeout_ms: int) -> Poll:
        """One fetch. A position below the log start (deleted by retention) moves to the earliest offset;
        the offsets passed over are returned as skipped. A position beyond the log end (the log was
        truncated or the topic recreated under a restored offset) waits there, with a warning: offsets
        cannot go back within a restriction."""
        try:
            return Poll(self.consumer.poll(timeout_ms=timeout_ms).get(self.tp, []))
        except OffsetOutOfRangeError as e:
            requested = e.args[0].get(self.tp, self.position) if e.args and isinstance(e.args[0], dict) \
                else self.position
        earliest = self.consumer.beginning_offsets([self.tp])[self.tp]
        if earliest > requested:
            self.consumer.seek(self.tp, earliest)
            LOG.warning("%s[%s]: offset %s is below the log start (deleted by retention); reading on from the "
                        "earliest offset %s, %s offsets skipped", self.tp.topic, self.tp.partition, requested,
                        earliest, earliest - requested)
            return Poll([], earliest - requested)
        if requested not in self.waiting_beyond_end:
            self.waiting_beyond_end.add(requested)
            LOG.warning("%s[%s]: offset %s is beyond the log end (log truncated or topic recreated?); waiting "
                        "there", self.tp.topic, self.tp.partition, requested)
        time.sleep(timeout_ms / 1000)
        return Poll([])

    @property
    def position(self) -> int:
        return self.consumer.position(self.tp)

    @property
    def highwater(self) -> int | None:
        """The partition's high watermark from the last fetch response, None before any."""
        return self.consumer.highwater(self.tp)

    def caught_up(self) -> bool:
        """Nothing is waiting: the position is at the high watermark of the last fetch."""
        highwater = self.highwater
        return highwater is not None and self.position >= highwater

    def close(self) -> None:
        self.consumer.close()


class ConsumerPool:
    """Idle partition consumers by (connection, consumer settings, partition); consumers idle longer than
    `idle_close_s` (the partition moved to another worker) are closed."""

    def __init__(self, idle_close_s: float = 300.0):
        self.idle_close_s = idle_close_s
        self.created = 0
        self._idle: dict[tuple, list[tuple[PartitionConsumer, float]]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def lease(self, connection: KafkaConnection, config: tuple[tuple[str, object], ...], tp: TopicPartition,
              offset: int) -> Iterator[PartitionConsumer]:
        """A consumer of `tp` positioned at `offset`, returned to the pool afterwards (closed on error)."""
        key = (connection, config, tp)
        consumer = self._take(key, offset)
        if consumer is None:
            consumer = PartitionConsumer(
                KafkaConsumer(enable_auto_commit=False, auto_offset_reset="none", **dict(config),
                              **connection.client_config()), tp)
            with self._lock:
                self.created += 1
        try:
            consumer.position_at(offset)
            yield consumer
        except BaseException:
            consumer.close()
            raise
        with self._lock:
            self._idle.setdefault(key, []).append((consumer, time.monotonic()))

    def _take(self, key: tuple, offset: int) -> PartitionConsumer | None:
        with self._lock:
            self._close_idle()
            idle = self._idle.get(key)
            if not idle:
                return None
            at_offset = [i for i, (c, _) in enumerate(idle) if c.positioned and c.position == offset]
            return idle.pop(at_offset[0] if at_offset else -1)[0]

    def _close_idle(self) -> None:
        now = time.monotonic()
        for key, idle in list(self._idle.items()):
            for consumer, since in [entry for entry in idle if now - entry[1] > self.idle_close_s]:
                idle.remove((consumer, since))
                consumer.close()
            if not idle:
                del self._idle[key]

    def close_idle(self) -> None:
        """Close every consumer not leased right now."""
        with self._lock:
            for idle in self._idle.values():
                for consumer, _ in idle:
                    consumer.close()
            self._idle.clear()


CONSUMERS = ConsumerPool()
