"""What the pipeline needs from the runners it runs on, beyond Beam's defaults: keyed state kept to one
bundle at a time on Prism, and metrics that can be read after a run of many bundles."""
from __future__ import annotations

import sys
import threading

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import DebugOptions
from apache_beam.runners.direct.direct_runner import SwitchingDirectRunner
from apache_beam.runners.portability.prism_runner import PrismRunner
from apache_beam.runners.runner import PipelineResult

PRISM_NO_BUNDLE_SPLITS = "prism_disable_sdf_split"
# Enough for a stage run in a few hundred thousand bundles (about 400 bytes of C stack per bundle).
METRICS_STACK_BYTES = 256 * 1024 * 1024
METRICS_RECURSION_LIMIT = 1_000_000


def keep_keys_in_one_bundle(p: beam.Pipeline) -> None:
    """On Prism, turns off the bundle splits the runner starts when a bundle makes no progress for a while.

    Prism 2.77 frees every key of a split's residual, even a key the primary is still processing, so two
    bundles then run one key at once, each from the state stored before either began: one's writes are
    lost (dedup's count of answers falls short and the article is never written) and timers fire twice.
    Prism's experiment turns these splits off for every stage; a reader's own checkpoints are not splits.
    Beam's DirectRunner may hand a pipeline to Prism, so it gets the experiment too."""
    if isinstance(p.runner, (PrismRunner, SwitchingDirectRunner)):
        p.options.view_as(DebugOptions).add_experiment(PRISM_NO_BUNDLE_SPLITS)


def query_metrics(result: PipelineResult, metrics_filter: MetricsFilter | None = None) -> dict[str, list]:
    """`result.metrics().query(metrics_filter)`, also after a run of many bundles.

    Beam 2.77's FnApiRunner (the DirectRunner) folds each bundle's metrics into a generator that wraps the
    previous bundles' ones, so reading the metrics of a stage run in N bundles recurses N deep: a Kafka read
    that checkpoints a thousand times fails with RecursionError after all its work is done, and some 30,000
    bundles overflow the C stack. The query runs in a thread with a stack and a recursion limit deep enough
    for that."""
    outcome: dict[str, object] = {}

    def query() -> None:
        try:
            outcome["metrics"] = result.metrics().query(metrics_filter)
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    previous_stack = threading.stack_size(METRICS_STACK_BYTES)
    previous_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous_limit, METRICS_RECURSION_LIMIT))
    try:
        reader = threading.Thread(target=query, name="newsstream-metrics")
        reader.start()
    finally:
        threading.stack_size(previous_stack)
    try:
        reader.join()
    finally:
        sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["metrics"]
