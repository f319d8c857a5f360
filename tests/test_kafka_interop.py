"""Foreign clients on a real broker: librdkafka (confluent-kafka) producers in every codec Kafka has, and a
librdkafka consumer reading our compressed output topics. Nothing mocked."""
from __future__ import annotations

import json

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from pipelines.io.avro import decode_single_object
from pipelines.io.kafka import ensure_topic
from pipelines.io.kafka_config import KafkaConnection
from tests.conftest import run_pipeline

pytestmark = pytest.mark.integration
CODECS = ("none", "gzip", "snappy", "lz4", "zstd")
PARTITIONS = 2


def article(codec: str, i: int) -> dict:
    return {"id": f"{codec}-{i:02d}", "title": f"{codec} story {i}",
            "text": f"The harbour board of town {i} met on {codec} day.\nA second paragraph, story {i} of a batch."}


def produce_with_librdkafka(bootstrap: str, topic: str, codec: str, count: int) -> None:
    """Send `count` articles in a few large batches (linger) compressed with `codec`, each with two headers."""
    producer = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "linger.ms": 50,
                         "batch.num.messages": 1000, "acks": "all", "api.version.request": True})
    failures = []
    for i in range(count):
        producer.produce(topic, json.dumps(article(codec, i)).encode(), key=f"{codec}-{i}".encode(),
                         partition=i % PARTITIONS, headers=[("trace-id", f"t{i}".encode()), ("empty", None)],
                         on_delivery=lambda err, _msg: failures.append(err) if err else None)
    assert producer.flush(30) == 0
    assert failures == []


@pytest.mark.parametrize("codec", CODECS)
def test_librdkafka_batches_in_every_codec_are_read_with_their_headers(broker, topic, tmp_path, codec):
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, PARTITIONS)
    produce_with_librdkafka(broker.bootstrap_servers, topic, codec, 20)
    outputs, totals = run_pipeline(["--bootstrap-servers", broker.bootstrap_servers, "--topic", topic,
                                    "--group-id", f"g-{codec}", "--output", str(tmp_path / "out"),
                                    "--kafka-idle-timeout", "10", "--no-events"])
    articles = outputs["articles"]
    assert sorted(a["article_id"] for a in articles) == [f"{codec}-{i:02d}" for i in range(20)]
    assert outputs["dead_letters"] == [] and totals["parse.in"] == 20
    for a in articles:
        number = int(a["article_id"].split("-")[1])
        assert a["kafka"]["headers"] == [{"name": "trace-id", "value": f"t{number}".encode()},
                                         {"name": "empty", "value": None}]


@pytest.mark.parametrize("codec", ["lz4", "snappy"])
def test_compressed_output_topics_read_by_a_librdkafka_consumer(broker, topic, tmp_path, codec):
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, PARTITIONS)
    produce_with_librdkafka(broker.bootstrap_servers, topic, "none", 6)
    prefix = f"out-{topic}"
    run_pipeline(["--bootstrap-servers", broker.bootstrap_servers, "--topic", topic, "--group-id", "g-out",
                  "--output", str(tmp_path / "out"), "--kafka-idle-timeout", "10", "--no-events",
                  "--output-topic-prefix", prefix, "--output-compression", codec])
    consumer = Consumer({"bootstrap.servers": broker.bootstrap_servers, "group.id": f"reader-{topic}",
                         "enable.auto.commit": False})
    try:
        name = f"{prefix}.articles"
        partitions = consumer.list_topics(name, timeout=10).topics[name].partitions
        consumer.assign([TopicPartition(name, p, 0) for p in partitions])
        records = []
        for _ in range(100):
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                records.append((message.key(), decode_single_object("article", message.value())))
            if len(records) == 6:
                break
    finally:
        consumer.close()
    assert sorted(key for key, _ in records) == [f"none-{i:02d}".encode() for i in range(6)]
    assert sorted(record["article_id"] for _, record in records) == [f"none-{i:02d}" for i in range(6)]
