"""kafka-python's DEBUG logs never carry article bodies: what it sends and fetches is logged by size and
type only. (Beam's own DEBUG logs show elements; they are Beam's.)"""
from __future__ import annotations

import json
import logging

import pytest

from pipelines.io.kafka import ensure_topic, produce_messages
from pipelines.io.kafka_config import KafkaConnection
from tests.conftest import run_pipeline

pytestmark = pytest.mark.integration
BODY = "The harbour-master-zebra-quokka said the ferry would sail at dawn."


def test_debug_logs_of_a_run_hold_no_article_body(broker, topic, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="kafka")  # earlier runs in the session may have quieted it
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, 1)
    produce_messages(connection, topic, [(b"k1", json.dumps({"id": "k1", "text": BODY}).encode())])
    outputs, _ = run_pipeline(["--bootstrap-servers", broker.bootstrap_servers, "--topic", topic, "--output",
                               str(tmp_path), "--no-events", "--group-id", "g-logs", "--kafka-idle-timeout", "10"])
    assert [a["paragraphs"][0]["text"] for a in outputs["articles"]] == [BODY]
    kafka_lines = [r.getMessage() for r in caplog.records if r.name.startswith("kafka")]
    assert any("Sending (key=" in line and "bytes>" in line for line in kafka_lines)
    assert any("Fetch" in line for line in kafka_lines)
    assert not [line for line in kafka_lines if "zebra-quokka" in line]
