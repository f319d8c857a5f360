"""Dedup stage: articles in, the same articles out with near-duplicate paragraphs moved to removed_paragraphs.

The story of the stage in streaming (`Dedup.expand`):
  1. FileInBuckets: every paragraph is sketched and filed under its bucket keys (LSH bands, exact key,
     short-paragraph keys). Elements keep their own timestamp, the Kafka record time; the order that
     decides which copy is earlier is the publication time (the record time without one).
  2. MatchInBuckets: a stateful DoFn keyed by bucket holds one Cluster per group of near-duplicates
     (pipelines.text.dedup.BucketClusters) and answers each arriving paragraph against them: a copy is
     answered and not stored, an earlier copy replaces the stored one and that one is told it is a
     duplicate. A bucket holds at most `bucket_cap` clusters (the least recently seen go first). A
     cluster expires `retention` after the later of the publication and record times of its newest
     member, by event-time timers rounded up to EXPIRY_STEP_MS so one rewrite drops many.
  3. Assemble: a stateful DoFn keyed by article id holds the article until every bucket has answered
     and either the watermark has passed its record time (every paragraph recorded before it has been
     filed) or `max_wait` of processing time has gone by (a stalled watermark never holds it for ever).
State is written with the versioned layouts of pipelines.text.dedup_state, not pickled classes.
An earlier paragraph that arrives after its duplicate's article was written cannot retract it; that is
counted in `dedup.late_matches`.

In batch the whole input is known, so steps 2 and 3 become a GroupByKey per bucket (the bucket's
paragraphs filed in the total order by the same BucketClusters) and a CoGroupByKey per article.
"""
from __future__ import annotations

import logging
from typing import Any

import apache_beam as beam
from apache_beam.coders import Coder, VarIntCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import (
    BagStateSpec,
    ReadModifyWriteStateSpec,
    TimerSpec,
    on_timer,
)
from apache_beam.utils.timestamp import MIN_TIMESTAMP, Duration, Timestamp

from pipelines.records import RejectedInput, as_article, epoch_ms
from pipelines.runners import keep_keys_in_one_bundle
from pipelines.text import dedup_state
from pipelines.text.dedup import (
    NO_TIME,
    BucketClusters,
    apply_matches,
    file_article,
    matches_in_group,
)
from pipelines.text.verify import DedupSettings
from pipelines.transforms.stage import DEAD_LETTERS, METRICS_NAMESPACE, StageOutputs, dead_letter_for

LOG = logging.getLogger(__name__)
ARTICLE, REPLY, MATCH = "article", "reply", "match"
BUCKETS = "buckets"
STAGE = "dedup"
EXPIRY_STEP_MS = 3600 * 1000


def record_ms(timestamp: Timestamp | None) -> int | None:
    """The element's timestamp (the Kafka record time) in ms, None when the element has none."""
    if timestamp is not None and timestamp > MIN_TIMESTAMP:
        return timestamp.micros // 1000
    return None


def event_ms(article: dict, timestamp: Timestamp | None) -> int | None:
    """The order time: publication time in ms (a datetime when read back from Avro), else the Kafka record
    time, else None."""
    if article.get("published_at") is not None:
        return int(epoch_ms(article["published_at"]))
    return record_ms(timestamp)


class ClustersCoder(Coder):
    """A bucket's clusters in dedup_state's versioned layout."""

    def encode(self, value):
        return dedup_state.encode_clusters(value)

    def decode(self, encoded):
        return dedup_state.decode_clusters(encoded)


class MatchCoder(Coder):
    """A match in dedup_state's versioned layout."""

    def encode(self, value):
        return dedup_state.encode_match(value)

    def decode(self, encoded):
        return dedup_state.decode_match(encoded)


class ArticleCoder(Coder):
    """(article, record time in ms) in dedup_state's versioned layout."""

    def encode(self, value):
        return dedup_state.encode_article(*value)

    def decode(self, encoded):
        return dedup_state.decode_article(encoded)


