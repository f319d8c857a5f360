"""Apache Kafka's own Java clients against the Apache Kafka cluster: the console producer and consumer of the
kafka-tools jars `make kafka-jars` fetches (the broker's version). Batches the Java producer compresses in
every codec are read by the pipeline, with their headers; our compressed output topics are read by the Java
consumer. The codec of each stored batch is read off the brokers' log segments (Kafka's DumpLogSegments).
Each tool runs as a child process bounded in time and is stopped by its PID if it overruns."""
from __future__ import annotations

import json
import re
import subprocess

import pytest

from pipelines.io.avro import decode_single_object
from tests.conftest import run_pipeline
from tests.kafka_cluster import JARS

pytestmark = pytest.mark.integration
CODECS = ("none", "gzip", "snappy", "lz4", "zstd")
PARTITIONS = 2
PRODUCER = "org.apache.kafka.tools.ConsoleProducer"
CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer"
DUMP_LOG_SEGMENTS = "kafka.tools.DumpLogSegments"


def run_java_tool(main_class: str, *args: str, stdin: bytes = b"", timeout_s: float = 180.0) -> str:
    """Run one Kafka tool to its end and return its standard output; killed (by PID) past `timeout_s`."""
    if not (JARS / "kafka-tools-4.1.1.jar").exists():
        pytest.skip(f"Kafka's console tools not found in {JARS}: run `make kafka-jars`")
    command = ["java", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", f"{JARS}/*", main_class, *args]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(stdin, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"{main_class} did not finish within {timeout_s:.0f}s") from None
    assert process.returncode == 0, f"{main_class} exited {process.returncode}: {err.decode(errors='replace')[-2000:]}"
    return out.decode()


def stored_codecs(cluster, topic: str) -> set[str]:
    """The compression codec of every record batch of `topic` as the brokers stored it, on every replica."""
    segments = sorted(str(path) for node in cluster.nodes
                      for path in (node.folder / "data").glob(f"{topic}-[0-9]*/*.log"))
    assert segments, f"no log segment of {topic} on any node"
    dump = run_java_tool(DUMP_LOG_SEGMENTS, "--files", ",".join(segments))
    return set(re.findall(r"compresscodec: (\w+)", dump))


def article(codec: str, i: int) -> dict:
    return {"id": f"java-{codec}-{i:02d}", "title": f"Java {codec} story {i}",
            "text": f"The ferry council of port {i} met on {codec} day.\nA second paragraph, story {i} of a batch."}


def produce_with_console_producer(cluster, topic: str, codec: str, count: int) -> None:
    """`count` keyed articles with two headers each, batched (50 ms linger) and compressed with `codec`."""
    lines = "".join(f"trace-id:t{i},client:java\tjava-{codec}-{i}\t{json.dumps(article(codec, i))}\n"
                    for i in range(count))
    run_java_tool(PRODUCER, "--bootstrap-server", cluster.bootstrap_servers, "--topic", topic,
                  "--compression-codec", codec, "--batch-size", "1000", "--timeout", "50",
                  "--request-required-acks", "all", "--request-timeout-ms", "30000",
                  "--property", "parse.key=true", "--property", "parse.headers=true", stdin=lines.encode())


def unescape_kafka_bytes(text: str) -> bytes:
    """Invert Kafka's `Bytes.toString`: printable ASCII but the backslash kept, every other byte as \\xHH."""
    return re.sub(rb"\\x([0-9A-F]{2})", lambda match: bytes([int(match[1], 16)]), text.encode("ascii"))


def consume_with_console_consumer(cluster, topic: str, count: int) -> list[tuple[str, bytes]]:
    """(key, value bytes) of the first `count` records of `topic`, read by Kafka's Java console consumer."""
    out = run_java_tool(CONSUMER, "--bootstrap-server", cluster.bootstrap_servers, "--topic", topic,
                        "--from-beginning", "--max-messages", str(count), "--timeout-ms", "60000",
                        "--value-deserializer", "org.apache.kafka.common.serialization.BytesDeserializer",
                        "--property", "print.key=true", "--property", "key.separator=\t")
    records = []
    for line in out.splitlines():
        key, value = line.split("\t", 1)
        records.append((key, unescape_kafka_bytes(value)))
    return records


@pytest.mark.parametrize("codec", CODECS)
def test_java_console_producer_batches_in_every_codec_are_read_with_their_headers(kafka_cluster, topic, tmp_path,
                                                                                  codec):
    kafka_cluster.create_topic(topic, partitions=PARTITIONS)
    produce_with_console_producer(kafka_cluster, topic, codec, 20)
    assert stored_codecs(kafka_cluster, topic) == {codec}
    outputs, totals = run_pipeline(["--bootstrap-servers", kafka_cluster.bootstrap_servers, "--topic", topic,
                                    "--group-id", f"g-java-{codec}", "--output", str(tmp_path / "out"),
                                    "--kafka-idle-timeout", "10", "--no-events"])
    articles = outputs["articles"]
    assert sorted(a["article_id"] for a in articles) == [f"java-{codec}-{i:02d}" for i in range(20)]
    assert outputs["dead_letters"] == [] and totals["parse.in"] == 20
    for a in articles:
        number = int(a["article_id"].rsplit("-", 1)[1])
        assert a["kafka"]["headers"] == [{"name": "trace-id", "value": f"t{number}".encode()},
                                         {"name": "client", "value": b"java"}]


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_compressed_output_topics_read_by_the_java_console_consumer(kafka_cluster, topic, tmp_path, codec):
    kafka_cluster.create_topic(topic, partitions=PARTITIONS)
    produce_with_console_producer(kafka_cluster, topic, "none", 6)
    prefix = f"out-{topic}"
    run_pipeline(["--bootstrap-servers", kafka_cluster.bootstrap_servers, "--topic", topic, "--group-id", "g-out",
                  "--output", str(tmp_path / "out"), "--kafka-idle-timeout", "10", "--no-events",
                  "--output-topic-prefix", prefix, "--output-compression", codec])
    name = f"{prefix}.articles"
    records = consume_with_console_consumer(kafka_cluster, name, 6)
    # kafka-python sends a batch uncompressed when compressing does not make it smaller (a lone small record)
    codecs = stored_codecs(kafka_cluster, name)
    assert codec in codecs and codecs <= {codec, "none"}
    assert sorted(key for key, _ in records) == [f"java-none-{i:02d}" for i in range(6)]
    decoded = [decode_single_object("article", value) for _, value in records]
    assert sorted(record["article_id"] for record in decoded) == [f"java-none-{i:02d}" for i in range(6)]
    assert all(record["title"].startswith("Java none story") for record in decoded)
