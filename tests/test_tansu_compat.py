"""The embedded Tansu broker (`make demo`'s broker) keeps a compatibility subset: a bounded run reads
every message once and commits, and the planner copes with Tansu's ListOffsets lagging the fetch
high watermark."""
from __future__ import annotations

import json

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipelines.io.kafka import ReadSettings, ensure_topic, plan_partitions
from pipelines.io.kafka_config import KafkaConnection
from tests.conftest import run_pipeline

pytestmark = pytest.mark.integration
PARTITIONS = 3


def produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for i, value in enumerate(values):
            producer.send(topic, value=value, partition=i % PARTITIONS)
        producer.flush()
    finally:
        producer.close()


def test_a_bounded_run_reads_everything_once_and_commits_the_end(broker, topic, tmp_path):
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, PARTITIONS)
    produce(broker.bootstrap_servers, topic,
            [json.dumps({"id": f"tansu-{i}", "text": f"Story {i} on the embedded broker."}).encode() for i in range(9)])
    outputs, totals = run_pipeline(["--bootstrap-servers", broker.bootstrap_servers, "--topic", topic, "--group-id",
                                    "g-tansu", "--output", str(tmp_path), "--kafka-idle-timeout", "10"])
    assert sorted(a["article_id"] for a in outputs["articles"]) == [f"tansu-{i}" for i in range(9)]
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id="g-tansu", enable_auto_commit=False)
    try:
        assert {p: consumer.committed(TopicPartition(topic, p)) for p in range(PARTITIONS)} == {0: 3, 1: 3, 2: 3}
    finally:
        consumer.close()


def test_end_offsets_trust_the_fetch_high_watermark(broker, topic):
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, PARTITIONS)
    produce(broker.bootstrap_servers, topic, [b"{}"] * 12)
    produce(broker.bootstrap_servers, topic, [b"{}"] * 6)
    plan = plan_partitions(connection, ReadSettings(topics=(topic,), group_id=None), timeout_s=10)
    assert sorted((s.partition, s.start, s.stop) for s in plan) == [(p, 0, 6) for p in range(PARTITIONS)]
