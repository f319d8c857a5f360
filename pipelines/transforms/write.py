"""Write stage: records -> Avro files under --output (and optionally Kafka topics), counted from what was written.

Batch: each schema's records are grouped into a few shards and each shard is written as one file.
Streaming: everything one Kafka message produced (its article with its events, or its dead letter) travels
as one `MessageOutputs` and is buffered per shard; files are cut on a processing-time grid (every
--window-seconds), independent of the watermark, so no record is ever late and a backlog never holds files
back. After a firing's files are renamed into place, the sink reports the Kafka offsets whose outputs are
now in closed files: the input of the streaming offset commit (pipelines/io/commits.py)."""
from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import apache_beam as beam
from apache_beam.coders import PickleCoder, VarIntCoder
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.transforms.window import GlobalWindow, GlobalWindows
from apache_beam.utils.timestamp import Timestamp

from pipelines.io.avro import SCHEMA_NAMES, FileOutput, count_avro_records, encode_single_object, write_avro_file
from pipelines.io.kafka import WriteToKafka
from pipelines.io.kafka_config import KafkaConnection
from pipelines.transforms.stage import METRICS_NAMESPACE

# schema name -> the record field used as the Kafka message key
RECORD_KEYS = {"article": "article_id", "event": "event_id", "dead_letter": "article_id"}


@dataclass(frozen=True)
class MessageOutputs:
    """Every record one source message produced, as (schema name, record) pairs, with the message's Kafka
    position (topic, partition, offset) when it came from Kafka. Written in one firing, so the message's
    offset can be reported as done once."""

    source: tuple[str, int, int] | None
    records: tuple[tuple[str, dict], ...]

    @classmethod
    def of_dead_letter(cls, record: dict) -> MessageOutputs:
        return cls(kafka_position(record), (("dead_letter", record),))

    @classmethod
    def of_article(cls, article: dict, events: Iterable[dict] = (), dead_letter: dict | None = None
                   ) -> MessageOutputs:
        records = [("article", article), *(("event", event) for event in events)]
        if dead_letter is not None:
            records.append(("dead_letter", dead_letter))
        return cls(kafka_position(article), tuple(records))

    def shard_key(self) -> str:
        return repr(self.source) if self.source else shard_key(*self.records[0])


def kafka_position(record: dict) -> tuple[str, int, int] | None:
    """(topic, partition, offset) of the Kafka message a record came from, or None (file input)."""
    kafka = record.get("kafka")
    return (kafka["topic"], kafka["partition"], kafka["offset"]) if kafka else None


def shard_key(schema_name: str, record: dict) -> str:
    """What decides a record's shard: its id, else where it came from."""
    key = record.get(RECORD_KEYS[schema_name])
    return key if key else json.dumps([record.get("kafka"), record.get("line")], default=str)


def count_written(schema_name: str, records: list[dict], closed_at_ms: int, records_counted: bool = True) -> None:
    """Counters of what a sink wrote: records per schema (unless `records_counted` is False: a bounded run
    counts them from the verified files); for articles the removed paragraphs, the size (characters kept)
    and the latency from the Kafka append to the closed file; dead letters by stage."""
    if records_counted:
        Metrics.counter(METRICS_NAMESPACE, f"{schema_name}s_written").inc(len(records))
    if schema_name == "article":
        removed = Metrics.counter(METRICS_NAMESPACE, "paragraphs_removed")
        size = Metrics.distribution(METRICS_NAMESPACE, "article.chars")
        latency = Metrics.distribution(METRICS_NAMESPACE, "article.latency_ms")
        for record in records:
            removed.inc(len(record.get("removed_paragraphs") or ()))
            size.update(sum(len(p["text"]) for p in record["paragraphs"]))
            appended_ms = (record.get("kafka") or {}).get("timestamp")
            if appended_ms is not None:
                latency.update(max(0, closed_at_ms - appended_ms))
    elif schema_name == "dead_letter":
        for record in records:
            Metrics.counter(METRICS_NAMESPACE, f"dead_letters_from.{record['stage']}").inc()


def single_object_message(schema_name: str, record: dict) -> tuple[bytes | None, bytes]:
    """(key, value) for Kafka: the record id as key, the Avro single-object encoding as value."""
    key = record.get(RECORD_KEYS[schema_name])
    return (key.encode("utf-8") if key else None, encode_single_object(schema_name, record))


@dataclass(frozen=True)
class WrittenFile:
    """A file a bounded run's sink wrote: what the run verifies before it commits."""

    schema_name: str
    path: str
    records: int


