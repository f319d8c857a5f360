"""Security live on the Apache Kafka cluster: SASL_SSL with SCRAM-SHA-512 users, TLS with the test CA,
mutual TLS with a client certificate, and ACLs (the StandardAuthorizer denies what no ACL allows).
Every run goes through the command line, as a user would run it."""
from __future__ import annotations

import json
import logging
import time

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import ACLOperation, ACLResourcePatternType, ResourceType

from pipelines.cli import main
from pipelines.io.avro import decode_single_object
from tests.conftest import CLUSTER_USERS, read_outputs

pytestmark = [pytest.mark.integration, pytest.mark.kafka_cluster]
ARTICLES = 6


def load_topic(cluster, topic: str) -> None:
    """An RF=3 topic with ARTICLES articles, produced over the PLAINTEXT listener (a super user)."""
    cluster.create_topic(topic)
    producer = KafkaProducer(bootstrap_servers=cluster.bootstrap_servers, acks="all")
    for i in range(ARTICLES):
        producer.send(topic, json.dumps({"id": f"sec-{i}", "text": f"Secured story {i}."}).encode(), partition=i % 3)
    producer.flush()
    producer.close()


def grant_reader(cluster, principal: str, topic: str, group: str | None = None, output_prefix: str | None = None):
    """The ACLs a run needs: READ on the input topic and the group, WRITE (and CREATE) on the output topics."""
    grants = [(ResourceType.TOPIC, topic, ACLOperation.READ), (ResourceType.TOPIC, topic, ACLOperation.DESCRIBE)]
    if group:
        grants.append((ResourceType.GROUP, group, ACLOperation.READ))
    cluster.grant(principal, *grants)
    if output_prefix:
        cluster.grant(principal, *((ResourceType.TOPIC, output_prefix, operation) for operation in (
            ACLOperation.WRITE, ACLOperation.DESCRIBE, ACLOperation.CREATE, ACLOperation.READ)),
            pattern_type=ACLResourcePatternType.PREFIXED)


def sasl_args(cluster, user: str, password: str | None = None) -> list[str]:
    return ["--bootstrap-servers", cluster.sasl_ssl_bootstrap_servers, "--security-protocol", "SASL_SSL",
            "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", user,
            "--sasl-password", CLUSTER_USERS[user] if password is None else password,
            "--ssl-cafile", cluster.certs["ca.pem"]]


def run_args(topic: str, output, group: str) -> list[str]:
    return ["--topic", topic, "--group-id", group, "--output", str(output), "--no-events",
            "--kafka-timeout", "20", "--kafka-idle-timeout", "15"]


