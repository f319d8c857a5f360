"""Avro schemas and sinks: fastavro container files under --output, and single-object encoding for Kafka."""
from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass
from functools import cache
from importlib import resources

import apache_beam as beam
import fastavro
from apache_beam.io import fileio
from apache_beam.transforms import window

SCHEMA_NAMES = ("article", "event", "dead_letter")
SINGLE_OBJECT_MARKER = b"\xc3\x01"


@cache
def load_schema(name: str) -> dict:
    """The parsed schema schemas/<name>.avsc, shipped as package data."""
    text = resources.files("schemas").joinpath(f"{name}.avsc").read_text(encoding="utf-8")
    return fastavro.parse_schema(json.loads(text))


@cache
def schema_fingerprint(name: str) -> bytes:
    """The 8-byte little-endian CRC-64-AVRO fingerprint that prefixes single-object encoded records."""
    canonical = fastavro.schema.to_parsing_canonical_form(load_schema(name))
    return int(fastavro.schema.fingerprint(canonical, "CRC-64-AVRO"), 16).to_bytes(8, "little")


def encode_single_object(name: str, record: dict) -> bytes:
    """Avro single-object encoding: marker, schema fingerprint, then the binary record."""
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, load_schema(name), record)
    return SINGLE_OBJECT_MARKER + schema_fingerprint(name) + buffer.getvalue()


def decode_single_object(name: str, data: bytes) -> dict:
    """Inverse of encode_single_object; checks the marker and the fingerprint."""
    if data[:2] != SINGLE_OBJECT_MARKER or data[2:10] != schema_fingerprint(name):
        raise ValueError(f"not a single-object encoded {name} record")
    return fastavro.schemaless_reader(io.BytesIO(data[10:]), load_schema(name))


class AvroFileSink(fileio.FileSink):
    """fileio sink writing one Avro container file per shard with a fixed schema."""

    def __init__(self, schema_name: str):
        self.schema_name = schema_name
        self._writer = None

    def open(self, fh):
        self._writer = fastavro.write.Writer(fh, load_schema(self.schema_name), codec="deflate")

    def write(self, record):
        self._writer.write(record)

    def flush(self):
        self._writer.flush()


def stamp_with_arrival_time(record):
    """The record timestamped with the wall clock as it reaches the sink."""
    return window.TimestampedValue(record, time.time())


@dataclass(frozen=True)
class FileOutput:
    """Where the Avro files of one run go: the directory (any Beam filesystem path), the run's start time
    that prefixes every file name of the run (so a later run never overwrites an earlier one's files),
    and, when streaming, the length of the windows files are cut by."""

    directory: str
    run_stamp: str
    streaming: bool = False
    window_seconds: int = 60

    @classmethod
    def starting_now(cls, directory: str, streaming: bool = False, window_seconds: int = 60) -> FileOutput:
        return cls(directory, time.strftime("%Y%m%dT%H%M%S", time.gmtime()), streaming, window_seconds)


class WriteAvroFiles(beam.PTransform):
    """Writes records as `<name>s-<run start>-*.avro` under the output directory; windowed when streaming.

    Streaming files are cut by arrival time (fixed windows of the wall clock when a record reaches the
    sink): a record whose event time is long past (an archive story, an article held for dedup, a late
    message) is written in the current file instead of being dropped as late data."""

    def __init__(self, schema_name: str, files: FileOutput):
        super().__init__()
        self.schema_name = schema_name
        self.files = files

    def expand(self, records):
        files = self.files
        if files.streaming:
            records = (records
                       | "StampArrival" >> beam.Map(stamp_with_arrival_time)
                       | "WindowForFiles" >> beam.WindowInto(window.FixedWindows(files.window_seconds)))
        prefix = f"{self.schema_name}s-{files.run_stamp}"
        return records | "WriteFiles" >> fileio.WriteToFiles(
            path=files.directory,
            file_naming=fileio.default_file_naming(prefix=prefix, suffix=".avro"),
            sink=lambda _destination: AvroFileSink(self.schema_name),
            shards=1,
            max_writers_per_bundle=0,
        )


def read_avro_file(path: str):
    """Records of one Avro container file (any Beam filesystem path)."""
    from apache_beam.io.filesystems import FileSystems

    with FileSystems.open(path) as fh:
        yield from fastavro.reader(fh)
