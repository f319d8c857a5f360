"""Kafka source throughput: the Beam source into a no-op sink vs a plain kafka-python consumer loop.

Both read the same messages (BBC articles as JSON, repeated up to --limit) from the same broker in
one run, alternately `--runs` times each (the machine is shared: the best run of each side is kept).
`--broker tansu` (default) uses the embedded broker; `--broker kafka` the 3-node Apache Kafka cluster
the tests use (jars from `make kafka-jars`; topic with replication factor 3, min.insync.replicas=2).
Both sides read with the source's isolation level (read_committed). The source is timed end to end
(pipeline construction to finish, including the DirectRunner's start-up and partition planning) and
in steady state (first to last record through the no-op sink).
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from kafka import KafkaConsumer, TopicPartition

sys.path.insert(0, __file__.rsplit("/benchmarks/", 1)[0])

from benchmarks.common import bbc_articles, print_result  # noqa: E402
from pipelines.io.broker import EmbeddedBroker  # noqa: E402
from pipelines.io.kafka import ReadFromKafka, ReadSettings, ensure_topic, produce_messages  # noqa: E402
from pipelines.io.kafka_config import KafkaConnection  # noqa: E402
from tests.kafka_cluster import KafkaCluster  # noqa: E402


class NoOpSink(beam.DoFn):
    """Consumes records; remembers when the first and last arrived (in-process DirectRunner only)."""

    seen = {"count": 0, "first": None, "last": None}
    lock = threading.Lock()

    @classmethod
    def reset(cls) -> None:
        cls.seen.update(count=0, first=None, last=None)

    def process(self, message):
        now = time.perf_counter()
        with self.lock:
            self.seen["count"] += 1
            self.seen["first"] = self.seen["first"] or now
            self.seen["last"] = now


def plain_consumer(bootstrap: str, topic: str, partitions: int, expected: int) -> float:
    """Seconds for a kafka-python loop to read `expected` messages with manual assignment."""
    started = time.perf_counter()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             isolation_level=ReadSettings(topics=()).isolation_level)
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning()
    count = 0
    while count < expected:
        for records in consumer.poll(timeout_ms=200).values():
            count += len(records)
    consumer.close()
    return time.perf_counter() - started


def beam_source(bootstrap: str, topic: str) -> tuple[float, float, int]:
    """(end-to-end seconds, steady-state seconds, records) for ReadFromKafka into the no-op sink."""
    NoOpSink.reset()
    started = time.perf_counter()
    settings = ReadSettings(topics=(topic,), group_id=None, bounded=True)
    with beam.Pipeline(options=PipelineOptions(["--direct_num_workers=1"])) as p:
        p | ReadFromKafka(KafkaConnection(bootstrap), settings) | beam.ParDo(NoOpSink())
    total = time.perf_counter() - started
    seen = NoOpSink.seen
    return total, seen["last"] - seen["first"], seen["count"]


@contextmanager
def running_broker(kind: str, partitions: int):
    """Yields the bootstrap address of a broker with an empty `bench` topic: Tansu or the Kafka cluster."""
    if kind == "tansu":
        with EmbeddedBroker() as broker:
            ensure_topic(KafkaConnection(broker.bootstrap_servers), "bench", partitions)
            yield broker.bootstrap_servers
        return
    with tempfile.TemporaryDirectory(prefix="bench-kafka-") as folder, KafkaCluster(Path(folder)) as cluster:
        print(f"Apache Kafka cluster (3 nodes) started in {cluster.started_in_s:.1f}s")
        cluster.create_topic("bench", partitions)
        yield cluster.bootstrap_servers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=20000, help="messages to produce and read")
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--runs", type=int, default=2, help="alternating runs of each side; the best is kept")
    parser.add_argument("--broker", choices=["tansu", "kafka"], default="tansu",
                        help="tansu: the embedded broker; kafka: the 3-node Apache Kafka cluster of the tests")
    args = parser.parse_args()

    articles = bbc_articles()
    values = [json.dumps(a).encode() for a in itertools.islice(itertools.cycle(articles), args.limit)]
    with running_broker(args.broker, args.partitions) as bootstrap:
        produce_messages(KafkaConnection(bootstrap), "bench", ((None, v) for v in values))
        plain_s = total_s = steady_s = float("inf")
        for _ in range(args.runs):
            plain_s = min(plain_s, plain_consumer(bootstrap, "bench", args.partitions, len(values)))
            run_total, run_steady, count = beam_source(bootstrap, "bench")
            if count != len(values):
                sys.exit(f"the source read {count} of {len(values)} messages")
            total_s, steady_s = min(total_s, run_total), min(steady_s, run_steady)
    megabytes = sum(map(len, values)) / 1e6
    result = {
        "broker": args.broker,
        "messages": len(values),
        "megabytes": round(megabytes, 1),
        "plain_consumer_msgs_per_s": round(len(values) / plain_s),
        "source_end_to_end_msgs_per_s": round(len(values) / total_s),
        "source_steady_msgs_per_s": round(len(values) / steady_s),
        "ratio_end_to_end": round(plain_s / total_s, 3),
        "ratio_steady": round(plain_s / steady_s, 3),
    }
    print(f"plain kafka-python loop: {result['plain_consumer_msgs_per_s']} msgs/s")
    print(f"beam source end to end : {result['source_end_to_end_msgs_per_s']} msgs/s "
          f"(ratio {result['ratio_end_to_end']})")
    print(f"beam source steady     : {result['source_steady_msgs_per_s']} msgs/s (ratio {result['ratio_steady']})")
    print_result(result)


if __name__ == "__main__":
    main()
