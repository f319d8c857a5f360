"""MinHash signatures of paragraph keys, computed for a whole batch at once with numpy.

One-permutation hashing (Li, Owen and Zhang 2012): every character shingle of every key in the batch is
hashed once (a vectorized polynomial hash over the UTF-8 bytes, then a 64-bit mixer), its top bits pick
one of `num_bins` bins and the minimum of the low 32 bits per (paragraph, bin) is the signature. Empty
bins of short keys borrow the next non-empty bin to the right, shifted by a per-distance offset
(rotation densification, Shrivastava and Li 2014), so any two signatures compare bin by bin like
k-permutation MinHash, at the cost of one hash per shingle instead of `num_bins`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

EMPTY = np.uint32(0xFFFFFFFF)
_ODD = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0x94D049BB133111EB)
_BYTE_LOWS = np.uint64(0x0101010101)
_BYTE_HIGHS = np.uint64(0x8080808080)
_LOW32 = np.uint64(0xFFFFFFFF)


class Signatures(NamedTuple):
    """MinHash values (uint32, one row per key) and the number of shingle positions of each key."""

    values: np.ndarray
    shingles: np.ndarray


def _mix(h: np.ndarray, multiplier: np.uint64) -> np.ndarray:
    """Two rounds of multiply-xorshift (the first by a seeded odd constant).

    One round is faster but leaves frequent shingles (" the ") with correlated bins and values: on BBC
    paragraphs it produced four times the LSH candidates of two rounds.
    """
    h = h * multiplier
    h ^= h >> np.uint64(32)
    h *= _MIX2
    return h ^ (h >> np.uint64(29))


class MinHasher:
    """Shingle width and number of bins; `signatures(keys)` for a batch of normalized keys."""

    def __init__(self, num_bins: int = 64, shingle: int = 5, seed: int = 1):
        if num_bins & (num_bins - 1) or not 8 <= num_bins <= 1024:
            raise ValueError("num_bins must be a power of two between 8 and 1024")
        if not 2 <= shingle <= 8:
            raise ValueError("shingle must be between 2 and 8 bytes")
        self.num_bins = num_bins
        self.shingle = shingle
        self.bin_shift = np.uint64(64 - (num_bins.bit_length() - 1))
        rng = np.random.default_rng(seed)
        self.multiplier = np.uint64(int(rng.integers(1 << 62, dtype=np.int64)) * 2 + 1)
        self.window_mask = np.uint64((1 << (8 * shingle)) - 1)
        self.zero_lows = _BYTE_LOWS & self.window_mask
        self.zero_highs = _BYTE_HIGHS & self.window_mask
        distances = np.arange(2 * num_bins, dtype=np.uint64)
        with np.errstate(over="ignore"):
            self._rotation_offsets = (distances * _ODD) >> np.uint64(32)

    def signatures(self, keys: list[str]) -> Signatures:
        """One signature row per key; keys shorter than the shingle width count as one shingle.

        The keys are joined with NUL bytes; each byte offset starts a window of `shingle` bytes read as
        one little-endian integer (a strided view, no copy), windows holding a NUL are dropped.
        """
        width = self.shingle
        encoded = [key.encode("utf-8").ljust(width) for key in keys]
        lengths = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
        buffer = b"\0".join(encoded) + b"\0" * 8
        windows = len(buffer) - 8 - width + 1
        raw = np.ndarray(shape=(windows,), dtype="<u8", buffer=buffer, strides=(1,)) & self.window_mask
        has_separator = ((raw - self.zero_lows) & ~raw & self.zero_highs) != 0
        with np.errstate(over="ignore"):
            h = _mix(raw, self.multiplier)
        owner = np.repeat(np.arange(len(keys), dtype=np.int64), lengths + 1)[:windows]
        cells = owner * self.num_bins + (h >> self.bin_shift).astype(np.int64)
        cells[has_separator] = len(keys) * self.num_bins
        values = np.full(len(keys) * self.num_bins + 1, EMPTY, dtype=np.uint32)
        np.minimum.at(values, cells, (h & _LOW32).astype(np.uint32))
        values = values[:-1].reshape(len(keys), self.num_bins)
        return Signatures(self._densify(values), lengths - width + 1)

    def _densify(self, values: np.ndarray) -> np.ndarray:
        """Empty bins take the value of the next non-empty bin (circularly) plus a distance offset."""
        empty = values == EMPTY
        if not empty.any():
            return values
        k = self.num_bins
        doubled = np.concatenate([values, values], axis=1)
        index = np.where(np.concatenate([~empty, ~empty], axis=1), np.arange(2 * k), 2 * k)
        next_full = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1][:, :k]
        distance = next_full - np.arange(k)
        source = np.take_along_axis(doubled, np.minimum(next_full, 2 * k - 1), axis=1).astype(np.uint64)
        with np.errstate(over="ignore"):
            shifted = ((source + self._rotation_offsets[np.minimum(distance, 2 * k - 1)]) & np.uint64(0xFFFFFFFF))
        return np.where(empty, shifted.astype(np.uint32), values)
