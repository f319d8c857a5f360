"""Shared fixtures: the Apache Kafka cluster and the embedded broker on loopback, the spaCy pipeline, and
running the pipeline in-process."""
from __future__ import annotations

import glob
import logging
import os
import sys
import uuid

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.cli import counters, local_prism
from pipelines.io.avro import read_avro_file
from pipelines.io.broker import EmbeddedBroker
from pipelines.io.consumer_pool import CONSUMERS
from pipelines.io.kafka_config import CREDENTIAL_ENV
from pipelines.io.offsets import close_shared_clients
from pipelines.options import NewsstreamOptions
from pipelines.pipeline import build
from tests.kafka_cluster import KafkaCluster

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared")
# SCRAM-SHA-512 users of the cluster (besides the super user admin); each gets only the ACLs a test grants
CLUSTER_USERS = {"ingest": "ingest-Secret-1", "no-read": "no-read-Secret-2", "no-write": "no-write-Secret-3"}


def pytest_sessionfinish(session, exitstatus):
    """Libraries put console handlers on the sys.stderr of the moment they were imported (`import apache_beam`
    logs a warning through the root logger, which installs one): pytest's capture, closed when the session
    ends. Beam stops Prism from an exit hook and logs as it does, so every run ended in "--- Logging error
    ---" tracebacks. Those handlers now write to the interpreter's own stderr, which outlives the session."""
    loggers = [logging.getLogger(), *(item for item in logging.root.manager.loggerDict.values()
                                      if isinstance(item, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:
                handler.setStream(sys.__stderr__)


@pytest.fixture(autouse=True)
def credential_environment(monkeypatch):
    """Each test starts without credentials in the environment, and a password the CLI moves there
    (--sasl-password) is gone after the test."""
    for name in CREDENTIAL_ENV.values():
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def nlp():
    """The events stage's spaCy pipeline, loaded once per test session."""
    from pipelines.events.nlp import load_pipeline

    return load_pipeline()


def close_pipeline_clients() -> None:
    """The pipeline's process-wide Kafka clients (pooled consumers, committers, end-offset clients) outlive a
    run. A test that stops its broker closes them first; else they retry the dead address in the background
    for the rest of the session, and a later test that watches for connections sees theirs."""
    CONSUMERS.close_idle()
    close_shared_clients()


@pytest.fixture(scope="session")
def broker():
    """One Tansu broker for the test session, stopped (by PID) at the end, after the readers' shared clients."""
    with EmbeddedBroker() as running:
        yield running
        close_pipeline_clients()


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory):
    """A 3-node Apache Kafka KRaft cluster on loopback for the test session, stopped (by PID) at the end.

    `bootstrap_servers` is the PLAINTEXT listener (a super user); `sasl_config(user)` and `mtls_config()`
    give the secured listeners' client settings; `create_topic` makes RF=3, min.insync.replicas=2 topics.
    """
    with KafkaCluster(tmp_path_factory.mktemp("kafka-cluster"), users=CLUSTER_USERS) as cluster:
        yield cluster


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test that used the cluster shows the tail of every node's log."""
    report = yield
    cluster = getattr(item, "funcargs", {}).get("kafka_cluster")
    if report.failed and isinstance(cluster, KafkaCluster):
        report.sections.append(("kafka cluster logs", cluster.log_tail()))
    return report


@pytest.fixture(scope="session")
def prism() -> str:
    """The Prism runner binary `make prism` builds for the pinned Beam version (what `make test` runs)."""
    path = local_prism()
    if not path.exists():
        pytest.skip(f"Prism is not built at {path}: run `make prism` (make test does)")
    return str(path)


@pytest.fixture
def topic() -> str:
    """A fresh topic name per test, so tests sharing the broker do not see each other's messages."""
    return f"t-{uuid.uuid4().hex[:10]}"


def read_outputs(output: str) -> dict[str, list[dict]]:
    """Every record under an output directory, by schema name."""
    found = {}
    for name in ("articles", "events", "dead_letters"):
        found[name] = [r for path in sorted(glob.glob(os.path.join(output, f"{name}-*"))) for r in read_avro_file(path)]
    return found


def run_pipeline(args: list[str]) -> tuple[dict[str, list[dict]], dict[str, int]]:
    """Run the whole pipeline on the DirectRunner with these flags; returns (outputs by name, counters)."""
    options = PipelineOptions(args)
    p = beam.Pipeline(options=options)
    build(p, options.view_as(NewsstreamOptions))
    result = p.run()
    result.wait_until_finish()
    return read_outputs(options.view_as(NewsstreamOptions).output), counters(result)


def shared_path(*parts: str) -> str:
    """A path under ../shared, or skip the test with a clear message when the shared data is absent."""
    path = os.path.join(SHARED, *parts)
    if not os.path.exists(path):
        pytest.skip(f"shared data not found at {os.path.abspath(path)}")
    return path
