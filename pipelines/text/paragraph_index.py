"""A compact in-memory paragraph index: streaming query-then-insert with the stage's own decisions.

The Beam stage keeps its index in keyed state; this is the same index for one process (the benchmark,
tests, and any tool that dedups a stream in memory). Paragraphs are added in batches: each batch is
first queried against everything stored before it and against its own earlier rows, then stored, so
the result equals one-at-a-time query-then-insert. Storage is columnar numpy, no Python object per band:
  - bucket table: (32-bit bucket key, 32-bit slot) pairs in sorted runs, merged like a binary counter,
  - per slot: the 8-bit signature, shingle count, publication second, stance mask, and the fact hashes in
    flat arrays.
"""
from __future__ import annotations

from itertools import chain
from typing import NamedTuple

import numpy as np

from pipelines.text.verify import DedupSettings, ParagraphSketch, near_duplicate_similarity

_KEY32 = np.uint64(0xFFFFFFFF)


def fold_key(keys: np.ndarray) -> np.ndarray:
    """63-bit bucket keys folded to 32 bits (a rare collision only adds a candidate that verification rejects)."""
    keys = keys.astype(np.uint64)
    return ((keys ^ (keys >> np.uint64(32))) & _KEY32).astype(np.uint32)


class Found(NamedTuple):
    """The earliest stored paragraph a queried one duplicates."""

    slot: int
    similarity: float