class FileInBuckets(beam.DoFn):
    """Article -> (article_id, article message) and, tagged `buckets`, (bucket key, paragraph) per bucket;
    anything that is not an article record -> a dead letter tagged `dead_letters`."""

    def __init__(self, settings: DedupSettings):
        self.settings = settings
        self.articles = Metrics.counter(METRICS_NAMESPACE, "dedup.in")
        self.paragraphs = Metrics.counter(METRICS_NAMESPACE, "dedup.paragraphs")
        self.errors = Metrics.counter(METRICS_NAMESPACE, "dedup.errors")
        self.limited = Metrics.counter(METRICS_NAMESPACE, "dedup.paragraphs_limited")
        self.rejected = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}.{DEAD_LETTERS}")

    def process(self, record: dict, timestamp=beam.DoFn.TimestampParam):
        self.articles.inc()
        try:
            article = as_article(record)
        except RejectedInput as e:
            self.rejected.inc()
            Metrics.counter(METRICS_NAMESPACE, f"{DEAD_LETTERS}.{e.code}").inc()
            yield beam.pvalue.TaggedOutput(DEAD_LETTERS, dead_letter_for(record, STAGE, e.code, e.message))
            return
        try:
            article, filed, limited = file_article(article, event_ms(article, timestamp), self.settings,
                                                   record_ms(timestamp))
            self.limited.inc(limited)
        except Exception as e:  # noqa: BLE001 - the article is written unchanged rather than lost
            self.errors.inc()
            LOG.warning("dedup skipped article %s: %s: %s", article.get("article_id"), type(e).__name__, e)
            warnings = [*article.get("warnings", []), f"dedup skipped: {type(e).__name__}: {e}"]
            filed, article = [], {**article, "warnings": warnings}
        self.paragraphs.inc(len(article["paragraphs"]))
        yield article["article_id"], (ARTICLE, article, len(filed))
        for bucket, entry in filed:
            yield beam.pvalue.TaggedOutput(BUCKETS, (bucket, entry))


# State and timers of MatchInBuckets (one set per bucket key), and the parameters that bind them. Every state
# access is a request to the runner (Prism gives the SDK no cache tokens), so each element reads one state
# and writes it at most once; the expiry timer is simply set again for the soonest cluster.
CLUSTERS = ReadModifyWriteStateSpec("clusters", ClustersCoder())
EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)
CLUSTERS_STATE = beam.DoFn.StateParam(CLUSTERS)
EXPIRY_TIMER = beam.DoFn.TimerParam(EXPIRY)

# State and timers of AssembleArticle (one set per article id). Bucket answers and expected counts are
# appended (a blind write, no read) and summed only once the article may go; the phase is the one value read
# per answer.
PENDING, SETTLED, WRITTEN = 0, 1, 2
ARTICLES = BagStateSpec("articles", ArticleCoder())
MATCHES = BagStateSpec("matches", MatchCoder())
EXPECTED = BagStateSpec("expected_answers", VarIntCoder())
ANSWERS = BagStateSpec("answers", VarIntCoder())
PHASE = ReadModifyWriteStateSpec("phase", VarIntCoder())
SETTLE = TimerSpec("settle", TimeDomain.WATERMARK)
MAX_WAIT = TimerSpec("max_wait", TimeDomain.REAL_TIME)
FORGET = TimerSpec("forget", TimeDomain.WATERMARK)
ARTICLES_STATE = beam.DoFn.StateParam(ARTICLES)
MATCHES_STATE = beam.DoFn.StateParam(MATCHES)
EXPECTED_STATE = beam.DoFn.StateParam(EXPECTED)
ANSWERS_STATE = beam.DoFn.StateParam(ANSWERS)
PHASE_STATE = beam.DoFn.StateParam(PHASE)
SETTLE_TIMER = beam.DoFn.TimerParam(SETTLE)
MAX_WAIT_TIMER = beam.DoFn.TimerParam(MAX_WAIT)
FORGET_TIMER = beam.DoFn.TimerParam(FORGET)


