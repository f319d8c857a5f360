"""Normalize stage: RawArticle -> clean article record, or a dead letter when nothing usable is left."""
from __future__ import annotations

from typing import NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.text.normalize import Normalizer, NormalizeSettings, warning_code
from pipelines.transforms.stage import METRICS_NAMESPACE, apply_stage


class NormalizeOutputs(NamedTuple):
    """The stage's two outputs, under the names every stage uses."""

    records: beam.PCollection
    dead_letters: beam.PCollection


class CountArticleNotes(beam.DoFn):
    """Passes articles through, counting their warnings by code and the wire markers moved out of the text."""

    def __init__(self) -> None:
        self.warned = Metrics.counter(METRICS_NAMESPACE, "normalize.articles_with_warnings")
        self.datelines = Metrics.counter(METRICS_NAMESPACE, "normalize.datelines_moved")
        self.credits = Metrics.counter(METRICS_NAMESPACE, "normalize.credits_moved")
        self.undetected = Metrics.counter(METRICS_NAMESPACE, "normalize.language_unknown")

    def process(self, article):
        if article["warnings"]:
            self.warned.inc()
        for text in article["warnings"]:
            Metrics.counter(METRICS_NAMESPACE, f"normalize.warnings.{warning_code(text)}").inc()
        if article["dateline"]:
            self.datelines.inc()
        if article["credits"]:
            self.credits.inc(len(article["credits"]))
        if article["language"] is None:
            self.undetected.inc()
        yield article


class Normalize(beam.PTransform):
    """RawArticle -> outputs `records` (article dicts, schemas/article.avsc) and `dead_letters`."""

    def __init__(self, settings: NormalizeSettings | None = None):
        super().__init__()
        self.settings = settings or NormalizeSettings()

    def expand(self, raw_articles):
        normalizer = Normalizer(self.settings)
        normalized = apply_stage(raw_articles, "NormalizeArticle", "normalize", lambda raw: [normalizer(raw)])
        articles = normalized.records | "CountNotes" >> beam.ParDo(CountArticleNotes())
        return NormalizeOutputs(articles, normalized.dead_letters)
