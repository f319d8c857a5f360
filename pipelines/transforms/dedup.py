"""Dedup stage: articles in, the same articles out with near-duplicate paragraphs moved to removed_paragraphs.

The story of the stage in streaming (`Dedup.expand`):
  1. FileInBuckets: each article is timestamped with its publication time (when it has one) and every
     paragraph is sketched and filed under its bucket keys (LSH bands, exact key, short-paragraph keys).
  2. MatchInBuckets: a stateful DoFn keyed by bucket compares each arriving paragraph with the ones
     already in the bucket (in Beam state, so the index spreads over workers). It answers the paragraph
     with the earlier paragraphs it duplicates, and tells stored paragraphs that a newly arrived, earlier
     one duplicates them. Entries expire by event-time timers after the retention window.
  3. Assemble: a stateful DoFn keyed by article id holds the article until (a) the watermark has passed
     its event time, so every earlier paragraph that was on time has been filed, and (b) every bucket
     has answered; then it writes the article once, with its removed paragraphs.
Late data (an article behind the watermark) is still compared with what the buckets hold and written
as soon as its buckets have answered. An earlier paragraph that arrives after its duplicate's article
was written cannot retract it; that is counted in `dedup.late_matches`.

In batch the whole input is known, so step 2 and 3 become a GroupByKey per bucket (every pair of a
bucket compared once, in the total order, by the same match_in_bucket) and a CoGroupByKey per article:
the same matches, without per-element state access (on the local FnApiRunner every state access
measures the cached value with objsize, about a millisecond each here).
"""
from __future__ import annotations

import logging

import apache_beam as beam
from apache_beam.coders import BooleanCoder, PickleCoder, VarIntCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import (
    BagStateSpec,
    ReadModifyWriteStateSpec,
    TimerSpec,
    on_timer,
)
from apache_beam.utils.timestamp import MIN_TIMESTAMP, Timestamp

from pipelines.text.dedup import (
    IndexedParagraph,
    apply_matches,
    index_article,
    match_in_bucket,
    matches_in_group,
)
from pipelines.text.verify import DedupSettings
from pipelines.transforms.stage import METRICS_NAMESPACE

LOG = logging.getLogger(__name__)
ARTICLE, REPLY, MATCH = "article", "reply", "match"
BUCKETS = "buckets"


def event_ms(article: dict, timestamp: Timestamp) -> int | None:
    """Publication time in ms, else the element's own timestamp (a Kafka record time), else None."""
    if article.get("published_at") is not None:
        return int(article["published_at"])
    if timestamp is not None and timestamp > MIN_TIMESTAMP:
        return timestamp.micros // 1000
    return None


class FileInBuckets(beam.DoFn):
    """Article -> (article_id, article message) and, tagged `buckets`, (bucket key, paragraph) per bucket."""

    def __init__(self, settings: DedupSettings):
        self.settings = settings
        self.articles = Metrics.counter(METRICS_NAMESPACE, "dedup.in")
        self.paragraphs = Metrics.counter(METRICS_NAMESPACE, "dedup.paragraphs")
        self.errors = Metrics.counter(METRICS_NAMESPACE, "dedup.errors")

    def process(self, article: dict, timestamp=beam.DoFn.TimestampParam):
        self.articles.inc()
        order_ms = event_ms(article, timestamp)
        if article.get("published_at") is not None:
            timestamp = Timestamp(micros=int(article["published_at"]) * 1000)
        try:
            filed = index_article(article, order_ms, self.settings)
        except Exception as e:  # noqa: BLE001 - the article is written unchanged rather than lost
            self.errors.inc()
            LOG.warning("dedup skipped article %s: %s: %s", article.get("article_id"), type(e).__name__, e)
            warnings = [*article.get("warnings", []), f"dedup skipped: {type(e).__name__}: {e}"]
            filed, article = [], {**article, "warnings": warnings}
        self.paragraphs.inc(len(article["paragraphs"]))
        yield beam.window.TimestampedValue((article["article_id"], (ARTICLE, article, len(filed))), timestamp)
        for bucket, entry in filed:
            yield beam.pvalue.TaggedOutput(BUCKETS, beam.window.TimestampedValue((bucket, entry), timestamp))


# State and timers of MatchInBuckets (one set per bucket key), and the parameters that bind them.
ENTRIES = BagStateSpec("entries", PickleCoder())
NEXT_EXPIRY = ReadModifyWriteStateSpec("next_expiry", VarIntCoder())
EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)
ENTRIES_STATE = beam.DoFn.StateParam(ENTRIES)
NEXT_EXPIRY_STATE = beam.DoFn.StateParam(NEXT_EXPIRY)
EXPIRY_TIMER = beam.DoFn.TimerParam(EXPIRY)

