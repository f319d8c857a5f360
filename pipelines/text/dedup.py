"""Paragraph dedup decisions, without Beam: which stored paragraph a new one duplicates, and the article after.

"Earlier" is the total order ParagraphRef = (order_ms, article_id, index), where order_ms is the
publication time (or, without one, the time the message was recorded). Whatever order paragraphs
arrive in, each pair of paragraphs filed in the same bucket is compared once, in the direction the
total order gives, so the outcome does not depend on arrival and two paragraphs never remove each other.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from pipelines.text.verify import DedupSettings, ParagraphSketch, near_duplicate_similarity, sketch_paragraphs

NO_TIME = -(2 ** 62)


class ParagraphRef(NamedTuple):
    """A paragraph's place in the total order that decides which of two near-duplicates is earlier."""

    order_ms: int
    article_id: str
    index: int


class IndexedParagraph(NamedTuple):
    """A paragraph as filed in a bucket: where it is in the order, and its sketch."""

    ref: ParagraphRef
    sketch: ParagraphSketch


class Match(NamedTuple):
    """`later` is a near-duplicate of `earlier`, with the estimated similarity."""

    later: ParagraphRef
    earlier: ParagraphRef
    similarity: float


def index_article(article: dict, order_ms: int | None, settings: DedupSettings,
                  ) -> list[tuple[int, IndexedParagraph]]:
    """(bucket key, paragraph) for every bucket every paragraph of the article is filed in."""
    paragraphs = article["paragraphs"]
    order = NO_TIME if order_ms is None else order_ms
    sketches = sketch_paragraphs([p["text"] for p in paragraphs], settings)
    filed = []
    for paragraph, (sketch, buckets) in zip(paragraphs, sketches, strict=True):
        entry = IndexedParagraph(ParagraphRef(order, article["article_id"], paragraph["index"]), sketch)
        filed.extend((bucket, entry) for bucket in buckets)
    return filed


def match_in_bucket(new: IndexedParagraph, stored: Iterable[IndexedParagraph], settings: DedupSettings,
                    retention_ms: int) -> tuple[list[Match], list[Match], bool]:
    """Compare a new paragraph with those already in its bucket.

    Returns the matches where the new paragraph is the later one, those where a stored one is the later
    one (an earlier paragraph that arrived after its duplicate), and whether the very same paragraph was
    already filed (a redelivered message), in which case it must not be filed twice.
    """
    new_is_later, stored_is_later = [], []
    already_filed = False
    for entry in stored:
        if entry.ref == new.ref:
            already_filed = True
            continue
        later, earlier = (new, entry) if new.ref > entry.ref else (entry, new)
        if later.ref.order_ms - earlier.ref.order_ms > retention_ms:
            continue
        similarity = near_duplicate_similarity(later.sketch, earlier.sketch, settings)
        if similarity is None:
            continue
        match = Match(later.ref, earlier.ref, similarity)
        (new_is_later if later is new else stored_is_later).append(match)
    return new_is_later, stored_is_later, already_filed


def matches_in_group(entries: Iterable[IndexedParagraph], settings: DedupSettings, retention_ms: int,
                     ) -> list[Match]:
    """All matches among the paragraphs of one bucket, known all at once (the batch form of match_in_bucket)."""
    filed: list[IndexedParagraph] = []
    matches: list[Match] = []
    for entry in sorted(set(entries), key=lambda e: e.ref):
        new_is_later, _, already_filed = match_in_bucket(entry, filed, settings, retention_ms)
        matches.extend(new_is_later)
        if not already_filed:
            filed.append(entry)
    return matches


def apply_matches(article: dict, matches: Iterable[Match]) -> dict:
    """The article with duplicated paragraphs moved to `removed_paragraphs` (each against its earliest match)."""
    earliest: dict[int, Match] = {}
    for match in matches:
        if match.later.article_id != article["article_id"]:
            continue
        current = earliest.get(match.later.index)
        if current is None or match.earlier < current.earlier:
            earliest[match.later.index] = match
    removed = [
        {"index": index, "duplicate_of": {"article_id": m.earlier.article_id, "index": m.earlier.index},
         "similarity": float(m.similarity)}
        for index, m in sorted(earliest.items())
    ]
    return {
        **article,
        "paragraphs": [p for p in article["paragraphs"] if p["index"] not in earliest],
        "removed_paragraphs": removed,
    }
