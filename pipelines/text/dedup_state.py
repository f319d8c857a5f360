"""Dedup's streaming state as bytes: a compact, versioned layout that does not depend on Python class paths.

Pickled classes break a savepoint restore as soon as a class moves or gains a field; these layouts are
plain varints, fixed-width hashes and UTF-8 strings behind a leading version byte, so a later version
can read (or refuse, with a clear error) what an earlier one wrote. Times are stored as differences
from the paragraph's order time, which keeps a cluster near 100 bytes.

Version 1, clusters of a bucket: count, then per cluster
  order_ms (zigzag), article_id, index, last_ms - order_ms, seen_ms - order_ms (zigzag),
  first.seen_ms - order_ms (zigzag), key_hash (8 bytes), words (count, strings), signature (bytes),
  shingles, numbers (count, varints), names (count, 4 bytes each), digits (string), stance.
Version 1, a match: later ref, earlier ref (each: order_ms zigzag, article_id, index), similarity (f64).
Version 1, an article held for assembly: JSON of [record time in ms, article].
"""
from __future__ import annotations

import base64
import json
import struct

from pipelines.text.dedup import Cluster, IndexedParagraph, Match, ParagraphRef
from pipelines.text.verify import ParagraphSketch

VERSION = 1
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_F64 = struct.Struct("<d")


class StateVersionError(ValueError):
    """State written by a layout this code does not know (a newer release, or not dedup state at all)."""


def _put_varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _put_signed(out: bytearray, value: int) -> None:
    _put_varint(out, value * 2 if value >= 0 else -value * 2 - 1)


def _put_text(out: bytearray, text: str) -> None:
    data = text.encode("utf-8")
    _put_varint(out, len(data))
    out += data


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def varint(self) -> int:
        result = shift = 0
        while True:
            byte = self.data[self.pos]
            self.pos += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7

    def signed(self) -> int:
        value = self.varint()
        return value >> 1 if not value & 1 else -((value + 1) >> 1)

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.pos:self.pos + size]
        self.pos += size
        return bytes(chunk)

    def text(self) -> str:
        return self.raw(self.varint()).decode("utf-8")


def _check_version(data: bytes, what: str) -> _Reader:
    if not data or data[0] != VERSION:
        found = data[0] if data else "nothing"
        raise StateVersionError(f"dedup {what} state has layout version {found}, this release reads {VERSION}")
    reader = _Reader(data)
    reader.pos = 1
    return reader


def _put_ref(out: bytearray, ref: ParagraphRef) -> None:
    _put_signed(out, ref.order_ms)
    _put_text(out, ref.article_id)
    _put_varint(out, ref.index)


def _read_ref(reader: _Reader) -> ParagraphRef:
    return ParagraphRef(reader.signed(), reader.text(), reader.varint())


def encode_clusters(clusters: list[Cluster]) -> bytes:
    out = bytearray([VERSION])
    _put_varint(out, len(clusters))
    for cluster in clusters:
        first, sketch = cluster.first, cluster.first.sketch
        order = first.ref.order_ms
        _put_ref(out, first.ref)
        _put_varint(out, cluster.last_ms - order)
        _put_signed(out, cluster.seen_ms - order)
        _put_signed(out, first.seen_ms - order)
        out += _U64.pack(sketch.key_hash)
        _put_varint(out, len(sketch.words))
        for word in sketch.words:
            _put_text(out, word)
        _put_varint(out, len(sketch.signature))
        out += sketch.signature
        _put_varint(out, sketch.shingles)
        _put_varint(out, len(sketch.numbers))
        for number in sketch.numbers:
            _put_varint(out, number)
        _put_varint(out, len(sketch.names))
        for name in sketch.names:
            out += _U32.pack(name)
        _put_text(out, sketch.digits)
        _put_varint(out, sketch.stance)
    return bytes(out)


def decode_clusters(data: bytes) -> list[Cluster]:
    reader = _check_version(data, "bucket")
    clusters = []
    for _ in range(reader.varint()):
        ref = _read_ref(reader)
        last_ms = ref.order_ms + reader.varint()
        seen_ms = ref.order_ms + reader.signed()
        first_seen_ms = ref.order_ms + reader.signed()
        key_hash = _U64.unpack(reader.raw(8))[0]
        words = tuple(reader.text() for _ in range(reader.varint()))
        signature = reader.raw(reader.varint())
        shingles = reader.varint()
        numbers = tuple(reader.varint() for _ in range(reader.varint()))
        names = tuple(_U32.unpack(reader.raw(4))[0] for _ in range(reader.varint()))
        digits = reader.text()
        stance = reader.varint()
        sketch = ParagraphSketch(key_hash, words, signature, shingles, numbers, names, digits, stance)
        clusters.append(Cluster(IndexedParagraph(ref, sketch, first_seen_ms), last_ms, seen_ms))
    return clusters


def encode_match(match: Match) -> bytes:
    out = bytearray([VERSION])
    _put_ref(out, match.later)
    _put_ref(out, match.earlier)
    out += _F64.pack(match.similarity)
    return bytes(out)


def decode_match(data: bytes) -> Match:
    reader = _check_version(data, "match")
    later, earlier = _read_ref(reader), _read_ref(reader)
    return Match(later, earlier, _F64.unpack(reader.raw(8))[0])


_BYTES_KEY = "$bytes"


def _bytes_as_json(value: object) -> dict:
    """Bytes inside an article (the Kafka key and header values of its provenance) as base64 in JSON."""
    if isinstance(value, (bytes, bytearray)):
        return {_BYTES_KEY: base64.b64encode(value).decode("ascii")}
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _bytes_from_json(obj: dict) -> object:
    return base64.b64decode(obj[_BYTES_KEY]) if len(obj) == 1 and _BYTES_KEY in obj else obj


def encode_article(article: dict, record_ms: int) -> bytes:
    return bytes([VERSION]) + json.dumps([record_ms, article], separators=(",", ":"), ensure_ascii=False,
                                         default=_bytes_as_json).encode("utf-8")


def decode_article(data: bytes) -> tuple[dict, int]:
    _check_version(data, "article")
    record_ms, article = json.loads(data[1:].decode("utf-8"), object_hook=_bytes_from_json)
    return article, record_ms
