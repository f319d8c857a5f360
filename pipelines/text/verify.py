"""Paragraph sketches and the verification of a candidate pair: is `later` a near-duplicate of `earlier`?

MinHash finds candidates; it cannot tell a re-edited copy from a running story republished with new
figures, because both share most of their wording. A candidate is a near-duplicate only when
  - the similarity is high enough: estimated Jaccard >= min_jaccard, and the later paragraph is mostly
    contained in the earlier one (containment >= min_containment: a trimmed copy still counts, a
    paragraph that adds new sentences does not), and
  - no fact was replaced: the later paragraph may drop numbers or names of the earlier one (a trimmed
    sentence) but must not carry different numbers or different names in their place. Numbers are
    compared as values: "4" and "45", "1 percent" and "10 percent" differ, though one's digits are
    inside the other's ("At least 4 people were killed" updated to 45 is news, not a copy).
Short paragraphs (few words) are compared word by word instead: equal, or one word dropped or added,
or one word respelled (a typo), again with no fact replaced.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import xxhash

from pipelines.text.dedup_key import ParagraphKey, analyze
from pipelines.text.lsh import band_keys, text_hash, word_drop_keys
from pipelines.text.minhash import MinHasher

SIGNATURE_BITS = 8


@dataclass(frozen=True)
class DedupSettings:
    """Every dedup parameter; the defaults are the ones measured on the dev stream (see README)."""

    shingle: int = 5
    num_bins: int = 64
    bands: int = 16
    rows: int = 4
    min_jaccard: float = 0.4
    min_containment: float = 0.7
    short_words: int = 8
    seed: int = 1
    bucket_cap: int = 1000
    article_bucket_cap: int = 16
    article_max_chars: int = 1_000_000
    max_wait_seconds: float = 300.0

    def hasher(self) -> MinHasher:
        return MinHasher(self.num_bins, self.shingle, self.seed)


class ParagraphSketch(NamedTuple):
    """What verification needs of a stored paragraph, in a few hundred bytes."""

    key_hash: int
    words: tuple[str, ...]
    signature: bytes
    shingles: int
    numbers: tuple[int, ...]
    names: tuple[int, ...]
    digits: str
    stance: int



def _fact_hash(token: str) -> int:
    return xxhash.xxh32_intdigest(token.encode("utf-8")) & 0xFFFF


def name_hash(name: str) -> int:
    """16 bits of the name, then 16 bits of its sorted letters (a transposition typo keeps the latter)."""
    return (_fact_hash(name) << 16) | _fact_hash("".join(sorted(name)))


class _HashCache(dict):
    """token -> hash, computed on first use (names and figures repeat across a news stream)."""

    def __init__(self, hash_function):
        super().__init__()
        self.hash_function = hash_function

    def __missing__(self, token: str) -> int:
        value = self.hash_function(token)
        if len(self) < HASH_CACHE_SIZE:
            self[token] = value
        return value


HASH_CACHE_SIZE = 200_000
_NAME_HASHES = _HashCache(name_hash)
_NUMBER_HASHES = _HashCache(_fact_hash)


def sketch_paragraphs(texts: list[str], settings: DedupSettings, hasher: MinHasher | None = None,
                      ) -> list[tuple[ParagraphSketch, list[int]]]:
    """(sketch, bucket keys) per paragraph text; signatures are computed for the whole list at once."""
    return sketch_keys([analyze(text) for text in texts], settings, hasher)


def sketch_keys(analyzed: list[ParagraphKey], settings: DedupSettings, hasher: MinHasher | None = None,
                ) -> list[tuple[ParagraphSketch, list[int]]]:
    """(sketch, bucket keys) per analyzed paragraph (comparison key and facts)."""
    if not analyzed:
        return []
    hasher = hasher or settings.hasher()
    signatures = hasher.signatures([a.key for a in analyzed])
    bands = band_keys(signatures.values, settings.bands, settings.rows)
    low_bits = (signatures.values & ((1 << SIGNATURE_BITS) - 1)).astype(np.uint8).tobytes()
    width = settings.num_bins
    shingle_counts = signatures.shingles.tolist()
    results = []
    band_rows = bands.tolist()
    for i, a in enumerate(analyzed):
        word_count = a.key.count(" ") + 1 if a.key else 0
        # Paragraphs one word over the short limit keep their words too, to meet short ones one word apart.
        words = tuple(a.key.split()) if word_count <= settings.short_words + 1 else ()
        has_signature = word_count > settings.short_words
        key_hash = text_hash(a.key)
        facts = a.facts
        sketch = ParagraphSketch(
            key_hash,
            words,
            low_bits[i * width:(i + 1) * width] if has_signature else b"",
            shingle_counts[i],
            tuple(sorted(map(_NUMBER_HASHES.__getitem__, facts.numbers))) if facts.numbers else (),
            tuple(sorted(map(_NAME_HASHES.__getitem__, facts.names))) if facts.names else (),
            facts.digits,
            facts.stance,
        )
        # An exact copy has the same signature, so it meets its original in every band: the exact key is
        # a bucket of its own only for paragraphs without a signature.
        buckets = list(band_rows[i]) if has_signature else [key_hash]
        if words:
            buckets += word_drop_keys(words)
        results.append((sketch, buckets))
    return results


def facts_replaced(later: ParagraphSketch, earlier: ParagraphSketch) -> bool:
    """True when the later paragraph carries numbers or names the earlier lacks, in place of some it has."""
    if _both_sides_unmatched(Counter(later.numbers), Counter(earlier.numbers)) and later.digits != earlier.digits:
        return True  # equal digits in reading order: a typo split a figure ("$4b0n"), its value is the same
    new_names = Counter(later.names) - Counter(earlier.names)
    lost_names = Counter(earlier.names) - Counter(later.names)
    if not new_names or not lost_names:
        return False
    respelled = Counter(h & 0xFFFF for h in new_names.elements())
    original = Counter(h & 0xFFFF for h in lost_names.elements())
    return _both_sides_unmatched(respelled, original)


def _both_sides_unmatched(later: Counter, earlier: Counter) -> bool:
    return bool(later - earlier) and bool(earlier - later)


def _typo_close(a: str, b: str) -> bool:
    """One respelling apart: same letters in another order, or one letter changed, added or dropped."""
    if sorted(a) == sorted(b):
        return True
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def word_similarity(later: tuple[str, ...], earlier: tuple[str, ...]) -> float | None:
    """Similarity of two short paragraphs one word edit apart, None when they are further apart."""
    longest = max(len(later), len(earlier))
    if later == earlier:
        return 1.0
    if abs(len(later) - len(earlier)) == 1:
        shorter, longer = (later, earlier) if len(later) < len(earlier) else (earlier, later)
        if any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer))):
            return len(shorter) / longest
        return None
    if len(later) == len(earlier):
        differing = [(x, y) for x, y in zip(later, earlier, strict=True) if x != y]
        if len(differing) == 1 and _typo_close(*differing[0]):
            return (longest - 0.5) / longest
    return None


def near_duplicate_similarity(later: ParagraphSketch, earlier: ParagraphSketch, settings: DedupSettings,
                              ) -> float | None:
    """The estimated similarity when `later` is a near-duplicate of `earlier`, else None."""
    if later.key_hash == earlier.key_hash:
        return 1.0
    if later.words and earlier.words and min(len(later.words), len(earlier.words)) <= settings.short_words:
        similarity = word_similarity(later.words, earlier.words)
    elif later.signature and earlier.signature:
        similarity = _minhash_similarity(later, earlier, settings)
    else:
        return None
    if similarity is None or stance_added(later, earlier) or facts_replaced(later, earlier):
        return None
    return similarity


def stance_added(later: ParagraphSketch, earlier: ParagraphSketch) -> bool:
    """True when the later paragraph negates, threatens or plans where the earlier did not."""
    return bool(later.stance & ~earlier.stance)


def estimated_jaccard(a: bytes, b: bytes) -> float:
    """Share of equal signature bins, corrected for chance equality of the kept low bits."""
    equal = np.count_nonzero(np.frombuffer(a, np.uint8) == np.frombuffer(b, np.uint8)) / len(a)
    chance = 2.0 ** -SIGNATURE_BITS
    return max(0.0, (equal - chance) / (1.0 - chance))


def containment(jaccard: float, later_size: int, earlier_size: int) -> float:
    """|later ∩ earlier| / |later| from the Jaccard estimate and the two shingle counts."""
    if jaccard <= 0:
        return 0.0
    shared = jaccard * (later_size + earlier_size) / (1.0 + jaccard)
    return min(1.0, shared / max(1, later_size))


def _minhash_similarity(later: ParagraphSketch, earlier: ParagraphSketch, settings: DedupSettings,
                        ) -> float | None:
    jaccard = estimated_jaccard(later.signature, earlier.signature)
    if jaccard < settings.min_jaccard:
        return None
    if containment(jaccard, later.shingles, earlier.shingles) < settings.min_containment:
        return None
    return round(jaccard, 4)
