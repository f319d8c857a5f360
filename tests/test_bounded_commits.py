"""What a bounded run commits, on the Apache Kafka cluster: only forward, the resolved start when
`--auto-offset-reset latest` finds nothing to read, and nothing when its output files are not all there."""
from __future__ import annotations

import json

import pytest

from pipelines.io.kafka import CommitBoundedOffsetsFn, ReadSettings, plan_partitions
from pipelines.io.kafka_config import KafkaConnection
from tests.conftest import run_pipeline
from tests.test_kafka_integration import PARTITIONS, article, committed, kafka_args, produce

pytestmark = [pytest.mark.integration, pytest.mark.kafka_cluster]


def values(first: int, count: int) -> list[bytes]:
    return [json.dumps(article(i)).encode() for i in range(first, first + count)]


def test_latest_commits_the_resolved_start_so_the_next_run_reads_what_arrived(kafka_cluster, topic, tmp_path):
    kafka_cluster.create_topic(topic, PARTITIONS)
    produce(kafka_cluster, topic, values(0, 6))
    latest = ("--auto-offset-reset", "latest", "--no-events")
    outputs, _ = run_pipeline(kafka_args(kafka_cluster, topic, tmp_path / "run1", "g-latest", *latest))
    assert outputs["articles"] == []
    assert committed(kafka_cluster, topic, "g-latest") == {p: 2 for p in range(PARTITIONS)}
    produce(kafka_cluster, topic, values(6, 15))
    outputs, _ = run_pipeline(kafka_args(kafka_cluster, topic, tmp_path / "run2", "g-latest", *latest))
    assert sorted(a["article_id"] for a in outputs["articles"]) == [f"art-{i:03d}" for i in range(6, 21)]
    assert committed(kafka_cluster, topic, "g-latest") == {p: 7 for p in range(PARTITIONS)}


def test_a_slower_run_of_the_same_group_never_moves_the_offset_back(kafka_cluster, topic, tmp_path):
    kafka_cluster.create_topic(topic, PARTITIONS)
    produce(kafka_cluster, topic, values(0, 18))
    connection = KafkaConnection(kafka_cluster.bootstrap_servers)
    slow_plan = plan_partitions(connection, ReadSettings(topics=(topic,), group_id="g-race"))
    assert {(s.start, s.stop) for s in slow_plan} == {(0, 6)}
    produce(kafka_cluster, topic, values(18, 12))
    run_pipeline(kafka_args(kafka_cluster, topic, tmp_path / "fast", "g-race", "--no-events"))
    assert committed(kafka_cluster, topic, "g-race") == {p: 10 for p in range(PARTITIONS)}
    commit = CommitBoundedOffsetsFn(connection, "g-race")
    assert [list(commit.process(spec, 1)) for spec in slow_plan] == [[], [], []]
    assert committed(kafka_cluster, topic, "g-race") == {p: 10 for p in range(PARTITIONS)}
