"""ExtractEvents on the DirectRunner: events out, other languages skipped, a text past spaCy's max_length
parsed in bounded pieces rather than failed, and each event in its article's window (TestStream)."""
import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.test_stream import TestStream as BeamTestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import FixedWindows, TimestampedValue

from pipelines.transforms.events import EventSettings, ExtractEvents


def article(article_id, text, language="en"):
    return {"article_id": article_id, "published_at": None, "language": language, "kafka": None,
            "paragraphs": [{"index": 0, "text": text}]}


def test_events_and_dead_letters_on_the_direct_runner():
    too_long = "Police arrested a man. " * 50_000  # past spaCy's max_length: parsed in bounded pieces instead
    with BeamTestPipeline() as p:
        articles = p | beam.Create([
            article("en", "Police arrested two men in Lima."),
            article("de", "Die Polizei nahm zwei Männer fest.", language="de"),
            article("huge", too_long),
        ])
        out = articles | ExtractEvents(EventSettings(batch_size=2))
        assert_that(out.records | "Types" >> beam.Map(lambda e: (e["article_id"], e["event_type"]))
                    | beam.Distinct(), equal_to([("en", "COERCE"), ("huge", "COERCE")]), label="events")
        assert_that(out.dead_letters, equal_to([]), label="dead_letters")


def test_each_event_keeps_its_articles_window():
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    stream = (BeamTestStream()
              .add_elements([TimestampedValue(article("early", "Rebels attacked a convoy."), 10)])
              .add_elements([TimestampedValue(article("late", "Troops withdrew from the town."), 130)])
              .advance_watermark_to_infinity())
    with BeamTestPipeline(options=options) as p:
        events = (p | stream | beam.WindowInto(FixedWindows(60)) | ExtractEvents()).records
        placed = events | beam.Map(lambda e, w=beam.DoFn.WindowParam, t=beam.DoFn.TimestampParam:
                                   (e["article_id"], int(w.start), int(t)))
        assert_that(placed, equal_to([("early", 0, 10), ("late", 120, 130)]))
