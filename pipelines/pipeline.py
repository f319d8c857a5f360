"""The newsstream graph: read -> parse -> normalize -> dedup -> write. Read top to bottom."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions

from pipelines.io.files import ReadJsonLines
from pipelines.io.kafka import ReadFromKafka
from pipelines.options import NewsstreamOptions
from pipelines.transforms.dedup import Dedup
from pipelines.transforms.normalize import Normalize
from pipelines.transforms.parse import Parse
from pipelines.transforms.write import WriteRecords


def read_messages(p: beam.Pipeline, opts: NewsstreamOptions, streaming: bool) -> beam.PCollection:
    """SourceMessages from the JSONL file when given, else from Kafka (bounded unless --streaming)."""
    if opts.input_file:
        return p | "ReadFile" >> ReadJsonLines(opts.input_file)
    return p | "ReadKafka" >> ReadFromKafka(opts.kafka_connection(), opts.read_settings(bounded=not streaming))


def build(p: beam.Pipeline, opts: NewsstreamOptions) -> dict[str, beam.PCollection]:
    """Adds the whole pipeline to `p`; returns the written PCollections by output name."""
    streaming = opts.view_as(StandardOptions).streaming
    messages = read_messages(p, opts, streaming)

    parsed = messages | "Parse" >> Parse(opts.max_message_bytes)
    normalized = parsed.records | "Normalize" >> Normalize()
    articles = normalized.records | "Dedup" >> Dedup(
        opts.dedup_settings(), opts.dedup_retention_seconds(), streaming)

    dead_letters = (parsed.dead_letters, normalized.dead_letters) | "DeadLetters" >> beam.Flatten()

    kafka = opts.kafka_connection() if opts.output_topic_prefix else None

    def write(name: str, records: beam.PCollection) -> beam.PCollection:
        return records | f"Write{name.title().replace('_', '')}s" >> WriteRecords(
            name, opts.output, streaming, opts.window_seconds, kafka, opts.output_topic_prefix)

    return {
        "articles": write("article", articles),
        "dead_letters": write("dead_letter", dead_letters),
    }
