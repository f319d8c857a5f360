"""ExtractEvents stage: article records -> event records (schemas/event.avsc), with spaCy loaded once per
worker and paragraphs parsed in batches across the articles of a bundle."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.utils.windowed_value import WindowedValue

from pipelines.events.batch import ArticleResult, EventBatcher
from pipelines.events.nlp import DEFAULT_MODEL, load_pipeline
from pipelines.records import RejectedInput, as_article
from pipelines.transforms.stage import DEAD_LETTERS, METRICS_NAMESPACE, dead_letter_for

STAGE = "events"
ARTICLES = "articles"


@dataclass(frozen=True)
class EventSettings:
    """Which installed spaCy model to use and how many paragraphs go through nlp.pipe at once."""

    model: str = DEFAULT_MODEL
    batch_size: int = 64


class ExtractEventsFn(beam.DoFn):
    """Buffers the articles of a bundle, parses their paragraphs in batches, emits events and dead letters
    in each article's own window and timestamp.

    With `per_article`, emits instead one (article, events, dead letter or None) per article, skipped
    languages included: what the streaming sink writes together (pipelines/transforms/write.py)."""

    def __init__(self, settings: EventSettings, per_article: bool = False):
        self.settings = settings
        self.per_article = per_article
        self.received = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}.in")
        self.emitted = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}.out")
        self.rejected = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}.{DEAD_LETTERS}")
        self.skipped = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}.skipped_language")
        self.paragraphs = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}.paragraphs_parsed")
        self.words_not_parsed = Metrics.counter(METRICS_NAMESPACE, f"{STAGE}.words_not_parsed")
        self.nlp = None
        self.batcher: EventBatcher | None = None

    def setup(self):
        self.nlp = load_pipeline(self.settings.model)
        self.batcher = EventBatcher(self.nlp, self.settings.batch_size)

    def process(self, record: dict, timestamp=beam.DoFn.TimestampParam, window=beam.DoFn.WindowParam):
        self.received.inc()
        try:
            article = as_article(record)
        except RejectedInput as e:
            yield from self._emit([ArticleResult(record, (timestamp, window), error=(e.code, e.message))])
            return
        language = article.get("language")
        if language and language.split("-")[0].lower() != self.nlp.lang:
            self.skipped.inc()
            Metrics.counter(METRICS_NAMESPACE, f"{STAGE}.skipped_language.{language}").inc()
            if self.per_article:
                yield WindowedValue((article, [], None), timestamp, [window])
            else:
                yield beam.pvalue.TaggedOutput(ARTICLES, WindowedValue(article, timestamp, [window]))
            return
        self.paragraphs.inc(len(article.get("paragraphs") or ()))
        yield from self._emit(self.batcher.add(article, (timestamp, window)))

    def finish_bundle(self):
        yield from self._emit(self.batcher.flush())

    def _emit(self, results):
        for result in results:
            self.words_not_parsed.inc(result.skipped_words)
            timestamp, window = result.context
            if result.error is not None:
                code, message = result.error
                self.rejected.inc()
                Metrics.counter(METRICS_NAMESPACE, f"{DEAD_LETTERS}.{code}").inc()
                record = dead_letter_for(result.article, STAGE, code, message)
                if self.per_article:
                    yield WindowedValue((result.article, [], record), timestamp, [window])
                else:
                    yield beam.pvalue.TaggedOutput(DEAD_LETTERS, WindowedValue(record, timestamp, [window]))
                continue
            for event in result.events:
                self.emitted.inc()
                Metrics.counter(METRICS_NAMESPACE, f"{STAGE}.type.{event['event_type']}").inc()
            if self.per_article:
                yield WindowedValue((result.article, result.events, None), timestamp, [window])
            else:
                for event in result.events:
                    yield WindowedValue(event, timestamp, [window])
                yield beam.pvalue.TaggedOutput(ARTICLES, WindowedValue(result.article, timestamp, [window]))


class EventOutputs(NamedTuple):
    """The stage's outputs: `records` and `dead_letters` as every stage, and `articles`, the articles that
    passed (their events extracted, or their language skipped). An article whose extraction failed is in
    `dead_letters` only, so each message read is written once: as an article or as a dead letter."""

    records: beam.PCollection
    dead_letters: beam.PCollection
    articles: beam.PCollection


class ExtractEvents(beam.PTransform):
    """Article records (from Dedup, or read back from our Avro output) -> EventOutputs; with `per_article`,
    one (article, events, dead letter or None) per article instead."""

    def __init__(self, settings: EventSettings | None = None, per_article: bool = False):
        super().__init__()
        self.settings = settings or EventSettings()
        self.per_article = per_article

    def expand(self, articles: beam.PCollection) -> EventOutputs | beam.PCollection:
        extract = beam.ParDo(ExtractEventsFn(self.settings, self.per_article)).with_input_types(dict[str, Any])
        if self.per_article:
            return articles | "ParseAndExtract" >> extract
        outputs = articles | "ParseAndExtract" >> extract.with_outputs(DEAD_LETTERS, ARTICLES, main="records")
        return EventOutputs(outputs.records, outputs[DEAD_LETTERS], outputs[ARTICLES])
