"""Process-wide offset bookkeeping shared by every reader (and sink) of a worker: the group committer,
the schedule of commit finalizers, and the end offsets that size a partition's backlog."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from pipelines.io.kafka_config import KafkaConnection

LOG = logging.getLogger(__name__)


class OffsetCommitter:
    """Commits consumer-group offsets for one connection, only ever forward.

    One instance per connection and process (`OffsetCommitter.shared`), holding one group client per
    group, so finalizers of many bundles share it. `commit` ignores an offset at or below the last one
    this process committed for the group and partition: finalizers running out of order never move an
    offset backwards. (Another process's commits are not consulted: a restart with lower explicit
    start offsets commits from there.)
    """

    _shared: dict[KafkaConnection, OffsetCommitter] = {}
    _shared_lock = threading.Lock()

    def __init__(self, connection: KafkaConnection):
        self.connection = connection
        self._clients: dict[str, KafkaConsumer] = {}
        self._committed: dict[tuple[str, TopicPartition], int] = {}
        self._lock = threading.Lock()

    @classmethod
    def shared(cls, connection: KafkaConnection) -> OffsetCommitter:
        """This process's committer for the connection."""
        with cls._shared_lock:
            if connection not in cls._shared:
                cls._shared[connection] = cls(connection)
            return cls._shared[connection]

    def commit(self, group: str, tp: TopicPartition, offset: int) -> bool:
        """Commit `offset` (the next offset to read) for the group; False when it would not move forward."""
        with self._lock:
            if offset <= self._committed.get((group, tp), -1):
                return False
            if group not in self._clients:
                self._clients[group] = KafkaConsumer(group_id=group, enable_auto_commit=False,
                                                     **self.connection.client_config())
            self._clients[group].commit({tp: OffsetAndMetadata(offset, "", -1)})
            self._committed[(group, tp)] = offset
        LOG.debug("committed %s %s[%s] = %s", group, tp.topic, tp.partition, offset)
        return True

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def last_committed(self, group: str, tp: TopicPartition) -> int | None:
        """The highest offset this process committed for the group and partition."""
        return self._committed.get((group, tp))


class CommitSchedule:
    """Which offset, if any, a bundle should register a commit finalizer for.

    Every completed bundle reports how far its partition has been read: its last offset + 1, or its
    restriction's start when it read nothing. Bundles of one partition run one after another (each
    resumes the previous one's residual), so once a bundle is finalized everything below that offset
    is durable. A finalizer is due at most once per interval per partition; idle bundles keep
    reporting, so the last offsets are committed within about an interval when the partition goes
    quiet. A bundle that starts lower than reported before (the runner restored an earlier
    checkpoint) lowers the offset, so no commit passes what the restored job has read.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._read: dict[object, int] = {}
        self._registered: dict[object, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def read_up_to(self, key: object, next_offset: int) -> None:
        """The partition `key` has been read up to `next_offset` (exclusive) by this bundle and those before."""
        with self._lock:
            self._read[key] = next_offset

    def take_due(self, key: object, interval_s: float) -> int | None:
        """The offset to register a finalizer for now, or None (nothing new, or registered too recently)."""
        with self._lock:
            pending = self._read.get(key)
            offset, at = self._registered.get(key, (-1, float("-inf")))
            now = self.clock()
            if pending is None or pending <= offset or now - at < interval_s:
                return None
            self._registered[key] = (pending, now)
            return pending


class EndOffsets:
    """End offsets of partitions from a metadata query (ListOffsets), cached for `ttl_s` per partition.

    The backlog of an unbounded restriction is `end - position` on any worker, whether or not it has
    fetched the partition. The fetch high watermarks readers see are merged in: some brokers' ListOffsets
    lags the fetch.
    """

    def __init__(self, ttl_s: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self.clock = clock
        self._ends: dict[tuple[KafkaConnection, TopicPartition], tuple[int, float]] = {}
        self._clients: dict[KafkaConnection, KafkaConsumer] = {}
        self._lock = threading.Lock()

    def seen(self, connection: KafkaConnection, tp: TopicPartition, highwater: int | None) -> None:
        """A reader's fetch high watermark for the partition."""
        if highwater is None:
            return
        with self._lock:
            end, at = self._ends.get((connection, tp), (highwater, self.clock()))
            self._ends[(connection, tp)] = (max(end, highwater), at)

    def end_offset(self, connection: KafkaConnection, tp: TopicPartition) -> int | None:
        """The partition's end offset, queried when the cached one is older than the TTL; None if unknown."""
        with self._lock:
            cached = self._ends.get((connection, tp))
            if cached is not None and self.clock() - cached[1] < self.ttl_s:
                return cached[0]
            try:
                if connection not in self._clients:
                    self._clients[connection] = KafkaConsumer(enable_auto_commit=False,
                                                              **connection.client_config())
                listed = self._clients[connection].end_offsets([tp])[tp]
            except KafkaError as e:  # a size estimate must not fail the bundle that asks for it
                LOG.warning("end offset of %s[%s] unknown: %s", tp.topic, tp.partition, e)
                return cached[0] if cached else None
            end = max(listed, cached[0]) if cached else listed
            self._ends[(connection, tp)] = (end, self.clock())
            return end

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def cached_backlog(self, tp: TopicPartition, position: int) -> int:
        """Records after `position` by the last known end offset, without a query (for progress reports)."""
        with self._lock:
            ends = [end for (_, cached_tp), (end, _) in self._ends.items() if cached_tp == tp]
        return max(0, max(ends) - position) if ends else 0

    def backlog(self, connection: KafkaConnection, tp: TopicPartition, position: int) -> int:
        """Records after `position`: 0 when the end is unknown."""
        end = self.end_offset(connection, tp)
        return max(0, end - position) if end is not None else 0


END_OFFSETS = EndOffsets()
COMMIT_SCHEDULE = CommitSchedule()


def close_shared_clients() -> None:
    """Close the process-wide committers and end-offset clients (tests stop their broker after this)."""
    with OffsetCommitter._shared_lock:
        for committer in OffsetCommitter._shared.values():
            committer.close()
        OffsetCommitter._shared.clear()
    END_OFFSETS.close()
