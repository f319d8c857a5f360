"""The newsstream graph: read -> parse -> normalize -> dedup -> events -> write -> commit. Read top to bottom."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions

from pipelines.io.avro import FileOutput
from pipelines.io.files import ReadJsonLines
from pipelines.io.kafka import CommitOffsetsAfterOutput, PlanPartitions, ReadPartitions
from pipelines.options import NewsstreamOptions
from pipelines.transforms.dedup import Dedup
from pipelines.transforms.events import ExtractEvents
from pipelines.transforms.normalize import Normalize
from pipelines.transforms.parse import Parse
from pipelines.transforms.write import WriteRecords


def build(p: beam.Pipeline, opts: NewsstreamOptions) -> None:
    """Adds the whole pipeline to `p`."""
    streaming = opts.view_as(StandardOptions).streaming
    kafka = opts.kafka_connection()

    if opts.input_file:
        partitions = None
        messages = p | "ReadFile" >> ReadJsonLines(opts.input_file)
    else:
        settings = opts.read_settings(bounded=not streaming)
        partitions = p | "PlanKafka" >> PlanPartitions(kafka, settings)
        messages = partitions | "ReadKafka" >> ReadPartitions(kafka, settings)

    parsed = messages | "Parse" >> Parse(opts.parse_limits())
    normalized = parsed.records | "Normalize" >> Normalize(opts.normalize_settings())
    articles = normalized.records | "Dedup" >> Dedup(opts.dedup_settings(), opts.dedup_retention_seconds(), streaming)

    rejected = [parsed.dead_letters, normalized.dead_letters]
    events = None
    if not opts.no_events:
        events = articles | "ExtractEvents" >> ExtractEvents(opts.event_settings())
        rejected.append(events.dead_letters)

    dead_letters = tuple(rejected) | "DeadLetters" >> beam.Flatten()

    files = FileOutput.starting_now(opts.output, streaming, opts.window_seconds)

    def write(name: str, records: beam.PCollection) -> tuple[beam.PCollection, ...]:
        return records | f"Write{name.title().replace('_', '')}s" >> WriteRecords(
            name, files, kafka, opts.output_topic_prefix, opts.output_compression)

    outputs = [*write("article", articles), *write("dead_letter", dead_letters)]
    if events is not None:
        outputs += write("event", events.records)

    if partitions is not None and not streaming and opts.commit_offsets and opts.group_id:
        partitions | "CommitOffsets" >> CommitOffsetsAfterOutput(kafka, opts.group_id, outputs)
