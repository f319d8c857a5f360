"""Network faults injected by a TCP proxy between the pipeline and the embedded broker, and a
pipeline process killed with SIGKILL mid-run. After each: nothing lost, replays carry the same ids."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipelines.cli import main
from pipelines.io.broker import EmbeddedBroker, free_port
from pipelines.io.kafka import ensure_topic
from pipelines.io.kafka_config import KafkaConnection
from tests.conftest import close_pipeline_clients, read_outputs, run_pipeline
from tests.netfaults import FaultProxy

pytestmark = pytest.mark.integration
PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOPIC = "news"
ARTICLES = 60


@pytest.fixture
def proxied():
    """A broker that advertises a proxy's port, and the proxy in front of it."""
    proxy_port = free_port()
    with EmbeddedBroker(advertised_port=proxy_port) as broker, FaultProxy(proxy_port, broker.port) as proxy:
        yield f"127.0.0.1:{proxy_port}", proxy
        close_pipeline_clients()


def load_articles(bootstrap: str, start: int = 0, count: int = ARTICLES) -> set[str]:
    """Produce `count` articles of ~4 KB each over 3 partitions; returns their ids."""
    ensure_topic(KafkaConnection(bootstrap), TOPIC, 3)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    ids = set()
    for i in range(start, start + count):
        body = "\n".join(f"Paragraph {p} of article {i}: " + "the council met again on the budget. " * 20
                         for p in range(5))
        producer.send(TOPIC, json.dumps({"id": f"a{i:04d}", "text": body}).encode(), partition=i % 3)
        ids.add(f"a{i:04d}")
    producer.flush()
    producer.close()
    return ids


def args_for(bootstrap: str, output, group: str = "g") -> list[str]:
    return ["--bootstrap-servers", bootstrap, "--topic", TOPIC, "--group-id", group, "--output", str(output),
            "--kafka-timeout", "20", "--kafka-idle-timeout", "20"]


def article_ids(outputs) -> list[str]:
    return [a["article_id"] for a in outputs["articles"]]


def test_connections_cut_mid_fetch(proxied, tmp_path):
    bootstrap, proxy = proxied
    ids = load_articles(bootstrap)
    proxy.cut_after_bytes = proxy.bytes_to_client + 60_000
    outputs, totals = run_pipeline(args_for(bootstrap, tmp_path))
    assert proxy.connections_cut > 0
    assert sorted(article_ids(outputs)) == sorted(ids)
    assert totals["parse.in"] == ARTICLES


def test_stalled_broker(proxied, tmp_path):
    bootstrap, proxy = proxied
    ids = load_articles(bootstrap)
    proxy.stall_after_bytes = proxy.bytes_to_client + 60_000
    stalls = []

    def resume_when_stalled():
        deadline = time.monotonic() + 30
        while not proxy.stalled and time.monotonic() < deadline:
            time.sleep(0.05)
        stalls.append(proxy.stalled)
        time.sleep(3)
        proxy.resume()

    watcher = threading.Thread(target=resume_when_stalled)
    watcher.start()
    outputs, _ = run_pipeline(args_for(bootstrap, tmp_path))
    watcher.join()
    assert stalls == [True]
    assert sorted(article_ids(outputs)) == sorted(ids)


def test_broker_down_at_start_fails_clearly_within_the_timeout(proxied, tmp_path, capsys):
    bootstrap, proxy = proxied
    proxy.stop_accepting()
    started = time.monotonic()
    code = main(["run", "--bootstrap-servers", bootstrap, "--topic", TOPIC, "--output", str(tmp_path),
                 "--kafka-timeout", "2"])
    elapsed = time.monotonic() - started
    assert code == 1
    assert f"no Kafka broker reachable at {bootstrap} within 2s" in capsys.readouterr().err
    assert elapsed < 15


def test_broker_that_comes_back_within_the_timeout(proxied, tmp_path, capsys):
    bootstrap, proxy = proxied
    ids = load_articles(bootstrap)
    proxy.stop_accepting()
    threading.Timer(1.5, proxy.start).start()
    assert main(["run", *args_for(bootstrap, tmp_path)]) == 0
    assert sorted(article_ids(read_outputs(str(tmp_path)))) == sorted(ids)


def test_kill_9_mid_run_then_restart_delivers_everything(proxied, tmp_path):
    bootstrap, proxy = proxied
    first = load_articles(bootstrap)
    outputs, _ = run_pipeline(args_for(bootstrap, tmp_path / "run1"))
    assert sorted(article_ids(outputs)) == sorted(first)

    second = load_articles(bootstrap, start=ARTICLES)
    proxy.stall_after_bytes = proxy.bytes_to_client + 60_000
    env = {**os.environ, "PYTHONPATH": PROJECT}
    victim = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run", *args_for(bootstrap, tmp_path / "run2")],
                              cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not proxy.stalled and victim.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proxy.stalled, "the run never reached the stall point"
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.wait(timeout=10) == -signal.SIGKILL
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
    proxy.resume()

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id="g", enable_auto_commit=False)
    try:
        assert sum(consumer.committed(TopicPartition(TOPIC, p)) for p in range(3)) == ARTICLES
    finally:
        consumer.close()
    outputs, _ = run_pipeline(args_for(bootstrap, tmp_path / "run3"))
    union = set()
    for run in ("run1", "run2", "run3"):
        union |= set(article_ids(read_outputs(str(tmp_path / run))))
    assert union == first | second
    assert set(article_ids(outputs)) == second
