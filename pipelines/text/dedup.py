"""Paragraph dedup decisions, without Beam: which stored paragraph a new one duplicates, and the article after.

"Earlier" is the total order ParagraphRef = (order_ms, article_id, index), where order_ms is the
publication time (or, without one, the time the message was recorded). A bucket keeps one Cluster per
group of near-duplicates, represented by its earliest paragraph: a new paragraph is compared with the
representatives only. When it duplicates an earlier one it is answered and not stored; when it is
earlier than a stored representative that duplicates it, that representative is answered and the new
paragraph takes its place; otherwise it starts a cluster. Exact copies meet through their key hash
without a pairwise comparison, so a line shared by thousands of articles costs one lookup per copy.
Taken in the total order (the batch run sorts each bucket) the outcome cannot depend on arrival, and
two paragraphs never remove each other.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from pipelines.text.verify import DedupSettings, ParagraphSketch, near_duplicate_similarity, sketch_paragraphs

NO_TIME = -(2 ** 62)
BUCKET_CAP_WARNING = "dedup_bucket_cap"
DEDUP_TRUNCATED = "dedup_truncated"


class ParagraphRef(NamedTuple):
    """A paragraph's place in the total order that decides which of two near-duplicates is earlier."""

    order_ms: int
    article_id: str
    index: int


class IndexedParagraph(NamedTuple):
    """A paragraph as filed in a bucket: where it is in the order, its sketch, and the later of its
    publication and record times (what its expiry counts from)."""

    ref: ParagraphRef
    sketch: ParagraphSketch
    seen_ms: int = NO_TIME


class Match(NamedTuple):
    """`later` is a near-duplicate of `earlier`, with the estimated similarity."""

    later: ParagraphRef
    earlier: ParagraphRef
    similarity: float


class Cluster(NamedTuple):
    """A group of near-duplicates as a bucket keeps it: the earliest paragraph, the latest order time of
    any member (the group stays comparable while copies keep coming), and the latest time seen."""

    first: IndexedParagraph
    last_ms: int
    seen_ms: int

    def expires_ms(self, retention_ms: int) -> int:
        return self.seen_ms + retention_ms


class Filed(NamedTuple):
    """What filing a paragraph in a bucket decided."""

    reply: Match | None
    replaced: list[Match]
    changed: bool


class FiledArticle(NamedTuple):
    """What filing an article decided: the article (with a warning when a limit left work out), its
    (bucket key, paragraph) entries, and how many of its paragraphs a limit left wholly or partly unfiled."""

    article: dict
    entries: list[tuple[int, IndexedParagraph]]
    limited: int


def file_article(article: dict, order_ms: int | None, settings: DedupSettings, seen_ms: int | None = None,
                 ) -> FiledArticle:
    """Every bucket every paragraph of the article is filed in, within what one article may cost.

    Only the paragraphs within the first `settings.article_max_chars` characters are filed; the rest
    are kept as they are. A paragraph whose exact key came earlier in the same article is filed in one
    of its buckets only: there the exact-key lookup meets the earlier copy, as it would in any other.
    Other paragraphs of one article fill at most `settings.article_bucket_cap` places in any one
    bucket; the rest are not filed there (they still are in their other buckets). Either limit puts a
    warning on the article."""
    paragraphs = _within_size(article["paragraphs"], settings.article_max_chars)
    order = NO_TIME if order_ms is None else order_ms
    seen = max(order, NO_TIME if seen_ms is None else seen_ms)
    sketches = sketch_paragraphs([p["text"] for p in paragraphs], settings)
    filed, keys_seen, per_bucket, capped = [], set(), Counter(), 0
    for paragraph, (sketch, buckets) in zip(paragraphs, sketches, strict=True):
        entry = IndexedParagraph(ParagraphRef(order, article["article_id"], paragraph["index"]), sketch, seen)
        if sketch.key_hash in keys_seen:
            filed.append((buckets[0], entry))
            continue
        keys_seen.add(sketch.key_hash)
        kept = [bucket for bucket in buckets if per_bucket[bucket] < settings.article_bucket_cap]
        per_bucket.update(kept)
        capped += len(kept) < len(buckets)
        filed.extend((bucket, entry) for bucket in kept)
    unfiled = len(article["paragraphs"]) - len(paragraphs)
    warnings = []
    if unfiled:
        warnings.append(f"{DEDUP_TRUNCATED}: {unfiled} paragraphs past the first {settings.article_max_chars} "
                        f"characters kept without a duplicate check")
    if capped:
        warnings.append(f"{BUCKET_CAP_WARNING}: {capped} paragraphs over {settings.article_bucket_cap} in one "
                        f"bucket; they were compared in their other buckets only")
    if warnings:
        article = {**article, "warnings": [*(article.get("warnings") or ()), *warnings]}
    return FiledArticle(article, filed, unfiled + capped)


def _within_size(paragraphs: list[dict], max_chars: int) -> list[dict]:
    """The leading paragraphs whose text adds up to at most `max_chars` characters."""
    total = 0
    for position, paragraph in enumerate(paragraphs):
        total += len(paragraph["text"])
        if total > max_chars:
            return paragraphs[:position]
    return paragraphs


def index_article(article: dict, order_ms: int | None, settings: DedupSettings, seen_ms: int | None = None,
                  ) -> list[tuple[int, IndexedParagraph]]:
    """(bucket key, paragraph) for every bucket the paragraphs of the article are filed in."""
    return file_article(article, order_ms, settings, seen_ms).entries


def _first_ref(cluster: Cluster) -> ParagraphRef:
    return cluster.first.ref