def expiry_slot(expires_ms: int, retention_ms: int) -> int:
    """The expiry time rounded up to a whole step (EXPIRY_STEP_MS, or the retention when that is shorter), so
    clusters expiring close together go in one firing (a cluster may outlive its retention by up to one
    step; comparisons check retention exactly)."""
    step = max(1, min(EXPIRY_STEP_MS, retention_ms))
    return -(-expires_ms // step) * step


class MatchInBuckets(beam.DoFn):
    """Keyed by bucket: answers each new paragraph against the bucket's clusters; expires them by event time."""

    def __init__(self, settings: DedupSettings, retention_ms: int):
        self.settings = settings
        self.retention_ms = retention_ms
        self.compared = Metrics.counter(METRICS_NAMESPACE, "dedup.compared")
        self.matched = Metrics.counter(METRICS_NAMESPACE, "dedup.matches")
        self.expired = Metrics.counter(METRICS_NAMESPACE, "dedup.expired_clusters")
        self.evicted = Metrics.counter(METRICS_NAMESPACE, "dedup.evicted_clusters")

    def process(self, element, clusters=CLUSTERS_STATE, expiry=EXPIRY_TIMER):
        _, new = element
        bucket = BucketClusters(clusters.read() or (), self.settings, self.retention_ms)
        filed = bucket.file(new)
        self.compared.inc(bucket.compared)
        self.evicted.inc(bucket.evicted)
        replies = [filed.reply] if filed.reply is not None else []
        self.matched.inc(len(replies) + len(filed.replaced))
        yield new.ref.article_id, (REPLY, replies)
        for match in filed.replaced:
            yield match.later.article_id, (MATCH, match)
        if filed.changed:
            clusters.write(bucket.clusters)
            self._schedule(bucket, expiry)

    @on_timer(EXPIRY)
    def expire(self, fired=beam.DoFn.TimestampParam, clusters=CLUSTERS_STATE, expiry=EXPIRY_TIMER):
        bucket = BucketClusters(clusters.read() or (), self.settings, self.retention_ms)
        self.expired.inc(bucket.expire(fired.micros // 1000))
        if bucket.clusters:
            clusters.write(bucket.clusters)
            self._schedule(bucket, expiry)
        else:
            clusters.clear()

    def _schedule(self, bucket: BucketClusters, expiry) -> None:
        """Sets the bucket's one expiry timer (setting it again replaces it) to the soonest cluster's slot."""
        soonest = bucket.next_expiry_ms()
        if soonest is not None:
            expiry.set(Timestamp(micros=expiry_slot(soonest, self.retention_ms) * 1000))


class AssembleArticle(beam.DoFn):
    """Keyed by article id: writes the article once all its buckets answered and either the watermark passed
    its record time or `max_wait` of processing time went by."""

    def __init__(self, retention_ms: int, max_wait_seconds: float):
        self.retention_ms = retention_ms
        self.max_wait = Duration(seconds=max_wait_seconds)
        self.written = Metrics.counter(METRICS_NAMESPACE, "dedup.out")
        self.removed = Metrics.counter(METRICS_NAMESPACE, "dedup.removed_paragraphs")
        self.late = Metrics.counter(METRICS_NAMESPACE, "dedup.late_matches")
        self.waited = Metrics.counter(METRICS_NAMESPACE, "dedup.released_by_max_wait")
        self.unanswered = Metrics.counter(METRICS_NAMESPACE, "dedup.unanswered_at_max_wait")

    def process(self, element, timestamp=beam.DoFn.TimestampParam,
                articles=ARTICLES_STATE, matches=MATCHES_STATE, expected=EXPECTED_STATE, answers=ANSWERS_STATE,
                phase=PHASE_STATE, settle=SETTLE_TIMER, max_wait=MAX_WAIT_TIMER, forget=FORGET_TIMER):
        _, message = element
        kind, now = message[0], phase.read() or PENDING
        if kind == ARTICLE:
            if now == WRITTEN:
                phase.clear()
                now = PENDING
            articles.add((message[1], timestamp.micros // 1000))
            expected.add(message[2])
            settle.set(timestamp)
            max_wait.set(Timestamp.now() + self.max_wait)
        elif now == WRITTEN:
            self.late.inc(len(message[1]) if kind == REPLY else 1)
            return
        elif kind == REPLY:
            answers.add(1)
            for match in message[1]:
                matches.add(match)
        else:
            matches.add(message[1])
        if now == SETTLED:
            yield from self._write_when_answered(articles, matches, expected, answers, phase, forget)

    @on_timer(SETTLE)
    def on_settled(self, articles=ARTICLES_STATE, matches=MATCHES_STATE, expected=EXPECTED_STATE,
                   answers=ANSWERS_STATE, phase=PHASE_STATE, forget=FORGET_TIMER):
        yield from self._settle(articles, matches, expected, answers, phase, forget)

    @on_timer(MAX_WAIT)
    def on_max_wait(self, articles=ARTICLES_STATE, matches=MATCHES_STATE, expected=EXPECTED_STATE,
                    answers=ANSWERS_STATE, phase=PHASE_STATE, forget=FORGET_TIMER):
        if not list(expected.read()):
            return
        if phase.read() != SETTLED:
            self.waited.inc()
        yield from self._settle(articles, matches, expected, answers, phase, forget)
        if phase.read() != WRITTEN:
            # the max wait releases a stalled watermark, not missing answers: say so rather than hold silently
            self.unanswered.inc()
            LOG.warning("dedup holds %s past the max wait: %d of %d bucket answers counted",
                        [article["article_id"] for article, _ in articles.read()], sum(answers.read()),
                        sum(expected.read()))

    @on_timer(FORGET)
    def on_forget(self, phase=PHASE_STATE):
        phase.clear()

    def _settle(self, articles, matches, expected, answers, phase, forget):
        """The first of the two timers lets the article go as soon as it is answered; the second finds
        nothing held (an article's expected count is added on arrival and cleared when it is written) and
        leaves no state behind."""
        if not list(expected.read()):
            return
        phase.write(SETTLED)
        yield from self._write_when_answered(articles, matches, expected, answers, phase, forget)

    def _write_when_answered(self, articles, matches, expected, answers, phase, forget):
        """Writes the held article once every bucket has answered; the counts are read first, as answers
        arriving after the settle timer usually find some still missing and the article is the larger state."""
        if sum(answers.read()) < sum(expected.read()):
            return
        pending = list(articles.read())
        if not pending:
            return
        found = list(matches.read())
        latest_ms = NO_TIME
        for article, record_time_ms in pending:
            deduped = apply_matches(article, found)
            self.written.inc()
            self.removed.inc(len(deduped["removed_paragraphs"]))
            latest_ms = max(latest_ms, record_time_ms)
            yield beam.window.TimestampedValue(deduped, Timestamp(micros=record_time_ms * 1000))
        for state in (articles, matches, expected, answers):
            state.clear()
        phase.write(WRITTEN)
        forget.set(Timestamp(micros=(latest_ms + self.retention_ms) * 1000))


class MatchBucketGroup(beam.DoFn):
    """Batch: (bucket, all its paragraphs) -> (later article id, match) for every paragraph found a duplicate."""

    def __init__(self, settings: DedupSettings, retention_ms: int):
        self.settings = settings
        self.retention_ms = retention_ms
        self.compared = Metrics.counter(METRICS_NAMESPACE, "dedup.compared")
        self.matched = Metrics.counter(METRICS_NAMESPACE, "dedup.matches")
        self.evicted = Metrics.counter(METRICS_NAMESPACE, "dedup.evicted_clusters")

    def process(self, element):
        _, entries = element
        matches, bucket = matches_in_group(entries, self.settings, self.retention_ms)
        self.compared.inc(bucket.compared)
        self.evicted.inc(bucket.evicted)
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
    """Article dicts (from Normalize, or read back from our Avro output) -> outputs `records`: the same
    articles with near-duplicate paragraphs moved to `removed_paragraphs`, and `dead_letters` for elements
    that are not article records."""

    def __init__(self, settings: DedupSettings | None = None, retention_seconds: float = 7 * 24 * 3600,
                 streaming: bool = False):
        super().__init__()
        self.settings = settings or DedupSettings()
        self.retention_ms = int(retention_seconds * 1000)
        self.streaming = streaming

    def expand(self, articles: beam.PCollection) -> StageOutputs:
        filed = articles | "FileInBuckets" >> beam.ParDo(FileInBuckets(self.settings)).with_input_types(
            dict[str, Any]).with_outputs(BUCKETS, DEAD_LETTERS, main="articles")
        return StageOutputs(self._deduplicated(filed), filed[DEAD_LETTERS])

    def _deduplicated(self, filed) -> beam.PCollection:
        if self.streaming:
            keep_keys_in_one_bundle(filed.articles.pipeline)
            answers = filed[BUCKETS] | "MatchInBuckets" >> beam.ParDo(
                MatchInBuckets(self.settings, self.retention_ms))
            return (
                (filed.articles, answers)
                | "Merge" >> beam.Flatten()
                | "Assemble" >> beam.ParDo(AssembleArticle(self.retention_ms, self.settings.max_wait_seconds))
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
