"""The Confluent wire format against a live schema registry (Apicurio Registry's Confluent-compatible API, on
loopback): our article schema registered under `<topic>-value` with BACKWARD compatibility, articles the
pipeline wrote framed as magic byte 0 + schema id + binary Avro, sent through Kafka and decoded by a registry
client that looks the schema up by its id. Nothing mocked: a real registry, a real broker."""
from __future__ import annotations

import io
import json
import os
from importlib import resources

import fastavro
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from schema_registry.client import SchemaRegistryClient
from schema_registry.client.schema import AvroSchema
from schema_registry.serializers import AvroMessageSerializer

from pipelines.io.avro import load_schema
from pipelines.io.kafka import ensure_topic
from pipelines.io.kafka_config import KafkaConnection
from tests.conftest import run_pipeline
from tests.schema_registry import RegistryUnavailable, SchemaRegistry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def schema_registry(tmp_path_factory):
    """A registry for this module, stopped (by PID) at its end; skipped, with the reason, where none can run."""
    registry = SchemaRegistry(tmp_path_factory.mktemp("schema-registry"), java=os.environ.get("SCHEMA_REGISTRY_JAVA"))
    try:
        registry.start()
    except RegistryUnavailable as unavailable:
        pytest.skip(str(unavailable))
    try:
        yield registry
    finally:
        registry.stop()


def article_schema() -> dict:
    return json.loads(resources.files("schemas").joinpath("article.avsc").read_text(encoding="utf-8"))


def with_field(schema: dict, field: dict) -> dict:
    return {**schema, "fields": [*schema["fields"], field]}


def pipeline_articles(bootstrap: str, topic: str, tmp_path, count: int) -> list[dict]:
    """`count` article records as the pipeline writes them (from JSON articles sent to `topic`)."""
    ensure_topic(KafkaConnection(bootstrap), topic, 1)
    producer = Producer({"bootstrap.servers": bootstrap})
    for i in range(count):
        text = f"The river board of town {i} met on Monday.\nA second paragraph about story {i}."
        producer.produce(topic, json.dumps({"id": f"sr-{i:02d}", "title": f"Story {i}", "text": text}).encode())
    assert producer.flush(30) == 0
    outputs, _ = run_pipeline(["--bootstrap-servers", bootstrap, "--topic", topic, "--group-id", "g-sr",
                               "--output", str(tmp_path / "out"), "--kafka-idle-timeout", "10", "--no-events"])
    return sorted(outputs["articles"], key=lambda a: a["article_id"])


def read_values(bootstrap: str, topic: str, count: int) -> list[bytes]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{topic}", "enable.auto.commit": False})
    values = []
    try:
        consumer.assign([TopicPartition(topic, 0, 0)])
        for _ in range(150):
            message = consumer.poll(0.2)
            if message is not None and message.error() is None:
                values.append(message.value())
            if len(values) == count:
                break
    finally:
        consumer.close()
    return values


def test_confluent_framed_articles_round_trip_through_kafka_and_the_registry(schema_registry, broker, topic,
                                                                             tmp_path):
    articles = pipeline_articles(broker.bootstrap_servers, topic, tmp_path, 3)
    assert [a["article_id"] for a in articles] == ["sr-00", "sr-01", "sr-02"]
    client = SchemaRegistryClient(url=schema_registry.url)
    subject = f"{topic}.articles-value"
    schema = AvroSchema(article_schema())
    schema_id = client.register(subject, schema)
    serializer = AvroMessageSerializer(client)
    framed = [serializer.encode_record_with_schema(subject, schema, article) for article in articles]
    for value in framed:
        assert value[0] == 0 and int.from_bytes(value[1:5], "big") == schema_id
        # after the 5-byte header: plain binary Avro of our schema, nothing else
        assert fastavro.schemaless_reader(io.BytesIO(value[5:]), load_schema("article")) in articles

    out_topic = f"{topic}.articles"
    ensure_topic(KafkaConnection(broker.bootstrap_servers), out_topic, 1)
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "compression.type": "lz4"})
    for article, value in zip(articles, framed, strict=True):
        producer.produce(out_topic, value, key=article["article_id"].encode())
    assert producer.flush(30) == 0

    # a reader that knows nothing but the registry: the schema comes from the id in each record
    reader = AvroMessageSerializer(SchemaRegistryClient(url=schema_registry.url))
    decoded = [reader.decode_message(value) for value in read_values(broker.bootstrap_servers, out_topic, 3)]
    assert decoded == articles
    assert client.get_by_id(schema_id).raw_schema["name"] == article_schema()["name"]


def test_backward_compatibility_is_checked_by_the_registry(schema_registry, topic):
    client = SchemaRegistryClient(url=schema_registry.url)
    subject = f"{topic}.articles-value"
    schema = article_schema()
    assert client.register(subject, AvroSchema(schema)) > 0
    assert client.update_compatibility("BACKWARD", subject)
    assert client.get_compatibility(subject) == "BACKWARD"

    optional_field = with_field(schema, {"name": "section", "type": ["null", "string"], "default": None})
    required_field = with_field(schema, {"name": "section", "type": "string"})
    assert client.test_compatibility(subject, AvroSchema(optional_field)) is True
    assert client.test_compatibility(subject, AvroSchema(required_field)) is False
    assert client.register(subject, AvroSchema(optional_field)) > 0
    assert client.get_versions(subject) == [1, 2]