class OutputsNotVerified(RuntimeError):
    """A file the run wrote is missing or holds fewer records than were written to it: nothing is committed."""


def verify_written_files(written: Iterable[WrittenFile]) -> dict[str, int]:
    """Records per schema in the files, after checking that every file exists with the records written to it
    (counted again from the file). Raises OutputsNotVerified naming the files that are not."""
    totals = dict.fromkeys(SCHEMA_NAMES, 0)
    problems = []
    for file in written:
        found = count_avro_records(file.path) if FileSystems.exists(file.path) else None
        if found != file.records:
            problems.append(f"{file.path}: {'missing' if found is None else f'{found} records'}, "
                            f"{file.records} written")
        else:
            totals[file.schema_name] += found
    if problems:
        raise OutputsNotVerified(f"{len(problems)} output file(s) not as written, offsets not committed: "
                                 + "; ".join(problems))
    return totals


def run_manifest(files: FileOutput, written: list[WrittenFile], totals: dict[str, int], kafka_sent: int) -> dict:
    """What a bounded run wrote: its files with their record counts, the totals and the Kafka records sent."""
    return {
        "run": files.run_stamp,
        "files": [{"schema": f.schema_name, "path": FileSystems.split(f.path)[1], "records": f.records}
                  for f in sorted(written, key=lambda f: f.path)],
        "records": totals,
        "kafka_records_sent": kafka_sent,
    }


def write_manifest(files: FileOutput, manifest: dict) -> str:
    """`_run-<run stamp>.json` under the output (hidden from `<schema>s-*` globs), written then renamed."""
    path = FileSystems.join(files.directory, f"_run-{files.run_stamp}.json")
    temporary = FileSystems.join(files.directory, f"._run-{files.run_stamp}.json.inprogress")
    with FileSystems.create(temporary) as fh:
        fh.write(json.dumps(manifest, indent=1).encode("utf-8"))
    FileSystems.rename([temporary], [path])
    return path


class VerifyRunOutputs(beam.PTransform):
    """Bounded runs: once every sink is done, check each file the run wrote (exists, record count), count
    `<schema>s_written` from them and write the run manifest. Outputs one element, the manifest: what the
    offset commit waits on, so a run whose files are not all there commits nothing."""

    def __init__(self, files: FileOutput):
        super().__init__()
        self.files = files

    def expand(self, outputs):
        files = self.files
        results = outputs | "AllOutputs" >> beam.Flatten() | "OneList" >> beam.combiners.ToList()

        def finalize(results: list) -> dict:
            written = [r for r in results if isinstance(r, WrittenFile)]
            totals = verify_written_files(written)
            for schema_name, count in totals.items():
                Metrics.counter(METRICS_NAMESPACE, f"{schema_name}s_written").inc(count)
            manifest = run_manifest(files, written, totals, sum(r for r in results if isinstance(r, int)))
            write_manifest(files, manifest)
            return manifest

        return results | "VerifyAndRecord" >> beam.Map(finalize)


class WriteShardFile(beam.DoFn):
    """Batch: (shard, records) -> one Avro file; yields it as a WrittenFile."""

    def __init__(self, schema_name: str, files: FileOutput):
        self.schema_name = schema_name
        self.files = files

    def process(self, element):
        shard, records = element
        records = list(records)
        path = self.files.path(self.schema_name, shard, 0)
        written = write_avro_file(path, self.schema_name, records)
        count_written(self.schema_name, records, int(time.time() * 1000), records_counted=False)
        yield WrittenFile(self.schema_name, path, written)


class WriteRecords(beam.PTransform):
    """Batch: records of one schema -> `<schema>s-*.avro` under output, and P.<schema>s when a topic prefix
    is set. Returns the sinks' results (a WrittenFile per file, records sent per flushed Kafka bundle):
    what VerifyRunOutputs checks."""

    def __init__(self, schema_name: str, files: FileOutput, kafka: KafkaConnection | None = None,
                 topic_prefix: str | None = None, compression: str | None = None):
        super().__init__()
        self.schema_name = schema_name
        self.files = files
        self.kafka = kafka
        self.topic_prefix = topic_prefix
        self.compression = compression

    def expand(self, records):
        name, files = self.schema_name, self.files
        written = [records
                   | "Shard" >> beam.Map(lambda record: (files.shard_of(shard_key(name, record)), record))
                   | "GroupByShard" >> beam.GroupByKey()
                   | "WriteFile" >> beam.ParDo(WriteShardFile(name, files))]
        if self.topic_prefix:
            written.append(
                records
                | "Encode" >> beam.Map(lambda record: single_object_message(name, record))
                | "ToKafka" >> WriteToKafka(self.kafka, f"{self.topic_prefix}.{name}s", self.compression))
        return tuple(written)