class BucketClusters:
    """The clusters of one bucket, sorted by their first paragraph, with an exact-key lookup."""

    def __init__(self, clusters: Iterable[Cluster], settings: DedupSettings, retention_ms: int):
        self.clusters = sorted(clusters, key=_first_ref)
        self.settings = settings
        self.retention_ms = retention_ms
        self.cap = settings.bucket_cap
        self.evicted = 0
        self.compared = 0
        self.by_key = {c.first.sketch.key_hash: c for c in self.clusters}

    def file(self, new: IndexedParagraph) -> Filed:
        """Answer `new` against the clusters and store it when it starts a cluster of its own."""
        exact = self.by_key.get(new.sketch.key_hash)
        if exact is not None and exact.first.ref == new.ref:
            return Filed(None, [], False)  # a redelivered paragraph: already the representative
        found = self._earlier_duplicate(new, exact)
        if found is not None:
            cluster, similarity = found
            grown = cluster._replace(last_ms=max(cluster.last_ms, new.ref.order_ms),
                                     seen_ms=max(cluster.seen_ms, new.seen_ms))
            if grown != cluster:
                self._replace(cluster, grown)
            return Filed(Match(new.ref, cluster.first.ref, similarity), [], grown != cluster)
        started = Cluster(new, new.ref.order_ms, max(new.seen_ms, new.ref.order_ms))
        replaced = []
        for cluster in self.clusters[bisect_right(self.clusters, new.ref, key=_first_ref):]:
            similarity = self._later_duplicate(cluster, new)
            if similarity is None:
                continue
            replaced.append(Match(cluster.first.ref, new.ref, similarity))
            started = started._replace(last_ms=max(started.last_ms, cluster.last_ms),
                                       seen_ms=max(started.seen_ms, cluster.seen_ms))
            self._remove(cluster)
        insort(self.clusters, started, key=_first_ref)
        self.by_key[new.sketch.key_hash] = started
        while len(self.clusters) > self.cap:
            self._evict_oldest()
        return Filed(None, replaced, True)

    def _earlier_duplicate(self, new: IndexedParagraph, exact: Cluster | None) -> tuple[Cluster, float] | None:
        """The earliest cluster before `new` that it duplicates, within retention (an exact key first)."""
        if exact is not None and exact.first.ref < new.ref and self._within(new.ref.order_ms, exact):
            return exact, 1.0
        for cluster in self.clusters:
            if cluster.first.ref >= new.ref:
                break
            if not self._within(new.ref.order_ms, cluster):
                continue
            self.compared += 1
            similarity = near_duplicate_similarity(new.sketch, cluster.first.sketch, self.settings)
            if similarity is not None:
                return cluster, similarity
        return None

    def _later_duplicate(self, cluster: Cluster, new: IndexedParagraph) -> float | None:
        """The similarity when the cluster's first paragraph is later than `new` and duplicates it."""
        first = cluster.first
        if first.ref <= new.ref or first.ref.order_ms - new.ref.order_ms > self.retention_ms:
            return None
        self.compared += 1
        return near_duplicate_similarity(first.sketch, new.sketch, self.settings)

    def _within(self, order_ms: int, cluster: Cluster) -> bool:
        return order_ms - cluster.last_ms <= self.retention_ms

    def _position(self, cluster: Cluster) -> int:
        return bisect_left(self.clusters, cluster.first.ref, key=_first_ref)

    def _replace(self, old: Cluster, new: Cluster) -> None:
        self.clusters[self._position(old)] = new
        if self.by_key.get(old.first.sketch.key_hash) is old:
            self.by_key[old.first.sketch.key_hash] = new

    def _remove(self, cluster: Cluster) -> None:
        del self.clusters[self._position(cluster)]
        key = cluster.first.sketch.key_hash
        if self.by_key.get(key) is cluster:
            del self.by_key[key]
            for other in self.clusters:
                if other.first.sketch.key_hash == key:
                    self.by_key[key] = other

    def _evict_oldest(self) -> None:
        """Drop the cluster seen least recently (the cap: no bucket grows without bound)."""
        self._remove(min(self.clusters, key=lambda c: (c.seen_ms, c.first.ref)))
        self.evicted += 1

    def expire(self, now_ms: int) -> int:
        """Drop clusters whose expiry (last seen + retention) is at or before `now_ms`; how many were dropped."""
        expired = [c for c in self.clusters if c.expires_ms(self.retention_ms) <= now_ms]
        for cluster in expired:
            self._remove(cluster)
        return len(expired)

    def drop_stale(self, order_ms: int) -> None:
        """Drop clusters no paragraph at or after `order_ms` can match (the batch walks in order)."""
        stale = [c for c in self.clusters if order_ms - c.last_ms > self.retention_ms]
        for cluster in stale:
            self._remove(cluster)

    def next_expiry_ms(self) -> int | None:
        return min((c.expires_ms(self.retention_ms) for c in self.clusters), default=None)


def matches_in_group(entries: Iterable[IndexedParagraph], settings: DedupSettings, retention_ms: int,
                     ) -> tuple[list[Match], BucketClusters]:
    """The matches of one bucket whose paragraphs are all known (batch): filed one at a time in the total
    order, so every reply names a cluster's earliest paragraph and none is ever replaced."""
    bucket = BucketClusters((), settings, retention_ms)
    matches: list[Match] = []
    next_sweep = NO_TIME
    for entry in sorted(set(entries), key=lambda e: e.ref):
        if entry.ref.order_ms >= next_sweep:
            bucket.drop_stale(entry.ref.order_ms)
            next_sweep = entry.ref.order_ms + max(1, retention_ms // 4)
        filed = bucket.file(entry)
        if filed.reply is not None:
            matches.append(filed.reply)
        matches.extend(filed.replaced)
    return matches, bucket


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
