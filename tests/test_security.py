"""TLS live through a TLS-terminating proxy; SASL and credentials at the configuration level;
no secret in logs, errors or output."""
from __future__ import annotations

import json
import logging
import ssl
import time

import pytest

from pipelines.cli import main
from pipelines.io import consumer_pool, discovery, offsets
from pipelines.io import kafka as kafka_io
from pipelines.io.avro import decode_single_object
from pipelines.io.broker import EmbeddedBroker, free_port
from pipelines.io.kafka_config import load_kafka_properties
from pipelines.options import NewsstreamOptions, redact_secrets
from tests.conftest import close_pipeline_clients, read_outputs
from tests.netfaults import FaultProxy
from tests.tlscerts import make_certificates

SECRET = "s3cr3t-Pa55word-never-shown"


@pytest.fixture
def tls_broker(tmp_path):
    """The embedded broker behind a TLS-terminating proxy that it advertises; yields (address, cert paths)."""
    certs = make_certificates(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(certs["server.pem"], certs["server.key"])
    proxy_port = free_port()
    with EmbeddedBroker(advertised_port=proxy_port) as broker, FaultProxy(proxy_port, broker.port, tls=server_tls):
        yield f"127.0.0.1:{proxy_port}", certs
        close_pipeline_clients()


@pytest.mark.integration
def test_produce_read_and_write_through_tls(tls_broker, tmp_path):
    bootstrap, certs = tls_broker
    tls = ["--security-protocol", "SSL", "--ssl-cafile", certs["ca.pem"]]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps({"id": f"tls-{i}", "text": f"Story {i} over TLS."}) for i in range(5)))
    assert main(["produce", str(source), "--bootstrap-servers", bootstrap, "--topic", "secure", *tls]) == 0
    output = tmp_path / "out"
    assert main(["run", "--bootstrap-servers", bootstrap, "--topic", "secure", "--output", str(output),
                 "--output-topic-prefix", "secure-out", "--kafka-timeout", "10", *tls]) == 0
    assert sorted(a["article_id"] for a in read_outputs(str(output))["articles"]) == [f"tls-{i}" for i in range(5)]

    from kafka import KafkaConsumer

    consumer = KafkaConsumer("secure-out.articles", bootstrap_servers=bootstrap, security_protocol="SSL",
                             ssl_cafile=certs["ca.pem"], auto_offset_reset="earliest", consumer_timeout_ms=5000)
    try:
        ids = sorted(decode_single_object("article", m.value)["article_id"] for m in consumer)
    finally:
        consumer.close()
    assert ids == [f"tls-{i}" for i in range(5)]


@pytest.mark.integration
def test_wrong_ca_fails_fast_with_a_clear_message(tls_broker, tmp_path, capsys):
    bootstrap, certs = tls_broker
    started = time.monotonic()
    code = main(["run", "--bootstrap-servers", bootstrap, "--topic", "secure", "--output", str(tmp_path),
                 "--security-protocol", "SSL", "--ssl-cafile", certs["other-ca.pem"], "--kafka-timeout", "20"])
    assert code == 1
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert f"TLS certificate of {bootstrap} is not trusted" in err and "--ssl-cafile" in err


def options(*args: str) -> NewsstreamOptions:
    return NewsstreamOptions(["--bootstrap-servers", "127.0.0.1:9", *args])


