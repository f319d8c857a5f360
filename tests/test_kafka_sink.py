"""The Kafka sink's failure handling against real brokers: a record too large for the producer is rejected
and counted, the rest of the bundle is written; a send that fails after the flush fails the bundle."""
from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.metrics.metric import MetricsFilter
from kafka import KafkaConsumer, TopicPartition

from pipelines.io.broker import EmbeddedBroker
from pipelines.io.kafka import SendFailed, WriteToKafka, WriteToKafkaFn, ensure_topic
from pipelines.io.kafka_config import KafkaConnection
from pipelines.runners import query_metrics


def read_values(servers: str, topic: str) -> list[bytes]:
    consumer = KafkaConsumer(bootstrap_servers=servers, auto_offset_reset="earliest", consumer_timeout_ms=3000)
    try:
        consumer.assign([TopicPartition(topic, 0)])
        return [record.value for record in consumer]
    finally:
        consumer.close()


@pytest.mark.integration
def test_a_record_over_the_producer_limit_is_rejected_and_counted_not_retried(broker, topic):
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, 1)
    huge = b"x" * (2 * 1024 * 1024)
    p = beam.Pipeline()
    (p
     | beam.Create([(b"a", b"small-a"), (b"huge", huge), (b"b", b"small-b")])
     | WriteToKafka(connection, topic))
    result = p.run()
    result.wait_until_finish()

    counters = {c.key.metric.name: c.committed for c in query_metrics(result, MetricsFilter())["counters"]}
    assert counters["kafka.records_rejected"] == 1
    assert sorted(read_values(broker.bootstrap_servers, topic)) == [b"small-a", b"small-b"]


@pytest.mark.integration
def test_a_send_that_fails_after_the_flush_fails_the_bundle(topic):
    """The broker goes away between two bundles: the second bundle's send is accepted by the producer
    (metadata is cached) and fails at delivery; finish_bundle must raise instead of reporting it sent."""
    with EmbeddedBroker() as private:
        connection = KafkaConnection(private.bootstrap_servers, request_timeout_ms=1000)
        ensure_topic(connection, topic, 1)
        sink = WriteToKafkaFn(connection, topic, producer_config=(("delivery_timeout_ms", 2500), ("retries", 1)))
        sink.setup()
        try:
            sink.start_bundle()
            sink.process((b"k", b"first"))
            assert [value.value for value in sink.finish_bundle()] == [1]
            private.stop()
            sink.start_bundle()
            sink.process((b"k", b"second"))
            with pytest.raises(SendFailed, match="1 of 1 records not written"):
                list(sink.finish_bundle())
        finally:
            sink.teardown()
