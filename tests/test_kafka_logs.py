"""kafka-python's DEBUG logs never carry article bodies: what it sends and fetches is logged by size and
type only. (Beam's own DEBUG logs show elements; they are Beam's.) The run is made in a fresh interpreter
with every kafka-python logger at DEBUG, as a user debugging a deployment would set it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
BODY = "The harbour-master-zebra-quokka said the ferry would sail at dawn."
RUN_WITH_DEBUG_LOGS = """
import json, logging, sys
logging.basicConfig(level=logging.DEBUG, format="%(name)s|%(message)s", stream=sys.stderr)
from pipelines.io.kafka import ensure_topic, produce_messages
from pipelines.io.kafka_config import KafkaConnection
from tests.conftest import run_pipeline
servers, topic, output, body = sys.argv[1:5]
connection = KafkaConnection(servers)
ensure_topic(connection, topic, 1)
produce_messages(connection, topic, [(b"k1", json.dumps({"id": "k1", "text": body}).encode())])
outputs, _ = run_pipeline(["--bootstrap-servers", servers, "--topic", topic, "--output", output, "--no-events",
                           "--group-id", "g-logs", "--kafka-idle-timeout", "10"])
print(json.dumps([a["paragraphs"][0]["text"] for a in outputs["articles"]]))
"""


def test_debug_logs_of_a_run_hold_no_article_body(broker, topic, tmp_path):
    run = subprocess.run([sys.executable, "-c", RUN_WITH_DEBUG_LOGS, broker.bootstrap_servers, topic,
                          str(tmp_path), BODY], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [BODY]
    kafka_lines = [line.split("|", 1)[1] for line in run.stderr.splitlines()
                   if line.startswith("kafka") and "|" in line]
    assert any("Sending (key=" in line and "bytes>" in line for line in kafka_lines)
    assert any("Fetch" in line for line in kafka_lines)
    assert not [line for line in kafka_lines if "zebra-quokka" in line]
