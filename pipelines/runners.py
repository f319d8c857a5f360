"""What the graph's keyed state needs from the runner it is given."""
from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import DebugOptions
from apache_beam.runners.direct.direct_runner import SwitchingDirectRunner
from apache_beam.runners.portability.prism_runner import PrismRunner

PRISM_NO_BUNDLE_SPLITS = "prism_disable_sdf_split"


def keep_keys_in_one_bundle(p: beam.Pipeline) -> None:
    """On Prism, turns off the bundle splits the runner starts when a bundle makes no progress for a while.

    Prism 2.77 frees every key of a split's residual, even a key the primary is still processing, so two
    bundles then run one key at once, each from the state stored before either began: one's writes are
    lost (dedup's count of answers falls short and the article is never written) and timers fire twice.
    Prism's experiment turns these splits off for every stage; a reader's own checkpoints are not splits.
    Beam's DirectRunner may hand a pipeline to Prism, so it gets the experiment too."""
    if isinstance(p.runner, (PrismRunner, SwitchingDirectRunner)):
        p.options.view_as(DebugOptions).add_experiment(PRISM_NO_BUNDLE_SPLITS)
