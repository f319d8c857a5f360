"""The reader against Apache Kafka where the embedded broker cannot show it: records deleted under a restored
offset (DeleteRecords) and a partition added to a running topic (CreatePartitions). Tansu has neither.

Needs the Apache Kafka cluster fixture (tests/kafka_cluster.py, `make kafka-jars`) of the Kafka-cluster
work; without it this module is skipped as a whole.
"""
from __future__ import annotations

import time

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import NewPartitions

from pipelines.io.kafka import PartitionSpec
from pipelines.io.kafka_config import KafkaConnection
from tests.test_kafka_reader import COLLECTED, produce, run_discovery, run_reader, unbounded

pytest.importorskip("tests.kafka_cluster", reason="the Apache Kafka cluster launcher (tests/kafka_cluster.py) "
                                                  "is not in this checkout")
pytestmark = [pytest.mark.integration, pytest.mark.kafka_cluster]


def test_records_stamped_years_ago_outlive_the_clusters_retention_checks(kafka_cluster, topic):
    """The tests here write records stamped in 2023; the cluster's retention checks must leave them alone
    (with Kafka's default 7-day retention a check deleted them mid-test, and the reader rightly skipped them)."""
    kafka_cluster.create_topic(topic, partitions=1, replication_factor=3, min_insync_replicas=2)
    produce(kafka_cluster.bootstrap_servers, topic, 0, [1_700_000_000_000 + i for i in range(3)])
    time.sleep(kafka_cluster.seconds_until_retention_checks())
    consumer = KafkaConsumer(bootstrap_servers=kafka_cluster.bootstrap_servers)
    try:
        partition = TopicPartition(topic, 0)
        assert consumer.beginning_offsets([partition]) == {partition: 0}
        assert consumer.end_offsets([partition]) == {partition: 3}
    finally:
        consumer.close()


def test_a_restored_offset_below_the_log_start_reads_from_the_earliest_and_counts_the_skip(kafka_cluster, topic):
    """Item 8: records 0-5 deleted (DeleteRecords), the restriction starts at 2 as a restored checkpoint
    would: the reader goes on at 6 (not at the end, kafka-python's default) and counts 4 skipped offsets."""
    kafka_cluster.create_topic(topic, partitions=1, replication_factor=1, min_insync_replicas=1)
    produce(kafka_cluster.bootstrap_servers, topic, 0, [1_700_000_000_000 + i for i in range(10)])
    with kafka_cluster.admin() as admin:
        admin.delete_records({TopicPartition(topic, 0): 6})
    connection = KafkaConnection(kafka_cluster.bootstrap_servers)
    run, counters = run_reader(connection, unbounded(topic, None, 8), [PartitionSpec(topic, 0, 2, None)])

    assert sorted(o for _, o, _ in COLLECTED[run]) == [6, 7, 8, 9]
    assert counters["kafka.offsets_skipped"] == 4


def test_a_partition_added_to_a_running_topic_is_read(kafka_cluster, topic):
    """Item 10 with CreatePartitions: one partition at the start, a second one added mid-run gets records;
    discovery finds it once and the reader reads it from its beginning."""
    kafka_cluster.create_topic(topic, partitions=1, replication_factor=1, min_insync_replicas=1)
    connection = KafkaConnection(kafka_cluster.bootstrap_servers)

    def add_partition() -> None:
        with kafka_cluster.admin() as admin:
            admin.create_partitions({topic: NewPartitions(2)})

    run, counters, added, discovery_settings = run_discovery(connection, kafka_cluster.bootstrap_servers, topic,
                                                             add_partition)

    assert added[0] < discovery_settings.stop_at - 1, "setup: the partition came too late for discovery"
    assert sorted((p, o) for p, o, _ in COLLECTED[run]) == [(1, 0), (1, 1), (1, 2)]
    assert counters["kafka.partitions_found"] == 2
