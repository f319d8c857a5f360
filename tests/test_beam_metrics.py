"""Reading a run's metrics after many bundles: Beam's DirectRunner nests one generator per bundle of a stage
when it gathers their metrics, so a read that checkpoints more than about a thousand times made
`result.metrics()` fail with RecursionError after all its work was done. `query_metrics` reads them."""
import apache_beam as beam
import pytest
from apache_beam.io.restriction_trackers import OffsetRange, OffsetRestrictionTracker
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms.core import RestrictionProvider

from pipelines.runners import query_metrics

BUNDLES = 1500


class PositionsProvider(RestrictionProvider):
    def initial_restriction(self, element):
        return OffsetRange(0, element)

    def create_tracker(self, restriction):
        return OffsetRestrictionTracker(restriction)

    def restriction_size(self, element, restriction):
        return restriction.size()


POSITIONS = beam.DoFn.RestrictionParam(PositionsProvider())


class OnePositionPerBundle(beam.DoFn):
    """Claims one position, counts it and checkpoints: the runner starts a new bundle for the rest, as it
    does for a Kafka read that checkpoints after each poll."""

    def process(self, element, tracker=POSITIONS):
        position = tracker.current_restriction().start
        if tracker.try_claim(position):
            beam.metrics.Metrics.counter("test", "positions").inc()
            tracker.defer_remainder()
            yield position


def run_many_bundles():
    p = beam.Pipeline(options=PipelineOptions(["--runner=DirectRunner", "--direct_num_workers=1"]))
    _ = p | beam.Create([BUNDLES]) | beam.ParDo(OnePositionPerBundle())
    result = p.run()
    result.wait_until_finish()
    return result


@pytest.fixture(scope="module")
def many_bundles():
    return run_many_bundles()


def test_metrics_of_a_stage_run_in_many_bundles_are_read(many_bundles):
    [counter] = query_metrics(many_bundles, MetricsFilter().with_name("positions"))["counters"]
    assert counter.committed == BUNDLES


def test_beam_alone_fails_to_read_them():
    result = run_many_bundles()
    with pytest.raises(RecursionError):
        result.metrics().query(MetricsFilter())
