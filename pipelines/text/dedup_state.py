"""Dedup's streaming state as bytes: a compact, versioned layout that does not depend on Python class paths.

Pickled classes break a savepoint restore as soon as a class moves or gains a field; these layouts are
plain varints, fixed-width hashes and UTF-8 strings behind a leading version byte, so a later version
can read (or refuse, with a clear error) what an earlier one wrote. A paragraph with a signature is held
in 16 band buckets, so every byte of a cluster counts sixteen times per paragraph.

Clusters of a bucket, version 2 (written): count, then per cluster
  flags (one byte: article id form in bits 0-1, order time in whole seconds 2, has words 3, numbers 4,
  names 5, digits form in bits 6-7), order time (zigzag; in seconds when flagged), article_id (text; or a
  UUID in 16 bytes; or a text prefix and a lowercase hex tail as bytes), index,
  last_ms - order_ms, first.seen_ms - order_ms (zigzag), cluster seen_ms - first.seen_ms (zigzag),
  key_hash (8 bytes), words (joined by spaces, one string), signature (bytes), shingles, numbers
  (count, zigzag differences of consecutive values), names (count, 4 bytes each), digits (packed two
  to a byte, or a string), stance.
Clusters of a bucket, version 1 (still read): count, then per cluster
  order_ms (zigzag), article_id, index, last_ms - order_ms, seen_ms - order_ms (zigzag),
  first.seen_ms - order_ms (zigzag), key_hash (8 bytes), words (count, strings), signature (bytes),
  shingles, numbers (count, varints), names (count, 4 bytes each), digits (string), stance.
A match, version 1: later ref, earlier ref (each: order_ms zigzag, article_id, index), similarity (f64).
An article held for assembly, version 1: JSON of [record time in ms, article].
"""
from __future__ import annotations

import base64
import json
import re
import struct
import uuid

from pipelines.text.dedup import Cluster, IndexedParagraph, Match, ParagraphRef
from pipelines.text.verify import ParagraphSketch

CLUSTERS_VERSION = 2
MATCH_VERSION = 1
ARTICLE_VERSION = 1
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


def _check_version(data: bytes, what: str, readable: tuple[int, ...]) -> _Reader:
    if not data or data[0] not in readable:
        found = data[0] if data else "nothing"
        known = " and ".join(map(str, readable))
        raise StateVersionError(f"dedup {what} state has layout version {found}, this release reads {known}")
    reader = _Reader(data)
    reader.pos = 1
    return reader


def _put_ref(out: bytearray, ref: ParagraphRef) -> None:
    _put_signed(out, ref.order_ms)
    _put_text(out, ref.article_id)
    _put_varint(out, ref.index)


def _read_ref(reader: _Reader) -> ParagraphRef:
    return ParagraphRef(reader.signed(), reader.text(), reader.varint())


_ID_TEXT, _ID_UUID, _ID_HEX_TAIL = 0, 1, 2
_WHOLE_SECONDS, _WORDS, _NUMBERS, _NAMES = 4, 8, 16, 32
_DIGITS_SHIFT = 6
_DIGITS_NONE, _DIGITS_PACKED, _DIGITS_TEXT = 0, 1, 2
_HEX_TAIL = re.compile(r"(?:[0-9a-f]{2})+$")
_DECIMAL = re.compile(r"[0-9]+")


def _id_form(article_id: str) -> int:
    if len(article_id) == 36:
        try:
            if str(uuid.UUID(article_id)) == article_id:
                return _ID_UUID
        except ValueError:
            pass
    tail = _HEX_TAIL.search(article_id)
    return _ID_HEX_TAIL if tail and tail.end() - tail.start() >= 4 else _ID_TEXT


def _put_article_id(out: bytearray, article_id: str, form: int) -> None:
    if form == _ID_UUID:
        out += uuid.UUID(article_id).bytes
    elif form == _ID_HEX_TAIL:
        tail = _HEX_TAIL.search(article_id).start()
        _put_text(out, article_id[:tail])
        data = bytes.fromhex(article_id[tail:])
        _put_varint(out, len(data))
        out += data
    else:
        _put_text(out, article_id)


def _read_article_id(reader: _Reader, form: int) -> str:
    if form == _ID_UUID:
        return str(uuid.UUID(bytes=reader.raw(16)))
    if form == _ID_HEX_TAIL:
        prefix = reader.text()
        return prefix + reader.raw(reader.varint()).hex()
    return reader.text()


def _digits_form(digits: str) -> int:
    if not digits:
        return _DIGITS_NONE
    return _DIGITS_PACKED if _DECIMAL.fullmatch(digits) else _DIGITS_TEXT


def _put_packed_digits(out: bytearray, digits: str) -> None:
    _put_varint(out, len(digits))
    padded = digits + "f" * (len(digits) % 2)
    out += bytes.fromhex(padded)


