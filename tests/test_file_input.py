"""JSONL file input: plain and compressed files give the same messages with their line numbers."""
from __future__ import annotations

import bz2
import gzip

import pytest

from pipelines.io.files import read_lines

LINES = b'{"id": "a", "text": "One."}\n\n{"id": "b", "text": "Two."}\r\n'


@pytest.mark.parametrize("name, compress", [("in.jsonl", bytes), ("in.jsonl.gz", gzip.compress),
                                            ("in.jsonl.bz2", bz2.compress)])
def test_plain_and_compressed_files_give_the_same_messages(tmp_path, name, compress):
    path = tmp_path / name
    path.write_bytes(compress(LINES))
    assert [(m.value, m.line) for m in read_lines(str(path))] == [
        (b'{"id": "a", "text": "One."}', 1), (b'{"id": "b", "text": "Two."}', 3)]
