"""Avro schemas and files: fastavro container files under --output, and single-object encoding for Kafka."""
from __future__ import annotations

import io
import json
import math
import time
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import fastavro
from apache_beam.io.filesystems import FileSystems

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


def write_avro_file(path: str, schema_name: str, records: Iterable[dict]) -> int:
    """Writes the records as one Avro container file and returns how many it wrote.

    The file is written under a hidden temporary name in the same directory and renamed when complete,
    so a reader (or a job stopped mid-write) never meets a half-written `*.avro` file."""
    directory, name = FileSystems.split(path)
    temporary = FileSystems.join(directory, f".{name}.inprogress")
    count = 0
    with FileSystems.create(temporary) as fh:
        writer = fastavro.write.Writer(fh, load_schema(schema_name), codec="deflate")
        for record in records:
            writer.write(record)
            count += 1
        writer.flush()
    FileSystems.rename([temporary], [path])
    return count


@dataclass(frozen=True)
class FileOutput:
    """Where the Avro files of one run go and how they are cut.

    `run_stamp` (the run's start time and a random part) prefixes every file name of the run, so no other
    run, not even one started in the same second, overwrites its files. Streaming files are cut every
    `window_seconds` of processing time; `shards` files per schema can be open at once (one per shard)."""

    directory: str
    run_stamp: str
    streaming: bool = False
    window_seconds: int = 60
    shards: int = 2

    @classmethod
    def starting_now(cls, directory: str, streaming: bool = False, window_seconds: int = 60,
                     shards: int = 2) -> FileOutput:
        stamp = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}"
        return cls(directory, stamp, streaming, window_seconds, shards)

    def path(self, schema_name: str, shard: int, firing: int, closed_at: float | None = None) -> str:
        """`<schema>s-<run start>-<run id>[-<closed at>]-<shard>of<shards>-<firing>.avro`: unique per shard and
        firing, and free of `:` (HDFS rejects it in names)."""
        closed = f"-{time.strftime('%Y%m%dT%H%M%S', time.gmtime(closed_at))}" if closed_at is not None else ""
        name = f"{schema_name}s-{self.run_stamp}{closed}-{shard:03d}of{self.shards:03d}-{firing:06d}.avro"
        return FileSystems.join(self.directory, name)

    def shard_of(self, key: str) -> int:
        """A stable shard for a record key (the same key always lands in the same shard)."""
        return zlib.crc32(key.encode("utf-8")) % self.shards

    def next_cut(self, now: float) -> float:
        """The next boundary of the processing-time grid files are cut on (multiples of window_seconds)."""
        return (math.floor(now / self.window_seconds) + 1) * self.window_seconds


def count_avro_records(path: str) -> int:
    """Records in an Avro container file, from its block headers (records are not decoded)."""
    with FileSystems.open(path) as fh:
        return sum(block.num_records for block in fastavro.block_reader(fh))


def read_avro_file(path: str):
    """Records of one Avro container file (any Beam filesystem path)."""
    with FileSystems.open(path) as fh:
        yield from fastavro.reader(fh)
