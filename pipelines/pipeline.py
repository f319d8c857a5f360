"""The newsstream graph: read -> parse -> normalize -> dedup -> events -> write -> commit. Read top to bottom."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions

from pipelines.io.avro import FileOutput
from pipelines.io.commits import CommitWrittenOffsets
from pipelines.io.files import ReadJsonLines
from pipelines.io.kafka import CommitOffsetsAfterOutput, PlanPartitions, ReadPartitions
from pipelines.options import NewsstreamOptions
from pipelines.records import without_source
from pipelines.runners import keep_keys_in_one_bundle
from pipelines.transforms.dedup import Dedup
from pipelines.transforms.events import ExtractEvents
from pipelines.transforms.normalize import Normalize
from pipelines.transforms.parse import Parse
from pipelines.transforms.write import MessageOutputs, VerifyRunOutputs, WriteMessageOutputs, WriteRecords


def build(p: beam.Pipeline, opts: NewsstreamOptions) -> None:
    """Adds the whole pipeline to `p`."""
    keep_keys_in_one_bundle(p)
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
    deduped = normalized.records | "Dedup" >> Dedup(opts.dedup_settings(), opts.dedup_retention_seconds(), streaming)
    rejected = [parsed.dead_letters, normalized.dead_letters, deduped.dead_letters]

    files = FileOutput.starting_now(opts.output, streaming, opts.window_seconds, opts.file_shards)
    if streaming:
        build_streaming_output(messages, deduped.records, rejected, files, opts)
        return

    articles, events = deduped.records, None
    if not opts.no_events:
        events = articles | "ExtractEvents" >> ExtractEvents(opts.event_settings())
        rejected.append(events.dead_letters)
        articles = events.articles  # an article whose extraction failed is written as its dead letter only
    articles = articles | "AsWritten" >> beam.Map(without_source)
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


def message_outputs(article: dict, events: list[dict] = (), dead_letter: dict | None = None) -> MessageOutputs:
    """What one article's message writes: the article with its events, or only the dead letter when event
    extraction failed (each message read is written once)."""
    if dead_letter is not None:
        return MessageOutputs.of_dead_letter(dead_letter)
    return MessageOutputs.of_article(without_source(article), events)


def build_streaming_output(messages, articles, rejected: list, files: FileOutput, opts: NewsstreamOptions) -> None:
    """Streaming: every message's outputs (its article with its events, or its dead letter) are written together
    in files cut by processing time; offsets are committed once their outputs are in closed files."""
    if opts.no_events:
        per_article = articles | "ArticleOutputs" >> beam.Map(message_outputs)
    else:
        per_article = (articles
                       | "ExtractEvents" >> ExtractEvents(opts.event_settings(), per_article=True)
                       | "ArticleOutputs" >> beam.MapTuple(message_outputs))
    rejected = (tuple(rejected)
                | "DeadLetters" >> beam.Flatten()
                | "DeadLetterOutputs" >> beam.Map(MessageOutputs.of_dead_letter))
    written = ((per_article, rejected)
               | "MessageOutputs" >> beam.Flatten()
               | "WriteFiles" >> WriteMessageOutputs(files, opts.kafka_connection(), opts.output_topic_prefix))
    if not opts.input_file and opts.commit_offsets and opts.group_id:
        (messages, written) | "CommitOffsets" >> CommitWrittenOffsets(opts.kafka_connection(), opts.group_id)