def _read_packed_digits(reader: _Reader) -> str:
    count = reader.varint()
    return reader.raw((count + 1) // 2).hex()[:count]


def _joined_words(words: tuple[str, ...]) -> str:
    if any(not word or " " in word for word in words):
        raise ValueError(f"a stored paragraph's words must be non-empty and without spaces: {words!r}")
    return " ".join(words)


def encode_clusters(clusters: list[Cluster]) -> bytes:
    out = bytearray([CLUSTERS_VERSION])
    _put_varint(out, len(clusters))
    for cluster in clusters:
        first, sketch = cluster.first, cluster.first.sketch
        ref = first.ref
        order = ref.order_ms
        id_form, digits_form = _id_form(ref.article_id), _digits_form(sketch.digits)
        whole_seconds = order % 1000 == 0
        out.append(id_form | (_WHOLE_SECONDS if whole_seconds else 0) | (_WORDS if sketch.words else 0)
                   | (_NUMBERS if sketch.numbers else 0) | (_NAMES if sketch.names else 0)
                   | digits_form << _DIGITS_SHIFT)
        _put_signed(out, order // 1000 if whole_seconds else order)
        _put_article_id(out, ref.article_id, id_form)
        _put_varint(out, ref.index)
        _put_varint(out, cluster.last_ms - order)
        _put_signed(out, first.seen_ms - order)
        _put_signed(out, cluster.seen_ms - first.seen_ms)
        out += _U64.pack(sketch.key_hash)
        if sketch.words:
            _put_text(out, _joined_words(sketch.words))
        _put_varint(out, len(sketch.signature))
        out += sketch.signature
        _put_varint(out, sketch.shingles)
        if sketch.numbers:
            _put_varint(out, len(sketch.numbers))
            previous = 0
            for number in sketch.numbers:
                _put_signed(out, number - previous)
                previous = number
        if sketch.names:
            _put_varint(out, len(sketch.names))
            for name in sketch.names:
                out += _U32.pack(name)
        if digits_form == _DIGITS_PACKED:
            _put_packed_digits(out, sketch.digits)
        elif digits_form == _DIGITS_TEXT:
            _put_text(out, sketch.digits)
        _put_varint(out, sketch.stance)
    return bytes(out)


def decode_clusters(data: bytes) -> list[Cluster]:
    """A bucket's clusters from either layout version (1 as written before, 2 as written now)."""
    reader = _check_version(data, "bucket", (CLUSTERS_VERSION, 1))
    read_cluster = _read_cluster_v2 if data[0] == CLUSTERS_VERSION else _read_cluster_v1
    return [read_cluster(reader) for _ in range(reader.varint())]


def _read_cluster_v2(reader: _Reader) -> Cluster:
    flags = reader.raw(1)[0]
    order = reader.signed()
    if flags & _WHOLE_SECONDS:
        order *= 1000
    ref = ParagraphRef(order, _read_article_id(reader, flags & 3), reader.varint())
    last_ms = order + reader.varint()
    first_seen_ms = order + reader.signed()
    seen_ms = first_seen_ms + reader.signed()
    key_hash = _U64.unpack(reader.raw(8))[0]
    words = tuple(reader.text().split(" ")) if flags & _WORDS else ()
    signature = reader.raw(reader.varint())
    shingles = reader.varint()
    numbers: tuple[int, ...] = ()
    if flags & _NUMBERS:
        values, previous = [], 0
        for _ in range(reader.varint()):
            previous += reader.signed()
            values.append(previous)
        numbers = tuple(values)
    names = tuple(_U32.unpack(reader.raw(4))[0] for _ in range(reader.varint())) if flags & _NAMES else ()
    digits_form = flags >> _DIGITS_SHIFT
    digits = (_read_packed_digits(reader) if digits_form == _DIGITS_PACKED
              else reader.text() if digits_form == _DIGITS_TEXT else "")
    stance = reader.varint()
    sketch = ParagraphSketch(key_hash, words, signature, shingles, numbers, names, digits, stance)
    return Cluster(IndexedParagraph(ref, sketch, first_seen_ms), last_ms, seen_ms)


def _read_cluster_v1(reader: _Reader) -> Cluster:
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
    return Cluster(IndexedParagraph(ref, sketch, first_seen_ms), last_ms, seen_ms)


def encode_match(match: Match) -> bytes:
    out = bytearray([MATCH_VERSION])
    _put_ref(out, match.later)
    _put_ref(out, match.earlier)
    out += _F64.pack(match.similarity)
    return bytes(out)


def decode_match(data: bytes) -> Match:
    reader = _check_version(data, "match", (MATCH_VERSION,))
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
    return bytes([ARTICLE_VERSION]) + json.dumps([record_ms, article], separators=(",", ":"), ensure_ascii=False,
                                         default=_bytes_as_json).encode("utf-8")


def decode_article(data: bytes) -> tuple[dict, int]:
    _check_version(data, "article", (ARTICLE_VERSION,))
    record_ms, article = json.loads(data[1:].decode("utf-8"), object_hook=_bytes_from_json)
    return article, record_ms