# State and timers of CutFiles (one set per shard).
BUFFER = BagStateSpec("buffer", PickleCoder())
CUT_AT_MS = ReadModifyWriteStateSpec("cut_at_ms", VarIntCoder())
FIRINGS = ReadModifyWriteStateSpec("firings", VarIntCoder())
CUT = TimerSpec("cut", TimeDomain.REAL_TIME)
DRAIN = TimerSpec("drain", TimeDomain.WATERMARK)
BUFFER_STATE = beam.DoFn.StateParam(BUFFER)
CUT_AT_STATE = beam.DoFn.StateParam(CUT_AT_MS)
FIRINGS_STATE = beam.DoFn.StateParam(FIRINGS)
CUT_TIMER = beam.DoFn.TimerParam(CUT)
DRAIN_TIMER = beam.DoFn.TimerParam(DRAIN)


class CutFiles(beam.DoFn):
    """Streaming, keyed by shard: buffers MessageOutputs and writes them out at the next boundary of the
    processing-time grid (the `cut` timer), or when the input ends (the `drain` timer at the end of the
    global window). Each firing writes one file per schema it holds, then yields the Kafka position
    (topic, partition), offset of every message whose records are now in closed files."""

    def __init__(self, files: FileOutput):
        self.files = files

    def process(self, element, buffer=BUFFER_STATE, cut_at_ms=CUT_AT_STATE,
                cut=CUT_TIMER, drain=DRAIN_TIMER):
        _, outputs = element
        buffer.add(outputs)
        if cut_at_ms.read() is None:
            cut_at = self.files.next_cut(time.time())
            cut.set(Timestamp(cut_at))
            cut_at_ms.write(int(cut_at * 1000))
            drain.set(GlobalWindow().max_timestamp())

    @on_timer(CUT)
    def on_cut(self, key=beam.DoFn.KeyParam, buffer=BUFFER_STATE, cut_at_ms=CUT_AT_STATE, firings=FIRINGS_STATE):
        yield from self._write(key, buffer, cut_at_ms, firings)

    @on_timer(DRAIN)
    def on_drain(self, key=beam.DoFn.KeyParam, buffer=BUFFER_STATE, cut_at_ms=CUT_AT_STATE,
                 firings=FIRINGS_STATE):
        yield from self._write(key, buffer, cut_at_ms, firings)

    def _write(self, shard, buffer, cut_at_ms, firings) -> Iterator[tuple[tuple[str, int], int]]:
        held: list[MessageOutputs] = list(buffer.read())
        cut_at_ms.clear()
        if not held:
            return
        firing = firings.read() or 0
        closed_at = time.time()
        for schema_name in SCHEMA_NAMES:
            records = [record for outputs in held for name, record in outputs.records if name == schema_name]
            if records:
                write_avro_file(self.files.path(schema_name, shard, firing, closed_at), schema_name, records)
                count_written(schema_name, records, int(closed_at * 1000))
        buffer.clear()
        firings.write(firing + 1)
        for outputs in held:
            if outputs.source is not None:
                topic, partition, offset = outputs.source
                yield (topic, partition), offset


class WriteMessageOutputs(beam.PTransform):
    """Streaming: MessageOutputs -> Avro files cut by processing time (and P.<schema>s topics when a prefix
    is set). Returns ((topic, partition), offset) for every Kafka message whose outputs are in closed files."""

    def __init__(self, files: FileOutput, kafka: KafkaConnection | None = None, topic_prefix: str | None = None):
        super().__init__()
        self.files = files
        self.kafka = kafka
        self.topic_prefix = topic_prefix

    def expand(self, outputs):
        files = self.files
        if self.topic_prefix:
            for name in SCHEMA_NAMES:
                (outputs
                 | f"Encode{name.title()}s" >> beam.FlatMap(
                     lambda o, name=name: [single_object_message(name, r) for n, r in o.records if n == name])
                 | f"ToKafka{name.title()}s" >> WriteToKafka(self.kafka, f"{self.topic_prefix}.{name}s"))
        return (outputs
                | "GlobalWindow" >> beam.WindowInto(GlobalWindows())
                | "Shard" >> beam.Map(lambda o: (files.shard_of(o.shard_key()), o))
                | "CutFiles" >> beam.ParDo(CutFiles(files)))