def test_sasl_flags_become_kafka_python_settings_and_are_hidden_in_repr():
    connection = options("--security-protocol", "SASL_SSL", "--sasl-mechanism", "SCRAM-SHA-512",
                         "--sasl-username", "ingest", "--sasl-password", SECRET).kafka_connection()
    config = connection.client_config()
    assert config["security_protocol"] == "SASL_SSL"
    assert config["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (config["sasl_plain_username"], config["sasl_plain_password"]) == ("ingest", SECRET)
    assert SECRET not in repr(connection) and SECRET not in str(connection)


def test_credentials_from_environment_and_properties_file_with_flags_winning(tmp_path, monkeypatch):
    properties = tmp_path / "client.properties"
    properties.write_text(
        "# a Kafka client file\n"
        "bootstrap.servers=broker.internal:9093\n"
        "security.protocol=SASL_SSL\n"
        "sasl.mechanism=SCRAM-SHA-256\n"
        'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required '
        f'username="from-file" password="{SECRET}";\n'
        "ssl.ca.location=/etc/ssl/ca.pem\n"
        "client.id=ignored\n")
    loaded = load_kafka_properties(str(properties))
    assert loaded["sasl_plain_username"] == "from-file" and loaded["sasl_plain_password"] == SECRET
    assert loaded["ssl_cafile"] == "/etc/ssl/ca.pem" and loaded["sasl_mechanism"] == "SCRAM-SHA-256"

    opts = NewsstreamOptions(["--kafka-properties", str(properties)])
    assert opts.kafka_connection().client_config()["bootstrap_servers"] == ["broker.internal:9093"]
    monkeypatch.setenv("NEWSSTREAM_SASL_USERNAME", "from-env")
    monkeypatch.setenv("NEWSSTREAM_SASL_PASSWORD", "env-password")
    config = NewsstreamOptions(["--kafka-properties", str(properties)]).kafka_connection().client_config()
    assert (config["sasl_plain_username"], config["sasl_plain_password"]) == ("from-env", "env-password")
    config = NewsstreamOptions(["--kafka-properties", str(properties), "--sasl-username", "from-flag",
                                "--sasl-mechanism", "PLAIN"]).kafka_connection().client_config()
    assert (config["sasl_plain_username"], config["sasl_mechanism"]) == ("from-flag", "PLAIN")


def test_credentials_from_environment_or_file_are_not_serialized_with_the_job(tmp_path, monkeypatch):
    import pickle

    properties = tmp_path / "client.properties"
    properties.write_text(f"sasl.password={SECRET}\nsasl.username=ingest\n")
    monkeypatch.setenv("NEWSSTREAM_SASL_PASSWORD", SECRET)
    for args in (["--kafka-properties", str(properties)], []):
        connection = options(*args).kafka_connection()
        assert connection.client_config()["sasl_plain_password"] == SECRET
        assert SECRET.encode() not in pickle.dumps(connection)


class ClientOpened(Exception):
    """Raised by the recording fakes right after a Kafka client is constructed."""


def test_every_kafka_client_the_pipeline_opens_gets_the_security_settings(monkeypatch):
    seen = []

    def recording_client(kind):
        def construct(*args, **config):
            seen.append((kind, config))
            raise ClientOpened(kind)
        return construct

    import kafka.admin

    for module in (kafka_io, consumer_pool, offsets, discovery):
        for name in ("KafkaConsumer", "KafkaProducer"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, recording_client(name))
    monkeypatch.setattr(kafka.admin, "KafkaAdminClient", recording_client("KafkaAdminClient"))
    connection = options("--security-protocol", "SASL_PLAINTEXT", "--sasl-mechanism", "PLAIN",
                         "--sasl-username", "ingest", "--sasl-password", SECRET).kafka_connection()
    settings = kafka_io.ReadSettings(topics=("t",), group_id="g")
    spec = kafka_io.PartitionSpec("t", 0, 0, 1)
    partition = kafka_io.TopicPartition("t", 0)
    entry_points = [
        lambda: kafka_io.plan_partitions(connection, settings),
        lambda: consumer_pool.ConsumerPool().lease(connection, settings.consumer_config, partition, 0).__enter__(),
        lambda: offsets.OffsetCommitter(connection).commit("g", partition, 1),
        lambda: offsets.EndOffsets().end_offset(connection, partition),
        lambda: discovery.topic_partitions(connection, ("t",)),
        lambda: list(kafka_io.CommitBoundedOffsetsFn(connection, "g").process(spec, 1)),
        lambda: kafka_io.WriteToKafkaFn(connection, "t").setup(),
        lambda: kafka_io.ensure_topic(connection, "t", 1),
        lambda: kafka_io.produce_messages(connection, "t", []),
    ]
    for entry_point in entry_points:
        with pytest.raises(ClientOpened):
            entry_point()
    assert len(seen) == len(entry_points)
    for _kind, config in seen:
        assert config["security_protocol"] == "SASL_PLAINTEXT"
        assert (config["sasl_mechanism"], config["sasl_plain_username"]) == ("PLAIN", "ingest")
        assert config["sasl_plain_password"] == SECRET


def test_secret_flags_are_blanked_once_the_pipeline_is_built():
    from apache_beam.options.pipeline_options import PipelineOptions

    pipeline_options = PipelineOptions(["--sasl-password", SECRET, "--sasl-username", "ingest"])
    redact_secrets(pipeline_options)
    shown = json.dumps(pipeline_options.get_all_options(), default=str)
    assert SECRET not in shown and "ingest" in shown


@pytest.mark.integration
def test_failing_sasl_is_reported_clearly_without_the_secret(broker, tmp_path, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    code = main(["run", "--bootstrap-servers", broker.bootstrap_servers, "--topic", "any", "--output",
                 str(tmp_path), "--security-protocol", "SASL_PLAINTEXT", "--sasl-mechanism", "PLAIN",
                 "--sasl-username", "ingest", "--sasl-password", SECRET, "--kafka-timeout", "3"])
    captured = capsys.readouterr()
    assert code == 1
    assert "could not open a Kafka session" in captured.err and "--sasl-*" in captured.err
    assert SECRET not in captured.out + captured.err + caplog.text
    assert not any(path.is_file() and SECRET.encode() in path.read_bytes() for path in tmp_path.rglob("*"))
