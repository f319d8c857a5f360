"""JSONL file input: one message per non-blank line, so the pipeline runs the same without Kafka."""
from __future__ import annotations

from collections.abc import Iterator

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from pipelines.records import SourceMessage


def read_lines(path: str) -> Iterator[SourceMessage]:
    """Each non-blank line of the file (any Beam filesystem path; .gz and .bz2 decompressed by their extension)
    as raw bytes with its 1-based line number."""
    with FileSystems.open(path) as fh:
        for number, line in enumerate(iter(fh.readline, b""), start=1):
            value = line.rstrip(b"\r\n")
            if value.strip():
                yield SourceMessage(value=value, line=number)


class ReadJsonLines(beam.PTransform):
    """PBegin -> SourceMessage for every line of the files matching `pattern`."""

    def __init__(self, pattern: str):
        super().__init__()
        self.pattern = pattern

    def expand(self, pbegin):
        paths = [m.path for result in FileSystems.match([self.pattern]) for m in result.metadata_list]
        if not paths:
            raise FileNotFoundError(f"no input file matches {self.pattern!r}")
        return (
            pbegin
            | "InputPaths" >> beam.Create(sorted(paths))
            | "ReadLines" >> beam.FlatMap(read_lines)
            | "Spread" >> beam.Reshuffle()
        )
