"""Normalize stage: RawArticle -> clean article record, or a dead letter when nothing usable is left."""
from __future__ import annotations

import json
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.records import SOURCE_FIELD, RawArticle, as_source_message
from pipelines.text.normalize import Normalizer, NormalizeSettings, warning_code
from pipelines.text.parse import DEFAULT_LIMITS, parse_message
from pipelines.transforms.stage import METRICS_NAMESPACE, StageOutputs, apply_stage


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


def as_raw_article(element: RawArticle | dict) -> RawArticle:
    """What Normalize reads: a RawArticle from Parse, or a dict in the input contract (checked as Parse would)."""
    if isinstance(element, RawArticle):
        return element
    if not isinstance(element, dict):
        raise TypeError(f"Normalize takes RawArticle or dict, not {type(element).__name__}")
    return parse_message(as_source_message(json.dumps(element, default=str, ensure_ascii=False)), DEFAULT_LIMITS)


def normalize_with_source(normalizer: Normalizer, element: RawArticle | dict) -> dict:
    """The article record, carrying the message it came from (see records.SOURCE_FIELD)."""
    raw = as_raw_article(element)
    article = normalizer(raw)
    article[SOURCE_FIELD] = {"original": raw.original, "line": raw.line}
    return article


class Normalize(beam.PTransform):
    """RawArticle (from Parse) or dicts in the input contract -> outputs `records` (article dicts,
    schemas/article.avsc) and `dead_letters`."""

    def __init__(self, settings: NormalizeSettings | None = None):
        super().__init__()
        self.settings = settings or NormalizeSettings()

    def expand(self, raw_articles: beam.PCollection) -> StageOutputs:
        normalizer = Normalizer(self.settings)
        normalized = apply_stage(raw_articles, "NormalizeArticle", "normalize",
                                 lambda element: [normalize_with_source(normalizer, element)],
                                 RawArticle | dict[str, Any], dict[str, Any])
        articles = normalized.records | "CountNotes" >> beam.ParDo(CountArticleNotes())
        return StageOutputs(articles, normalized.dead_letters)
