"""A rejected message stays identifiable: its own id, its Kafka key and its original bytes travel with the
dead letter, whichever stage rejected it; logging a dead letter never raises."""
from __future__ import annotations

import datetime
import json

import pytest
from kafka import KafkaProducer

from pipelines.io.kafka import ensure_topic
from pipelines.io.kafka_config import KafkaConnection
from pipelines.records import RawArticle
from pipelines.transforms.stage import dead_letter_for
from tests.conftest import run_pipeline

REJECTED = {
    b"k-long": json.dumps({"id": "too-long", "text": "x" * 120_000}).encode(),  # parse: paragraph_too_long
    b"k-type": json.dumps({"id": 77, "text": "Body.", "title": 3}).encode(),  # parse: wrong_type
    b"k-empty": json.dumps({"id": "only-markup", "html": "<div><script>var a;</script></div>"}).encode(),
}


@pytest.mark.integration
def test_dead_letters_carry_the_message_id_key_and_bytes(broker, topic, tmp_path):
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, 1)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    try:
        for key, value in REJECTED.items():
            producer.send(topic, key=key, value=value, partition=0)
        producer.flush()
    finally:
        producer.close()
    outputs, totals = run_pipeline(["--bootstrap-servers", broker.bootstrap_servers, "--topic", topic,
                                    "--group-id", "g-ids", "--output", str(tmp_path / "out"),
                                    "--kafka-idle-timeout", "10", "--no-events"])
    letters = {d["kafka"]["key"]: d for d in outputs["dead_letters"]}
    assert set(letters) == set(REJECTED)
    assert {key: (d["article_id"], d["error_code"]) for key, d in letters.items()} == {
        b"k-long": ("too-long", "paragraph_too_long"),
        b"k-type": ("77", "wrong_type"),
        b"k-empty": ("only-markup", "empty_text"),
    }
    assert all(d["original"] == REJECTED[key] for key, d in letters.items())
    assert totals["parse.in"] == len(outputs["articles"]) + len(outputs["dead_letters"]) == 3


def test_logging_a_dead_letter_never_raises_on_provenance_json_cannot_hold():
    raw = RawArticle(fields={"id": "a", "text": ""}, original=b"{}",
                     kafka={"topic": "t", "partition": 0, "offset": 1, "timestamp": datetime.datetime(2026, 1, 1)})
    letter = dead_letter_for(raw, "normalize", "empty_text", "nothing left")
    assert letter["article_id"] == "a" and letter["kafka"]["timestamp"] == datetime.datetime(2026, 1, 1)
