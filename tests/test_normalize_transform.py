"""The Normalize composite on the DirectRunner: records, dead letters, and the warning counters."""
import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.util import assert_that, equal_to

from pipelines.records import RawArticle
from pipelines.text.normalize import NormalizeSettings
from pipelines.transforms.normalize import Normalize


def raw(fields: dict, offset: int) -> RawArticle:
    return RawArticle(fields=fields, original=repr(fields).encode(), kafka={"topic": "t", "partition": 0,
                                                                           "offset": offset})


def counter(result, name: str) -> int:
    counters = result.metrics().query(MetricsFilter().with_name(name))["counters"]
    return sum(c.committed for c in counters)


def test_normalize_transform_routes_rejects_and_counts_warnings():
    inputs = [
        raw({"id": "good", "text": "SEOUL (Yonhap) -- Talks resumed on Monday. (Yonhap)"}, 0),
        raw({"id": "bad-date", "text": "Talks resumed.", "published_at": "soon"}, 1),
        raw({"id": "far-future", "text": "Talks resumed.", "published_at": "3000-01-01"}, 2),
        raw({"id": "empty", "text": "\u200b\n&nbsp;"}, 3),
    ]
    p = beam.Pipeline("DirectRunner")
    normalized = p | beam.Create(inputs) | Normalize(NormalizeSettings(detect_language=False))
    assert_that(normalized.records | "Ids" >> beam.Map(lambda a: (a["article_id"], a["dateline"], a["credits"],
                                                                  a["kafka"]["offset"])),
                equal_to([("good", "SEOUL (Yonhap)", ["Yonhap"], 0), ("bad-date", None, [], 1),
                          ("far-future", None, [], 2)]), label="Articles")
    assert_that(normalized.dead_letters | "Codes" >> beam.Map(lambda d: (d["error_code"], d["stage"], d["kafka"])),
                equal_to([("empty_text", "normalize", {"topic": "t", "partition": 0, "offset": 3})]),
                label="DeadLetters")
    result = p.run()
    result.wait_until_finish()
    assert counter(result, "normalize.warnings.published_at_unparseable") == 1
    assert counter(result, "normalize.warnings.published_at_out_of_range") == 1
    assert counter(result, "normalize.articles_with_warnings") == 2
    assert counter(result, "normalize.datelines_moved") == 1
    assert counter(result, "normalize.credits_moved") == 1
    assert counter(result, "normalize.language_unknown") == 3
    assert counter(result, "normalize.dead_letters") == 1
