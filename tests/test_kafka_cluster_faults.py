"""Broker faults live on the Apache Kafka cluster (RF=3, min.insync.replicas=2): a partition leader
killed mid-read, a broker restarted during a run, two runs of one consumer group at once. After each:
every message in the output exactly once, no offset committed past output that was not written."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from kafka import KafkaProducer, TopicPartition

from pipelines.io.kafka import ReadFromKafka, ReadSettings
from pipelines.io.kafka_config import KafkaConnection
from tests.conftest import read_outputs, run_pipeline

pytestmark = [pytest.mark.integration, pytest.mark.kafka_cluster]
PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(cluster, topic: str, count: int, body_repeats: int = 4) -> dict[str, tuple[int, int]]:
    """`count` articles over 3 partitions; returns id -> (partition, offset) as acknowledged (acks=all)."""
    cluster.create_topic(topic)
    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap_servers, acks="all")
    sent = {}
    for i in range(count):
        body = f"Article {i} of the fault run. " + "The council met again over the budget. " * body_repeats
        sent[f"f{i:04d}"] = producer.send(topic, json.dumps({"id": f"f{i:04d}", "text": body}).encode(),
                                          partition=i % 3)
    producer.flush()
    producer.close()
    return {key: (f.get(timeout=10).partition, f.get(timeout=10).offset) for key, f in sent.items()}


class OnLog(logging.Handler):
    """Calls `action` once, in the logging thread, on the first record `matches` accepts."""

    def __init__(self, matches, action):
        super().__init__(logging.DEBUG)
        self.matches, self.action = matches, action
        self.fired = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if not self.fired.is_set() and self.matches(record):
            self.fired.set()
            self.action()


@pytest.fixture
def on_log():
    """Attach OnLog handlers to loggers (at DEBUG) for one test; removed and levels restored after."""
    attached = []

    def attach(logger_name: str, matches, action) -> OnLog:
        logger = logging.getLogger(logger_name)
        handler = OnLog(matches, action)
        attached.append((logger, handler, logger.level))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        return handler

    yield attach
    for logger, handler, level in attached:
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_partition_leader_killed_mid_read(kafka_cluster, topic, tmp_path, on_log):
    """The source alone, fetching 4 KiB at a time so that partition 0 takes many fetches; its leader is
    killed (SIGKILL) in the reader's thread once records past offset 20 were returned."""
    placed = load(kafka_cluster, topic, 240)
    victim = kafka_cluster.leader(topic, 0)
    killed_at = []

    def returned_past_20(record):
        return record.msg.startswith("Returning fetched records") and record.args[1] == TopicPartition(topic, 0) \
            and record.args[0] > 20

    def kill_leader():
        killed_at.append(kafka_cluster.leader(topic, 0))
        kafka_cluster.stop_node(victim, kill=True)

    trigger = on_log("kafka.consumer.fetcher", returned_past_20, kill_leader)
    small_fetches = (("max_partition_fetch_bytes", 4096), ("isolation_level", "read_committed"))
    settings = ReadSettings(topics=(topic,), group_id=None, idle_timeout_s=60, consumer_config=small_fetches)
    output = tmp_path / "read"
    try:
        with beam.Pipeline(options=PipelineOptions(["--direct_num_workers=1"])) as p:
            (p | ReadFromKafka(KafkaConnection(kafka_cluster.bootstrap_servers), settings)
               | beam.Map(lambda m: json.dumps([m.partition, m.offset, json.loads(m.value)["id"]]))
               | beam.io.WriteToText(str(output)))
    finally:
        kafka_cluster.start_node(victim)
    assert trigger.fired.is_set() and killed_at == [victim]
    read = [tuple(json.loads(line)) for path in tmp_path.glob("read*") for line in path.read_text().splitlines()]
    assert sorted((p, o) for p, o, _ in read) == sorted(placed.values())
    assert {key: (p, o) for p, o, key in read} == placed
    assert kafka_cluster.leader(topic, 0) in {n.node_id for n in kafka_cluster.nodes}


def test_broker_restarted_during_a_run(kafka_cluster, topic, tmp_path, on_log):
    """The whole pipeline; one broker is stopped (controlled shutdown) and started again right after the
    partitions were planned, while the run reads, writes and then commits."""
    placed = load(kafka_cluster, topic, 90)
    restarted = threading.Event()

    def restart():
        kafka_cluster.stop_node(2)
        kafka_cluster.start_node(2, wait=False)
        restarted.set()

    on_log("pipelines.io.kafka", lambda r: r.getMessage().startswith("kafka plan"),
           lambda: threading.Thread(target=restart, daemon=True).start())
    outputs, totals = run_pipeline(["--bootstrap-servers", kafka_cluster.bootstrap_servers, "--topic", topic,
                                    "--group-id", "g-restart", "--output", str(tmp_path), "--no-events",
                                    "--kafka-idle-timeout", "60", "--kafka-timeout", "60"])
    assert restarted.wait(timeout=120)
    kafka_cluster.wait_until_serving()
    kafka_cluster.wait_until_in_sync()
    ids = [a["article_id"] for a in outputs["articles"]]
    assert sorted(ids) == sorted(placed) and len(ids) == len(set(ids))
    assert totals["parse.in"] == len(placed)
    assert kafka_cluster.committed(topic, "g-restart") == {0: 30, 1: 30, 2: 30}


def test_two_runs_of_one_group_at_once_lose_nothing_and_commit_only_written_output(kafka_cluster, topic, tmp_path):
    """Both runs plan from the same committed offsets and read the same records (manual assignment, no
    group rebalance); each commits only after its own output is written, so the group's offsets never
    pass what either run wrote. A third run afterwards reads nothing."""
    placed = load(kafka_cluster, topic, 60)
    args = ["--bootstrap-servers", kafka_cluster.bootstrap_servers, "--topic", topic, "--group-id", "g-twice",
            "--no-events", "--kafka-idle-timeout", "60", "--kafka-timeout", "60"]
    env = {**os.environ, "PYTHONPATH": PROJECT}
    runs = [subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", *args, "--output", str(tmp_path / name)],
                             cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in ("a", "b")]
    try:
        results = [run.communicate(timeout=300) for run in runs]
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
                run.wait()
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in results]
    committed = kafka_cluster.committed(topic, "g-twice")
    assert committed == {0: 20, 1: 20, 2: 20}
    for name in ("a", "b"):
        articles = read_outputs(str(tmp_path / name))["articles"]
        written = sorted((a["kafka"]["partition"], a["kafka"]["offset"]) for a in articles)
        assert written == sorted((p, o) for p in range(3) for o in range(committed[p]))
        assert sorted(a["article_id"] for a in articles) == sorted(placed)
    outputs, _ = run_pipeline([*args, "--output", str(tmp_path / "after")])
    assert outputs["articles"] == []