# State and timers of AssembleArticle (one set per article id).
ARTICLES = BagStateSpec("articles", PickleCoder())
MATCHES = BagStateSpec("matches", PickleCoder())
EXPECTED = ReadModifyWriteStateSpec("expected", VarIntCoder())
ANSWERED = ReadModifyWriteStateSpec("answered", VarIntCoder())
SETTLED = ReadModifyWriteStateSpec("settled", BooleanCoder())
WRITTEN = ReadModifyWriteStateSpec("written", BooleanCoder())
SETTLE = TimerSpec("settle", TimeDomain.WATERMARK)
FORGET = TimerSpec("forget", TimeDomain.WATERMARK)
ARTICLES_STATE = beam.DoFn.StateParam(ARTICLES)
MATCHES_STATE = beam.DoFn.StateParam(MATCHES)
EXPECTED_STATE = beam.DoFn.StateParam(EXPECTED)
ANSWERED_STATE = beam.DoFn.StateParam(ANSWERED)
SETTLED_STATE = beam.DoFn.StateParam(SETTLED)
WRITTEN_STATE = beam.DoFn.StateParam(WRITTEN)
SETTLE_TIMER = beam.DoFn.TimerParam(SETTLE)
FORGET_TIMER = beam.DoFn.TimerParam(FORGET)


class MatchInBuckets(beam.DoFn):
    """Keyed by bucket: compares each new paragraph with the stored ones; expires entries by event time."""

    def __init__(self, settings: DedupSettings, retention_ms: int):
        self.settings = settings
        self.retention_ms = retention_ms
        self.compared = Metrics.counter(METRICS_NAMESPACE, "dedup.compared")
        self.matched = Metrics.counter(METRICS_NAMESPACE, "dedup.matches")
        self.expired = Metrics.counter(METRICS_NAMESPACE, "dedup.expired_entries")

    def process(self, element, timestamp=beam.DoFn.TimestampParam,
                entries=ENTRIES_STATE, next_expiry=NEXT_EXPIRY_STATE,
                expiry=EXPIRY_TIMER):
        _, new = element
        stored = [entry for _, entry in entries.read()]
        self.compared.inc(len(stored))
        new_is_later, stored_is_later, already_filed = match_in_bucket(
            new, stored, self.settings, self.retention_ms)
        self.matched.inc(len(new_is_later) + len(stored_is_later))
        yield new.ref.article_id, (REPLY, new_is_later)
        for match in stored_is_later:
            yield match.later.article_id, (MATCH, match)
        if already_filed:
            return
        expires_ms = timestamp.micros // 1000 + self.retention_ms
        entries.add((expires_ms, new))
        current = next_expiry.read()
        if current is None or expires_ms < current:
            next_expiry.write(expires_ms)
            expiry.set(Timestamp(micros=expires_ms * 1000))

    @on_timer(EXPIRY)
    def expire(self, fired=beam.DoFn.TimestampParam, entries=ENTRIES_STATE,
               next_expiry=NEXT_EXPIRY_STATE, expiry=EXPIRY_TIMER):
        fired_ms = fired.micros // 1000
        kept: list[tuple[int, IndexedParagraph]] = []
        dropped = 0
        for expires_ms, entry in entries.read():
            if expires_ms > fired_ms:
                kept.append((expires_ms, entry))
            else:
                dropped += 1
        self.expired.inc(dropped)
        entries.clear()
        next_expiry.clear()
        for item in kept:
            entries.add(item)
        if kept:
            soonest = min(expires_ms for expires_ms, _ in kept)
            next_expiry.write(soonest)
            expiry.set(Timestamp(micros=soonest * 1000))


