"""Normalize stage: RawArticle -> clean article record, or a dead letter when nothing usable is left."""
from __future__ import annotations

import apache_beam as beam

from pipelines.text.normalize import normalize_article
from pipelines.transforms.stage import apply_stage


class Normalize(beam.PTransform):
    """RawArticle -> outputs `records` (article dicts, schemas/article.avsc) and `dead_letters`."""

    def expand(self, raw_articles):
        return apply_stage(raw_articles, "NormalizeArticle", "normalize", lambda raw: [normalize_article(raw)])
