"""The source's unbounded mode and restriction logic, read against the real embedded broker."""
from __future__ import annotations

import pytest
from apache_beam.io.restriction_trackers import OffsetRange
from apache_beam.runners.sdf_utils import RestrictionTrackerView, ThreadsafeRestrictionTracker
from apache_beam.utils.timestamp import Timestamp
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipelines.io.kafka import (
    MAX_OFFSET,
    CheckpointOnlyOffsetTracker,
    PartitionRestrictionProvider,
    PartitionSpec,
    ReadSettings,
    ReadUnboundedPartitionFn,
    ensure_topic,
)
from pipelines.io.kafka_config import KafkaConnection


class RecordingFinalizer:
    """Stands in for the runner's bundle finalizer: keeps callbacks until the test 'finalizes'."""

    def __init__(self):
        self.callbacks = []

    def register(self, callback):
        self.callbacks.append(callback)

    def finalize(self):
        for callback in self.callbacks:
            callback()


def test_checkpoint_only_tracker_refuses_fractional_splits():
    tracker = CheckpointOnlyOffsetTracker(OffsetRange(5, MAX_OFFSET))
    assert tracker.try_claim(5)
    assert tracker.try_split(0.5) is None
    primary, residual = tracker.try_split(0)
    assert (primary.start, primary.stop) == (5, 6)
    assert (residual.start, residual.stop) == (6, MAX_OFFSET)
    assert not tracker.is_bounded()


def test_bounded_restriction_is_not_split_up_front():
    provider = PartitionRestrictionProvider(KafkaConnection("127.0.0.1:9"))
    spec = PartitionSpec("t", 0, 3, 10)
    restriction = provider.initial_restriction(spec)
    assert list(provider.split(spec, restriction)) == [restriction]
    assert provider.restriction_size(spec, restriction) == 7


@pytest.mark.integration
def test_unbounded_reader_checkpoints_and_commits_only_when_finalized(broker, topic):
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, 1)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    for i in range(7):
        producer.send(topic, value=b'{"text": "x"}', partition=0, timestamp_ms=1_700_000_000_000 + i)
    producer.flush()
    producer.close()

    settings = ReadSettings(topics=(topic,), group_id="g-unbounded", bounded=False, max_seconds_per_bundle=5.0)
    reader = ReadUnboundedPartitionFn(connection, settings)
    reader.setup()
    try:
        tracker = ThreadsafeRestrictionTracker(CheckpointOnlyOffsetTracker(OffsetRange(2, MAX_OFFSET)))
        finalizer = RecordingFinalizer()
        estimator = reader.create_watermark_estimator(reader.initial_estimator_state(None, None))
        out = list(reader.process(PartitionSpec(topic, 0, 2, None), finalizer,
                                  tracker=RestrictionTrackerView(tracker), watermark_estimator=estimator))
        assert [v.value.offset for v in out] == [2, 3, 4, 5, 6]
        assert [v.timestamp.micros // 1000 for v in out] == [1_700_000_000_000 + i for i in range(2, 7)]
        assert estimator.current_watermark() > Timestamp(micros=1_700_000_000_006_000), "caught up: now - delay"
        residual, _delay = tracker.deferred_status()
        assert (residual.start, residual.stop) == (7, MAX_OFFSET)

        group = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id="g-unbounded")
        try:
            assert group.committed(TopicPartition(topic, 0)) is None
            finalizer.finalize()
            assert group.committed(TopicPartition(topic, 0)) == 7
        finally:
            group.close()
    finally:
        reader.teardown()


def test_the_streaming_graph_builds_for_a_portable_runner(tmp_path):
    """What `--streaming` submits to Flink or Dataflow: the unbounded reader, keyed-state dedup, files cut by
    processing time and commits of what they hold, serialized to the runner API (nothing runs here)."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.options import NewsstreamOptions
    from pipelines.pipeline import build

    options = PipelineOptions(["--streaming", "--bootstrap-servers", "127.0.0.1:9", "--topic", "news",
                               "--output", str(tmp_path), "--window-seconds", "30"])
    p = beam.Pipeline(options=options)
    build(p, options.view_as(NewsstreamOptions))
    proto = p.to_runner_api()
    labels = [t.unique_name for t in proto.components.transforms.values()]
    assert any(label.endswith("ReadKafka/Read") for label in labels)
    assert any(label.endswith("WriteFiles/CutFiles") for label in labels)
    assert any(label.endswith("CommitOffsets/Commit") for label in labels)
    requirements = set(proto.requirements)
    assert {"beam:requirement:pardo:splittable_dofn:v1", "beam:requirement:pardo:stateful:v1"} <= requirements
    # commits follow the written files: no step asks the runner for bundle finalization
    assert "beam:requirement:pardo:finalization:v1" not in requirements