class AssembleArticle(beam.DoFn):
    """Keyed by article id: writes the article once the watermark passed it and all its buckets answered."""

    def __init__(self, retention_ms: int):
        self.retention_ms = retention_ms
        self.written = Metrics.counter(METRICS_NAMESPACE, "dedup.out")
        self.removed = Metrics.counter(METRICS_NAMESPACE, "dedup.removed_paragraphs")
        self.late = Metrics.counter(METRICS_NAMESPACE, "dedup.late_matches")

    def process(self, element, timestamp=beam.DoFn.TimestampParam,
                articles=ARTICLES_STATE, matches=MATCHES_STATE,
                expected=EXPECTED_STATE, answered=ANSWERED_STATE,
                settled=SETTLED_STATE, written=WRITTEN_STATE,
                settle=SETTLE_TIMER, forget=FORGET_TIMER):
        _, message = element
        kind = message[0]
        if kind == ARTICLE:
            written.clear()
            articles.add(message[1])
            expected.write((expected.read() or 0) + message[2])
            settle.set(timestamp)
        elif written.read():
            self.late.inc(len(message[1]) if kind == REPLY else 1)
            return
        elif kind == REPLY:
            answered.write((answered.read() or 0) + 1)
            for match in message[1]:
                matches.add(match)
        else:
            matches.add(message[1])
        if settled.read():
            yield from self._write_when_answered(articles, matches, expected, answered, settled, written, forget,
                                                 timestamp)

    @on_timer(SETTLE)
    def on_settled(self, fired=beam.DoFn.TimestampParam,
                   articles=ARTICLES_STATE, matches=MATCHES_STATE,
                   expected=EXPECTED_STATE, answered=ANSWERED_STATE,
                   settled=SETTLED_STATE, written=WRITTEN_STATE,
                   forget=FORGET_TIMER):
        settled.write(True)
        yield from self._write_when_answered(articles, matches, expected, answered, settled, written, forget, fired)

    @on_timer(FORGET)
    def on_forget(self, written=WRITTEN_STATE):
        written.clear()

    def _write_when_answered(self, articles, matches, expected, answered, settled, written, forget, timestamp):
        pending = list(articles.read())
        if not pending or (answered.read() or 0) < (expected.read() or 0):
            return
        found = list(matches.read())
        for article in pending:
            deduped = apply_matches(article, found)
            self.written.inc()
            self.removed.inc(len(deduped["removed_paragraphs"]))
            yield beam.window.TimestampedValue(deduped, timestamp)
        for state in (articles, matches, expected, answered, settled):
            state.clear()
        written.write(True)
        forget.set(Timestamp(micros=timestamp.micros + self.retention_ms * 1000))


class MatchBucketGroup(beam.DoFn):
    """Batch: (bucket, all its paragraphs) -> (later article id, match) for every near-duplicate pair."""

    def __init__(self, settings: DedupSettings, retention_ms: int):
        self.settings = settings
        self.retention_ms = retention_ms
        self.compared = Metrics.counter(METRICS_NAMESPACE, "dedup.compared")
        self.matched = Metrics.counter(METRICS_NAMESPACE, "dedup.matches")

    def process(self, element):
        _, entries = element
        entries = list(entries)
        self.compared.inc(len(entries) * (len(entries) - 1) // 2)
        matches = matches_in_group(entries, self.settings, self.retention_ms)
        self.matched.inc(len(matches))
        for match in matches:
            yield match.later.article_id, match


class ApplyMatches(beam.DoFn):
    """Batch: (article id, {articles, matches}) -> each article with its removed paragraphs."""

    def __init__(self):
        self.written = Metrics.counter(METRICS_NAMESPACE, "dedup.out")
        self.removed = Metrics.counter(METRICS_NAMESPACE, "dedup.removed_paragraphs")

    def process(self, element):
        _, grouped = element
        matches = list(grouped["matches"])
        for article in grouped["articles"]:
            deduped = apply_matches(article, matches)
            self.written.inc()
            self.removed.inc(len(deduped["removed_paragraphs"]))
            yield deduped


class Dedup(beam.PTransform):
    """Article dicts -> the same articles with near-duplicate paragraphs moved to `removed_paragraphs`."""

    def __init__(self, settings: DedupSettings | None = None, retention_seconds: float = 7 * 24 * 3600,
                 streaming: bool = False):
        super().__init__()
        self.settings = settings or DedupSettings()
        self.retention_ms = int(retention_seconds * 1000)
        self.streaming = streaming

    def expand(self, articles):
        filed = articles | "FileInBuckets" >> beam.ParDo(FileInBuckets(self.settings)).with_outputs(
            BUCKETS, main="articles")
        if self.streaming:
            answers = filed[BUCKETS] | "MatchInBuckets" >> beam.ParDo(
                MatchInBuckets(self.settings, self.retention_ms))
            return (
                (filed.articles, answers)
                | "Merge" >> beam.Flatten()
                | "Assemble" >> beam.ParDo(AssembleArticle(self.retention_ms))
            )
        matches = (
            filed[BUCKETS]
            | "GroupByBucket" >> beam.GroupByKey()
            | "MatchBuckets" >> beam.ParDo(MatchBucketGroup(self.settings, self.retention_ms))
        )
        keyed_articles = filed.articles | "ArticleById" >> beam.MapTuple(lambda article_id, m: (article_id, m[1]))
        return (
            {"articles": keyed_articles, "matches": matches}
            | "GroupByArticle" >> beam.CoGroupByKey()
            | "ApplyMatches" >> beam.ParDo(ApplyMatches())
        )
