"""Keyed state on Prism, the local streaming runner: one key is never processed by two bundles at once.

A slow first element makes Prism split the bundle (it splits bundles that show no progress between two
progress reports); the split falls inside one key's elements. Without `keep_keys_in_one_bundle`, Prism 2.77
runs that key's two halves in two bundles at once and the key's count comes out as two partial counts."""
from __future__ import annotations

import time

import apache_beam as beam
from apache_beam.coders import VarIntCoder
from apache_beam.options.pipeline_options import DebugOptions, PipelineOptions
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Timestamp

from pipelines.runners import PRISM_NO_BUNDLE_SPLITS, keep_keys_in_one_bundle

KEYS, PER_KEY = 21, 31  # 651 elements: half of them ends inside a key's elements
COUNT = ReadModifyWriteStateSpec("count", VarIntCoder())
END = TimerSpec("end", TimeDomain.WATERMARK)
COUNT_STATE = beam.DoFn.StateParam(COUNT)
END_TIMER = beam.DoFn.TimerParam(END)


class CountPerKey(beam.DoFn):
    """Counts a key's elements in read-modify-write state and emits the count once, at the end of input;
    the first element of each bundle is slow, so Prism splits the bundle."""

    def start_bundle(self):
        self.first = True

    def process(self, element, count=COUNT_STATE, end=END_TIMER):
        if self.first:
            time.sleep(0.6)
            self.first = False
        count.write((count.read() or 0) + 1)
        end.set(Timestamp(seconds=1))

    @on_timer(END)
    def emit(self, key=beam.DoFn.KeyParam, count=COUNT_STATE):
        yield key, count.read()


def test_prism_runs_each_key_in_one_bundle_at_a_time(prism):
    options = PipelineOptions(["--runner=PrismRunner", f"--prism_location={prism}",
                               "--experiments=disable_prism_server_singleton"])
    p = beam.Pipeline(options=options)
    keep_keys_in_one_bundle(p)
    assert PRISM_NO_BUNDLE_SPLITS in p.options.view_as(DebugOptions).experiments
    counts = (p
              | beam.Create([(f"key{k}", i) for i in range(PER_KEY) for k in range(KEYS)])
              | beam.Reshuffle()
              | beam.ParDo(CountPerKey()))
    assert_that(counts, equal_to([(f"key{k}", PER_KEY) for k in range(KEYS)]))
    p.run().wait_until_finish()
