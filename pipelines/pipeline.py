"""The newsstream graph: read -> parse -> normalize -> dedup -> events -> write -> commit. Read top to bottom."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions

from pipelines.io.avro import FileOutput
from pipelines.io.commits import CommitWrittenOffsets
from pipelines.io.files import ReadJsonLines
from pipelines.io.kafka import CommitOffsetsAfterOutput, PlanPartitions, ReadPartitions
from pipelines.options import NewsstreamOptions
from pipelines.transforms.dedup import Dedup
from pipelines.transforms.events import ExtractEvents
from pipelines.transforms.normalize import Normalize
from pipelines.transforms.parse import Parse
from pipelines.transforms.write import MessageOutputs, VerifyRunOutputs, WriteMessageOutputs, WriteRecords


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

    files = FileOutput.starting_now(opts.output, streaming, opts.window_seconds, opts.file_shards)
    if streaming:
        build_streaming_output(messages, parsed, normalized, articles, files, opts)
        return

    rejected = [parsed.dead_letters, normalized.dead_letters]
    events = None
    if not opts.no_events:
        events = articles | "ExtractEvents" >> ExtractEvents(opts.event_settings())
        rejected.append(events.dead_letters)

    dead_letters = tuple(rejected) | "DeadLetters" >> beam.Flatten()

    def write(name: str, records: beam.PCollection) -> tuple[beam.PCollection, ...]:
        return records | f"Write{name.title().replace('_', '')}s" >> WriteRecords(
            name, files, kafka, opts.output_topic_prefix, opts.output_compression)

    outputs = [*write("article", articles), *write("dead_letter", dead_letters)]
    if events is not None:
        outputs += write("event", events.records)

    verified = tuple(outputs) | "VerifyOutputs" >> VerifyRunOutputs(files)
    if partitions is not None and opts.commit_offsets and opts.group_id:
        partitions | "CommitOffsets" >> CommitOffsetsAfterOutput(kafka, opts.group_id, verified)


def build_streaming_output(messages, parsed, normalized, articles, files: FileOutput, opts: NewsstreamOptions) -> None:
    """Streaming: every message's outputs (its article with its events, or its dead letter) are written together
    in files cut by processing time; offsets are committed once their outputs are in closed files."""
    if opts.no_events:
        per_article = articles | "ArticleOutputs" >> beam.Map(MessageOutputs.of_article)
    else:
        per_article = (articles
                       | "ExtractEvents" >> ExtractEvents(opts.event_settings(), per_article=True)
                       | "ArticleOutputs" >> beam.MapTuple(MessageOutputs.of_article))
    rejected = ((parsed.dead_letters, normalized.dead_letters)
                | "DeadLetters" >> beam.Flatten()
                | "DeadLetterOutputs" >> beam.Map(MessageOutputs.of_dead_letter))
    written = ((per_article, rejected)
               | "MessageOutputs" >> beam.Flatten()
               | "WriteFiles" >> WriteMessageOutputs(files, opts.kafka_connection(), opts.output_topic_prefix))
    if not opts.input_file and opts.commit_offsets and opts.group_id:
        (messages, written) | "CommitOffsets" >> CommitWrittenOffsets(opts.kafka_connection(), opts.group_id)
