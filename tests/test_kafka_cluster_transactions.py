"""Transactions live on the Apache Kafka cluster: the source reads read_committed, so records of aborted
transactions are never read, and a bounded run ends at the last stable offset while a transaction is
still open (the records after it belong to a later run, once committed)."""
from __future__ import annotations

import json
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipelines.io.kafka import ReadSettings, plan_partitions
from pipelines.io.kafka_config import KafkaConnection
from tests.conftest import run_pipeline

pytestmark = [pytest.mark.integration, pytest.mark.kafka_cluster]


def article(name: str) -> bytes:
    return json.dumps({"id": name, "text": f"Story {name} about the harbour."}).encode()


def transactional(cluster) -> KafkaProducer:
    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap_servers, transactional_id=f"tx-{uuid.uuid4().hex}")
    producer.init_transactions()
    return producer


def send(producer: KafkaProducer, topic: str, names: list[str]) -> None:
    for name in names:
        producer.send(topic, article(name), partition=0)
    producer.flush()


def run_args(cluster, topic: str, output, group: str) -> list[str]:
    return ["--bootstrap-servers", cluster.bootstrap_servers, "--topic", topic, "--group-id", group,
            "--output", str(output), "--no-events", "--kafka-idle-timeout", "20"]


def high_watermark(cluster, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=cluster.bootstrap_servers, isolation_level="read_uncommitted")
    try:
        return consumer.end_offsets([TopicPartition(topic, 0)])[TopicPartition(topic, 0)]
    finally:
        consumer.close()


def test_aborted_transactions_are_never_read(kafka_cluster, topic, tmp_path):
    kafka_cluster.create_topic(topic, partitions=1)
    producer = transactional(kafka_cluster)
    try:
        producer.begin_transaction()
        send(producer, topic, ["kept-1", "kept-2"])
        producer.commit_transaction()
        producer.begin_transaction()
        send(producer, topic, ["aborted-1", "aborted-2", "aborted-3"])
        producer.abort_transaction()
        producer.begin_transaction()
        send(producer, topic, ["kept-3"])
        producer.commit_transaction()
    finally:
        producer.close()
    outputs, totals = run_pipeline(run_args(kafka_cluster, topic, tmp_path, "g-aborted"))
    assert sorted(a["article_id"] for a in outputs["articles"]) == ["kept-1", "kept-2", "kept-3"]
    assert totals["parse.in"] == 3 and outputs["dead_letters"] == []
    # 6 records and 3 transaction markers: the group's offset is past the last marker
    assert kafka_cluster.committed(topic, "g-aborted", partitions=1) == {0: 9} and high_watermark(kafka_cluster,
                                                                                                   topic) == 9


def test_a_bounded_run_ends_at_the_last_stable_offset_while_a_transaction_is_open(kafka_cluster, topic, tmp_path):
    kafka_cluster.create_topic(topic, partitions=1)
    plain = KafkaProducer(bootstrap_servers=kafka_cluster.bootstrap_servers, acks="all")
    send(plain, topic, ["before-1", "before-2", "before-3"])
    plain.close()
    producer = transactional(kafka_cluster)
    try:
        producer.begin_transaction()
        send(producer, topic, ["open-1", "open-2"])
        connection = KafkaConnection(kafka_cluster.bootstrap_servers)
        [spec] = plan_partitions(connection, ReadSettings(topics=(topic,), group_id=None), timeout_s=20)
        assert (spec.start, spec.stop) == (0, 3) and high_watermark(kafka_cluster, topic) == 5

        outputs, _ = run_pipeline(run_args(kafka_cluster, topic, tmp_path / "run1", "g-open"))
        assert sorted(a["article_id"] for a in outputs["articles"]) == ["before-1", "before-2", "before-3"]
        assert kafka_cluster.committed(topic, "g-open", partitions=1) == {0: 3}
        producer.commit_transaction()
    finally:
        producer.close()
    outputs, _ = run_pipeline(run_args(kafka_cluster, topic, tmp_path / "run2", "g-open"))
    assert sorted(a["article_id"] for a in outputs["articles"]) == ["open-1", "open-2"]
    assert kafka_cluster.committed(topic, "g-open", partitions=1) == {0: 6}
