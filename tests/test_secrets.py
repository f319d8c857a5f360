"""A password given as --sasl-password never becomes part of the job: not in the pipeline's options, not in a
pickled step, not in what workers print. Workers resolve it where each Kafka client opens."""
from __future__ import annotations

import base64
import bz2
import json
import os
import subprocess
import sys
import zlib

import apache_beam as beam
import pytest
from apache_beam.portability import common_urns
from apache_beam.portability.api import beam_runner_api_pb2

from pipelines import cli
from tests.conftest import CLUSTER_USERS, read_outputs
from tests.test_kafka_cluster_security import ARTICLES, grant_reader, load_topic

SECRET = "pa55-never-in-the-job-7"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Submitted(Exception):
    """Raised instead of running: the test looks at what would have been submitted."""


def unpacked(payload: bytes) -> bytes:
    """A pickled step as Beam stores it (base64 of bz2 or zlib), or the bytes as they are."""
    try:
        compressed = base64.b64decode(payload, validate=True)
        return bz2.decompress(compressed) if compressed[:3] == b"BZh" else zlib.decompress(compressed)
    except (ValueError, OSError, zlib.error):
        return payload


def pickled_steps(pipeline: beam.Pipeline) -> list[bytes]:
    """Every ParDo's pickled DoFn (Map/FlatMap callables and their closures included), decompressed."""
    proto = pipeline.to_runner_api()
    steps = []
    for transform in proto.components.transforms.values():
        if transform.spec.urn == common_urns.primitives.PAR_DO.urn:
            payload = beam_runner_api_pb2.ParDoPayload.FromString(transform.spec.payload)
            steps.append(unpacked(payload.do_fn.payload))
    return steps


def test_sasl_password_is_in_no_option_and_no_pickled_step(tmp_path, monkeypatch):
    lines = tmp_path / "in.jsonl"
    lines.write_text('{"id": "a", "text": "x"}\n')
    submitted = []

    def capture(pipeline, max_seconds):
        submitted.append(pipeline)
        raise Submitted()

    monkeypatch.setattr(cli, "run_until_stopped", capture)
    with pytest.raises(Submitted):
        cli.main(["--debug", "run", "--input-file", str(lines), "--output", str(tmp_path / "out"),
                  "--bootstrap-servers", "127.0.0.1:9", "--output-topic-prefix", "out",
                  "--security-protocol", "SASL_PLAINTEXT", "--sasl-mechanism", "PLAIN",
                  "--sasl-username", "ingest", "--sasl-password", SECRET])
    [pipeline] = submitted
    options = pipeline.options
    assert SECRET not in json.dumps(options.get_all_options(retain_unknown_options=True), default=str)
    assert SECRET not in " ".join(options.get_all_options(retain_unknown_options=True, drop_default=True)
                                  .get("flags", [])) + " ".join(options._flags)
    steps = pickled_steps(pipeline)
    assert any(b"SASL_PLAINTEXT" in step for step in steps), "the connection travels in the steps"
    assert not any(SECRET.encode() in step for step in steps)


@pytest.mark.integration
@pytest.mark.kafka_cluster
def test_worker_processes_authenticate_without_ever_printing_the_password(kafka_cluster, topic, tmp_path):
    load_topic(kafka_cluster, topic)
    grant_reader(kafka_cluster, "User:ingest", topic, "g-workers")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSSTREAM_SASL")}
    run = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--bootstrap-servers", kafka_cluster.sasl_ssl_bootstrap_servers,
         "--security-protocol", "SASL_SSL", "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "ingest",
         "--sasl-password", CLUSTER_USERS["ingest"], "--ssl-cafile", kafka_cluster.certs["ca.pem"],
         "--topic", topic, "--group-id", "g-workers", "--output", str(tmp_path), "--no-events",
         "--kafka-timeout", "30", "--kafka-idle-timeout", "20",
         "--direct_running_mode", "multi_processing", "--direct_num_workers", "2"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert CLUSTER_USERS["ingest"] not in run.stdout + run.stderr
    assert len(read_outputs(str(tmp_path))["articles"]) == ARTICLES
    assert kafka_cluster.committed(topic, "g-workers") == {0: 2, 1: 2, 2: 2}
