"""Write stage: count what leaves the pipeline, then write Avro files (and optionally Kafka topics)."""
from __future__ import annotations

import time

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.io.avro import FileOutput, WriteAvroFiles, encode_single_object
from pipelines.io.kafka import WriteToKafka
from pipelines.io.kafka_config import KafkaConnection
from pipelines.transforms.stage import METRICS_NAMESPACE

# schema name -> the record field used as the Kafka message key
RECORD_KEYS = {"article": "article_id", "event": "event_id", "dead_letter": "article_id"}


class CountWritten(beam.DoFn):
    """Counts records per output for the run summary: for articles the removed paragraphs, the size
    (characters kept) and the latency from the Kafka record's timestamp to the sink; dead letters by
    stage (events are counted by type in their stage)."""

    def __init__(self, schema_name: str):
        self.schema_name = schema_name
        self.written = Metrics.counter(METRICS_NAMESPACE, f"{schema_name}s_written")
        self.removed = Metrics.counter(METRICS_NAMESPACE, "paragraphs_removed")
        self.size = Metrics.distribution(METRICS_NAMESPACE, "article.chars")
        self.latency = Metrics.distribution(METRICS_NAMESPACE, "article.latency_ms")

    def process(self, record: dict):
        self.written.inc()
        if self.schema_name == "article":
            self.removed.inc(len(record.get("removed_paragraphs") or ()))
            self.size.update(sum(len(p["text"]) for p in record["paragraphs"]))
            appended_ms = (record.get("kafka") or {}).get("timestamp")
            if appended_ms is not None:
                self.latency.update(max(0, int(time.time() * 1000) - appended_ms))
        elif self.schema_name == "dead_letter":
            Metrics.counter(METRICS_NAMESPACE, f"dead_letters_from.{record['stage']}").inc()
        yield record


def single_object_message(schema_name: str, record: dict) -> tuple[bytes | None, bytes]:
    """(key, value) for Kafka: the record id as key, the Avro single-object encoding as value."""
    key = record.get(RECORD_KEYS[schema_name])
    return (key.encode("utf-8") if key else None, encode_single_object(schema_name, record))


class WriteRecords(beam.PTransform):
    """Records of one schema -> `<schema>s-*.avro` under output, and P.<schema>s when a topic prefix is set.

    Returns the sinks' results (file results, flushed Kafka bundles): what a later step can wait on."""

    def __init__(self, schema_name: str, files: FileOutput, kafka: KafkaConnection | None = None,
                 topic_prefix: str | None = None, compression: str | None = None):
        super().__init__()
        self.schema_name = schema_name
        self.files = files
        self.kafka = kafka
        self.topic_prefix = topic_prefix
        self.compression = compression

    def expand(self, records):
        name = self.schema_name
        counted = records | "Count" >> beam.ParDo(CountWritten(name))
        written = [counted | "ToFiles" >> WriteAvroFiles(name, self.files)]
        if self.topic_prefix:
            written.append(
                counted
                | "Encode" >> beam.Map(lambda record: single_object_message(name, record))
                | "ToKafka" >> WriteToKafka(self.kafka, f"{self.topic_prefix}.{name}s", self.compression))
        return tuple(written)
