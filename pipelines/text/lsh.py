"""Bucket keys: where a paragraph is filed so that its near-duplicates land in the same bucket.

Long paragraphs: LSH banding of the MinHash signature (`bands` bands of `rows` bins; two paragraphs
with Jaccard similarity J share at least one band with probability 1 - (1 - J^rows)^bands; verbatim copies
share every band, and a bucket tells them apart by their key hash). Paragraphs too short for a signature:
the exact hash of their key. Short paragraphs, whose few
shingles make MinHash meaningless: the key with each word left out in turn, so that two short
paragraphs one word apart share a bucket; a one-word paragraph is filed under the word with each letter
left out instead (a key with no word at all would put every one-word paragraph in one bucket).
"""
from __future__ import annotations

import numpy as np
import xxhash

KEY_MASK = (1 << 63) - 1
_BAND_SEEDS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                        0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x27D4EB2F165667C5, 0x85EBCA77C2B2AE63],
                       dtype=np.uint64)
EXACT, VARIANT, LETTERS = 0, 1, 2
MIN_TYPO_LETTERS = 4


def text_hash(text: str, kind: int = EXACT) -> int:
    """63-bit hash of a key (kind separates exact keys from word-drop variants)."""
    return xxhash.xxh3_64_intdigest(text.encode("utf-8"), seed=kind) & KEY_MASK


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) int64 keys: the `rows` uint32 values of each band hashed together with the band number."""
    if bands * rows > signatures.shape[1]:
        raise ValueError(f"{bands} bands of {rows} rows need {bands * rows} bins, the signature has "
                         f"{signatures.shape[1]}")
    if rows > len(_BAND_SEEDS):
        raise ValueError(f"at most {len(_BAND_SEEDS)} rows per band")
    values = signatures[:, :bands * rows].astype(np.uint64).reshape(len(signatures), bands, rows)
    with np.errstate(over="ignore"):
        h = (np.arange(bands, dtype=np.uint64) + np.uint64(1)) * np.uint64(0xD1B54A32D192ED03)
        h = np.broadcast_to(h, values.shape[:2]).copy()
        for row in range(rows):
            h = (h ^ values[:, :, row]) * _BAND_SEEDS[row]
            h ^= h >> np.uint64(32)
    return (h & np.uint64(KEY_MASK)).astype(np.int64)


def word_drop_keys(words: tuple[str, ...]) -> list[int]:
    """Hashes of the key with each word left out in turn (one-word edits of short paragraphs meet here);
    a single word of four letters or more also gets the word with each letter left out (a typo)."""
    if not words:
        return []
    keys = {text_hash(" ".join(words), VARIANT)}
    if len(words) > 1:
        keys |= {text_hash(" ".join(words[:i] + words[i + 1:]), VARIANT) for i in range(len(words))}
    elif len(words[0]) >= MIN_TYPO_LETTERS:
        word = words[0]
        keys |= {text_hash(word[:i] + word[i + 1:], LETTERS) for i in range(len(word))} | {text_hash(word, LETTERS)}
    return sorted(keys)
