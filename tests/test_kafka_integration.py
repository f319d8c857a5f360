"""The Kafka source and sink against the 3-node Apache Kafka cluster on loopback (nothing mocked); topics
have replication factor 3 and min.insync.replicas=2."""
from __future__ import annotations

import json

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipelines.io.avro import decode_single_object
from tests.conftest import run_pipeline

pytestmark = [pytest.mark.integration, pytest.mark.kafka_cluster]
PARTITIONS = 3


@pytest.fixture
def broker(kafka_cluster):
    """These tests talk to the Apache Kafka cluster (its PLAINTEXT listener)."""
    return kafka_cluster


def article(i: int) -> dict:
    return {"id": f"art-{i:03d}", "title": f"Story {i}", "published_at": "2026-11-20T10:00:00Z",
            "text": f"Paragraph one of story {i} about the harbour.\nParagraph two of story {i}, with a quote."}


def produce(broker, topic: str, values: list[bytes]) -> dict[bytes, tuple[int, int]]:
    """Send values round-robin over the partitions; returns value -> (partition, offset) as acknowledged."""
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    try:
        futures = [(v, producer.send(topic, value=v, partition=i % PARTITIONS)) for i, v in enumerate(values)]
        producer.flush()
        return {v: (m.partition, m.offset) for v, m in ((v, f.get(timeout=10)) for v, f in futures)}
    finally:
        producer.close()


def committed(broker, topic: str, group: str) -> dict[int, int | None]:
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id=group, enable_auto_commit=False)
    try:
        return {p: consumer.committed(TopicPartition(topic, p)) for p in range(PARTITIONS)}
    finally:
        consumer.close()


def kafka_args(broker, topic: str, output, group: str = "g1", *extra: str) -> list[str]:
    return ["--bootstrap-servers", broker.bootstrap_servers, "--topic", topic, "--group-id", group,
            "--output", str(output), "--kafka-idle-timeout", "10", *extra]


def test_exactly_once_with_provenance_commits_and_resume(broker, topic, tmp_path):
    broker.create_topic(topic, PARTITIONS)
    first = [json.dumps(article(i)).encode() for i in range(30)]
    placed = produce(broker, topic, first)

    outputs, totals = run_pipeline(kafka_args(broker, topic, tmp_path / "run1"))
    articles = outputs["articles"]
    assert sorted(a["article_id"] for a in articles) == [f"art-{i:03d}" for i in range(30)]
    by_id = {json.loads(v)["id"]: where for v, where in placed.items()}
    for a in articles:
        assert a["kafka"]["topic"] == topic
        assert a["kafka"]["timestamp"].year >= 2024
        assert (a["kafka"]["partition"], a["kafka"]["offset"]) == by_id[a["article_id"]]
    assert totals["parse.in"] == 30 == totals["articles_written"]
    assert committed(broker, topic, "g1") == {p: 10 for p in range(PARTITIONS)}

    outputs, totals = run_pipeline(kafka_args(broker, topic, tmp_path / "run2"))
    assert outputs["articles"] == [] and totals.get("parse.in", 0) == 0

    produce(broker, topic, [json.dumps(article(i)).encode() for i in range(30, 35)])
    outputs, totals = run_pipeline(kafka_args(broker, topic, tmp_path / "run3"))
    assert sorted(a["article_id"] for a in outputs["articles"]) == [f"art-{i:03d}" for i in range(30, 35)]
    assert sum(committed(broker, topic, "g1").values()) == 35


def test_malformed_messages_become_dead_letters_and_accounting_holds(broker, topic, tmp_path):
    broker.create_topic(topic, PARTITIONS)
    bad = [b'{"id": "x", "text": "truncat', b"\xff\xfe\x00garbage", b"[1,2,3]", b'{"title": "no body"}',
           b'{"text": ["not", "a", "string"]}']
    good = [json.dumps(article(i)).encode() for i in range(4)]
    placed = produce(broker, topic, good + bad)

    outputs, totals = run_pipeline(kafka_args(broker, topic, tmp_path / "out", "g-bad"))
    letters = outputs["dead_letters"]
    assert sorted(d["error_code"] for d in letters) == sorted(
        ["invalid_json", "invalid_utf8", "not_an_object", "missing_text", "wrong_type"])
    for d in letters:
        assert d["stage"] == "parse" and d["message"]
        assert (d["kafka"]["partition"], d["kafka"]["offset"]) == placed[d["original"]]
    assert len(outputs["articles"]) == 4
    assert totals["parse.in"] == len(outputs["articles"]) + len(letters) == len(good + bad)


def test_explicit_start_offsets_win_over_committed(broker, topic, tmp_path):
    broker.create_topic(topic, PARTITIONS)
    produce(broker, topic, [json.dumps(article(i)).encode() for i in range(9)])
    starts = ",".join(f"{topic}:{p}:2" for p in range(PARTITIONS))
    outputs, _ = run_pipeline(kafka_args(broker, topic, tmp_path / "out", "g-start", "--start-offsets", starts))
    assert sorted(a["kafka"]["offset"] for a in outputs["articles"]) == [2] * PARTITIONS


def test_output_topics_carry_single_object_avro(broker, topic, tmp_path):
    broker.create_topic(topic, PARTITIONS)
    produce(broker, topic, [json.dumps(article(i)).encode() for i in range(3)] + [b"not json"])
    prefix = f"out-{topic}"
    run_pipeline(kafka_args(broker, topic, tmp_path / "out", "g-sink", "--output-topic-prefix", prefix))
    consumer = KafkaConsumer(f"{prefix}.articles", f"{prefix}.dead_letters", bootstrap_servers=broker.bootstrap_servers,
                             auto_offset_reset="earliest", consumer_timeout_ms=3000)
    try:
        messages = list(consumer)
    finally:
        consumer.close()
    articles = [decode_single_object("article", m.value) for m in messages if m.topic.endswith(".articles")]
    letters = [decode_single_object("dead_letter", m.value) for m in messages if m.topic.endswith(".dead_letters")]
    assert sorted(a["article_id"] for a in articles) == ["art-000", "art-001", "art-002"]
    assert {m.key for m in messages if m.topic.endswith(".articles")} == {b"art-000", b"art-001", b"art-002"}
    assert [d["error_code"] for d in letters] == ["invalid_json"]


def test_a_bounded_run_that_cannot_write_commits_nothing(broker, topic, tmp_path):
    broker.create_topic(topic, PARTITIONS)
    produce(broker, topic, [json.dumps(article(i)).encode() for i in range(6)])
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the output directory should be")
    with pytest.raises(Exception):  # noqa: B017 - whichever error the runner wraps the write failure in
        run_pipeline(kafka_args(broker, topic, blocked, "g-fail"))
    assert committed(broker, topic, "g-fail") == {p: None for p in range(PARTITIONS)}
    outputs, _ = run_pipeline(kafka_args(broker, topic, tmp_path / "retry", "g-fail"))
    assert len(outputs["articles"]) == 6