class _Column:
    """A growable numpy column in fixed-size chunks (no 2x over-allocation of a doubling array)."""

    CHUNK = 1 << 10

    def __init__(self, dtype, width: int = 0):
        self.dtype = dtype
        self.width = width
        self.chunks: list[np.ndarray] = []
        self.length = 0

    def extend(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=self.dtype)
        done = 0
        while done < len(rows):
            used = self.length % self.CHUNK
            if used == 0:
                shape = (self.CHUNK, self.width) if self.width else (self.CHUNK,)
                self.chunks.append(np.empty(shape, dtype=self.dtype))
            take = min(self.CHUNK - used, len(rows) - done)
            self.chunks[-1][used:used + take] = rows[done:done + take]
            done += take
            self.length += take

    def __getitem__(self, index: int):
        return self.chunks[index // self.CHUNK][index % self.CHUNK]

    def nbytes(self) -> int:
        return sum(chunk.nbytes for chunk in self.chunks)


class ParagraphIndex:
    """Stores paragraph sketches under their bucket keys; `add_batch` answers each with its earliest duplicate."""

    def __init__(self, settings: DedupSettings | None = None, retention_seconds: float | None = None):
        self.settings = settings or DedupSettings()
        self.retention_s = retention_seconds
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        self.signatures = _Column(np.uint8, self.settings.num_bins)
        self.shingles = _Column(np.uint16)
        self.seconds = _Column(np.int64)
        self.key_hashes = _Column(np.uint64)
        self.stances = _Column(np.uint8)
        self.fact_offsets = _Column(np.uint32)
        self.facts = _Column(np.uint32)
        self.digit_offsets = _Column(np.uint32)
        self.digits = bytearray()
        self.short_words: dict[int, tuple[str, ...]] = {}
        self.fact_offsets.extend(np.zeros(1))
        self.digit_offsets.extend(np.zeros(1))

    def __len__(self) -> int:
        return self.shingles.length

    def add_batch(self, sketches: list[tuple[ParagraphSketch, list[int]]], seconds: list[int] | None = None,
                  ) -> list[Found | None]:
        """Query each paragraph (against the index and the batch's earlier rows), then store the batch."""
        first = len(self)
        seconds = seconds if seconds is not None else [0] * len(sketches)
        counts = np.fromiter((len(buckets) for _, buckets in sketches), dtype=np.int64, count=len(sketches))
        rows = np.repeat(np.arange(len(sketches), dtype=np.int64), counts)
        keys = fold_key(np.fromiter(chain.from_iterable(buckets for _, buckets in sketches), dtype=np.uint64,
                                    count=int(counts.sum())))
        candidates = self._lookup(keys, rows, first)
        self._store(sketches, seconds)
        self._insert_run(keys, (rows + first).astype(np.uint32))
        return self._verify(sketches, seconds, first, candidates)

    def _lookup(self, keys: np.ndarray, rows: np.ndarray, first: int) -> dict[int, set[int]]:
        """row -> candidate slots: stored paragraphs and earlier rows of the batch sharing a bucket key."""
        candidates: dict[int, set[int]] = {}
        for run_keys, run_slots in self.runs:
            lo = np.searchsorted(run_keys, keys, "left")
            hit = np.nonzero(run_keys[np.minimum(lo, len(run_keys) - 1)] == keys)[0]
            if not len(hit):
                continue
            hi = np.searchsorted(run_keys, keys[hit], "right")
            for i, end in zip(hit.tolist(), hi.tolist(), strict=True):
                candidates.setdefault(int(rows[i]), set()).update(run_slots[lo[i]:end].tolist())
        order = np.lexsort((rows, keys))
        sorted_keys, sorted_rows = keys[order], rows[order]
        same = np.nonzero(sorted_keys[1:] == sorted_keys[:-1])[0]
        for i in same:
            j = i
            while j >= 0 and sorted_keys[j] == sorted_keys[i + 1]:
                if sorted_rows[j] < sorted_rows[i + 1]:
                    candidates.setdefault(int(sorted_rows[i + 1]), set()).add(int(sorted_rows[j]) + first)
                j -= 1
        return candidates

    def _verify(self, sketches, seconds, first: int, candidates: dict[int, set[int]]) -> list[Found | None]:
        results: list[Found | None] = [None] * len(sketches)
        for row, slots in candidates.items():
            later = sketches[row][0]
            for slot in sorted(slots):
                if slot >= first + row:
                    continue
                if self.retention_s is not None and seconds[row] - self.seconds[slot] > self.retention_s:
                    continue
                similarity = near_duplicate_similarity(later, self.sketch(slot), self.settings)
                if similarity is not None:
                    results[row] = Found(slot, similarity)
                    break
        return results

    def sketch(self, slot: int) -> ParagraphSketch:
        """The stored sketch of a slot, rebuilt from the columns."""
        facts = [self.facts[i] for i in range(int(self.fact_offsets[slot]), int(self.fact_offsets[slot + 1]))]
        number_count = facts[0] if facts else 0
        words = self.short_words.get(slot, ())
        has_signature = len(words) == 0 or len(words) > self.settings.short_words
        return ParagraphSketch(
            key_hash=int(self.key_hashes[slot]),
            words=words,
            signature=self.signatures[slot].tobytes() if has_signature else b"",
            shingles=int(self.shingles[slot]),
            numbers=tuple(int(x) for x in facts[1:1 + number_count]),
            names=tuple(int(x) for x in facts[1 + number_count:]),
            digits=self.digits[self.digit_offsets[slot]:self.digit_offsets[slot + 1]].decode("ascii"),
            stance=int(self.stances[slot]),
        )

    def _store(self, sketches, seconds) -> None:
        first = len(self)
        signatures = np.zeros((len(sketches), self.settings.num_bins), dtype=np.uint8)
        fact_rows: list[int] = []
        fact_ends, digit_ends = [], []
        fact_total = int(self.fact_offsets[first])
        for i, (sketch, _) in enumerate(sketches):
            if sketch.signature:
                signatures[i] = np.frombuffer(sketch.signature, dtype=np.uint8)
            if sketch.words:
                self.short_words[first + i] = sketch.words
            facts = [len(sketch.numbers), *sketch.numbers, *sketch.names] if sketch.numbers or sketch.names else []
            fact_rows.extend(facts)
            fact_total += len(facts)
            fact_ends.append(fact_total)
            self.digits += sketch.digits.encode("ascii")
            digit_ends.append(len(self.digits))
        self.signatures.extend(signatures)
        self.shingles.extend(np.minimum([s.shingles for s, _ in sketches], 0xFFFF))
        self.seconds.extend(np.asarray(seconds, dtype=np.int64))
        self.key_hashes.extend(np.asarray([s.key_hash for s, _ in sketches], dtype=np.uint64))
        self.stances.extend(np.asarray([s.stance for s, _ in sketches], dtype=np.uint8))
        self.facts.extend(np.asarray(fact_rows, dtype=np.uint32))
        self.fact_offsets.extend(np.asarray(fact_ends, dtype=np.uint32))
        self.digit_offsets.extend(np.asarray(digit_ends, dtype=np.uint32))

    def _insert_run(self, keys: np.ndarray, slots: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        run = (keys[order], slots[order])
        while self.runs and len(self.runs[-1][0]) <= len(run[0]):
            previous = self.runs.pop()
            merged_keys = np.concatenate([previous[0], run[0]])
            merged_slots = np.concatenate([previous[1], run[1]])
            order = np.argsort(merged_keys, kind="stable")
            run = (merged_keys[order], merged_slots[order])
        self.runs.append(run)

    def nbytes(self) -> int:
        """Bytes held by the numpy columns and bucket runs (short-paragraph words not included)."""
        columns = (self.signatures, self.shingles, self.seconds, self.key_hashes, self.stances, self.fact_offsets,
                   self.facts, self.digit_offsets)
        return (sum(c.nbytes() for c in columns) + len(self.digits)
                + sum(k.nbytes + s.nbytes for k, s in self.runs))