def one_error_line(err: str) -> str:
    """stderr holds exactly one line, an error, and no traceback."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def article_ids(output) -> list[str]:
    return sorted(a["article_id"] for a in read_outputs(str(output))["articles"])


def test_sasl_scram_user_reads_and_writes_with_its_acls(kafka_cluster, topic, tmp_path, capsys):
    load_topic(kafka_cluster, topic)
    prefix = f"out-{topic}"
    grant_reader(kafka_cluster, "User:ingest", topic, "g-sasl", prefix)
    code = main(["run", *sasl_args(kafka_cluster, "ingest"), *run_args(topic, tmp_path, "g-sasl"),
                 "--output-topic-prefix", prefix])
    assert code == 0, capsys.readouterr().err
    assert article_ids(tmp_path) == [f"sec-{i}" for i in range(ARTICLES)]
    assert kafka_cluster.committed(topic, "g-sasl") == {0: 2, 1: 2, 2: 2}
    consumer = KafkaConsumer(f"{prefix}.articles", auto_offset_reset="earliest", consumer_timeout_ms=5000,
                             **kafka_cluster.sasl_config("ingest"))
    try:
        written = sorted(decode_single_object("article", m.value)["article_id"] for m in consumer)
    finally:
        consumer.close()
    assert written == [f"sec-{i}" for i in range(ARTICLES)]


def test_sasl_wrong_password_ends_with_one_line_and_exit_1_at_once(kafka_cluster, topic, tmp_path, capsys):
    load_topic(kafka_cluster, topic)
    started = time.monotonic()
    code = main(["run", *sasl_args(kafka_cluster, "ingest", "not-the-password"), *run_args(topic, tmp_path, "g"),
                 "--kafka-timeout", "120"])
    elapsed = time.monotonic() - started
    assert code == 1
    line = one_error_line(capsys.readouterr().err)
    assert "authentication failed for user 'ingest'" in line and "--sasl-password" in line
    assert elapsed < 60, "a rejected password must end the run, not wait out --kafka-timeout (120 s)"
    assert list(tmp_path.iterdir()) == []


def test_sasl_user_without_read_on_the_topic_gets_a_clear_authorization_error(kafka_cluster, topic, tmp_path,
                                                                               capsys):
    load_topic(kafka_cluster, topic)
    kafka_cluster.grant("User:no-read", (ResourceType.GROUP, "g-noread", ACLOperation.READ))
    code = main(["run", *sasl_args(kafka_cluster, "no-read"), *run_args(topic, tmp_path, "g-noread")])
    assert code == 1
    line = one_error_line(capsys.readouterr().err)
    assert f"user 'no-read' is not authorized to read topic '{topic}'" in line and "grant it READ" in line
    assert list(tmp_path.iterdir()) == []


def test_sasl_user_without_read_on_the_group_gets_a_clear_authorization_error(kafka_cluster, topic, tmp_path,
                                                                               capsys):
    load_topic(kafka_cluster, topic)
    grant_reader(kafka_cluster, "User:no-read", topic)
    code = main(["run", *sasl_args(kafka_cluster, "no-read"), *run_args(topic, tmp_path, "g-not-granted")])
    assert code == 1
    line = one_error_line(capsys.readouterr().err)
    assert "not authorized to use consumer group 'g-not-granted'" in line and "READ on the group" in line
    assert kafka_cluster.committed(topic, "g-not-granted") == {0: None, 1: None, 2: None}


@pytest.mark.parametrize("outputs_exist", [True, False], ids=["checked-before-work", "refused-while-writing"])
def test_sasl_user_without_write_on_output_topics_fails_clearly_and_commits_nothing(
        kafka_cluster, topic, tmp_path, capsys, outputs_exist):
    """Existing output topics are checked before work starts; topics the run itself creates (the user
    may CREATE and DESCRIBE them, not WRITE) are refused by the brokers on the first write."""
    load_topic(kafka_cluster, topic)
    prefix = f"out-{topic}"
    if outputs_exist:
        for name in ("articles", "events", "dead_letters"):
            kafka_cluster.create_topic(f"{prefix}.{name}")
    else:
        kafka_cluster.grant("User:no-write", *((ResourceType.TOPIC, prefix, operation) for operation in (
            ACLOperation.DESCRIBE, ACLOperation.CREATE)), pattern_type=ACLResourcePatternType.PREFIXED)
    group = f"g-{topic}"
    grant_reader(kafka_cluster, "User:no-write", topic, group)
    code = main(["run", *sasl_args(kafka_cluster, "no-write"), *run_args(topic, tmp_path, group),
                 "--output-topic-prefix", prefix])
    assert code == 1
    line = one_error_line(capsys.readouterr().err)
    if outputs_exist:
        assert f"user 'no-write' is not authorized to write topic '{prefix}.articles'" in line
    else:
        # kafka-python's idempotent producer first asks for IDEMPOTENT_WRITE, which WRITE on a topic implies
        assert "AuthorizationFailedError in WriteArticles" in line and "WRITE on the output topics" in line
    assert kafka_cluster.committed(topic, group) == {0: None, 1: None, 2: None}


def test_sasl_password_never_appears_in_debug_logs(kafka_cluster, topic, tmp_path, capsys, caplog):
    load_topic(kafka_cluster, topic)
    grant_reader(kafka_cluster, "User:ingest", topic, "g-debug")
    caplog.set_level(logging.DEBUG)
    assert main(["run", *sasl_args(kafka_cluster, "ingest"), *run_args(topic, tmp_path / "ok", "g-debug")]) == 0
    wrong = "Wr0ng-but-also-secret"
    assert main(["run", *sasl_args(kafka_cluster, "ingest", wrong), *run_args(topic, tmp_path / "bad", "g")]) == 1
    captured = capsys.readouterr()
    assert "sasl" in caplog.text.lower(), "DEBUG logging of the Kafka clients was not captured"
    for secret in (CLUSTER_USERS["ingest"], wrong):
        assert secret not in caplog.text + captured.out + captured.err
        assert not any(p.is_file() and secret.encode() in p.read_bytes() for p in tmp_path.rglob("*"))


def test_mtls_client_certificate_reads_and_writes(kafka_cluster, topic, tmp_path, capsys):
    load_topic(kafka_cluster, topic)
    prefix = f"out-{topic}"
    grant_reader(kafka_cluster, "User:newsstream-client", topic, "g-mtls", prefix)
    certs = kafka_cluster.certs
    code = main(["run", "--bootstrap-servers", kafka_cluster.mtls_bootstrap_servers, "--security-protocol", "SSL",
                 "--ssl-cafile", certs["ca.pem"], "--ssl-certfile", certs["client.pem"],
                 "--ssl-keyfile", certs["client.key"], *run_args(topic, tmp_path, "g-mtls"),
                 "--output-topic-prefix", prefix])
    assert code == 0, capsys.readouterr().err
    assert article_ids(tmp_path) == [f"sec-{i}" for i in range(ARTICLES)]
    consumer = KafkaConsumer(f"{prefix}.articles", auto_offset_reset="earliest", consumer_timeout_ms=5000,
                             **kafka_cluster.mtls_config())
    try:
        assert len(list(consumer)) == ARTICLES
    finally:
        consumer.close()


def test_mtls_listener_refuses_a_client_without_certificate(kafka_cluster, topic, tmp_path, capsys):
    code = main(["run", "--bootstrap-servers", kafka_cluster.mtls_bootstrap_servers, "--security-protocol", "SSL",
                 "--ssl-cafile", kafka_cluster.certs["ca.pem"], *run_args(topic, tmp_path, "g"),
                 "--kafka-timeout", "4"])
    assert code == 1
    line = one_error_line(capsys.readouterr().err)
    assert "could not open a Kafka session" in line


def test_tls_certificate_from_another_ca_is_not_trusted(kafka_cluster, topic, tmp_path, capsys):
    code = main(["run", "--bootstrap-servers", kafka_cluster.sasl_ssl_bootstrap_servers, "--security-protocol",
                 "SASL_SSL", "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "ingest", "--sasl-password",
                 CLUSTER_USERS["ingest"], "--ssl-cafile", kafka_cluster.certs["other-ca.pem"],
                 *run_args(topic, tmp_path, "g")])
    assert code == 1
    line = one_error_line(capsys.readouterr().err)
    assert "is not trusted" in line and "--ssl-cafile" in line
