"""The streaming job for real: Prism (built by `make prism`) reading the embedded broker over loopback.

Each test produces articles while the job runs and waits, bounded in time, for what it expects in closed
files under the output directory. Output files are closed every WINDOW seconds of processing time."""
from __future__ import annotations

import datetime
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from pipelines.cli import counters
from pipelines.io.kafka import ensure_topic, produce_messages
from pipelines.io.kafka_config import KafkaConnection
from pipelines.options import NewsstreamOptions
from pipelines.pipeline import build
from pipelines.streaming_demo import recent_samples
from tests.conftest import read_outputs, run_pipeline

pytestmark = pytest.mark.integration
WINDOW = 2
BOUND_S = 120  # generous: the machine running the suite may be shared


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def minutes_ago(minutes: float) -> str:
    return iso(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=minutes))


WORDS = ("council harbour bridge railway depot ferry terminal stadium roof library tram line school budget "
         "river flood storm mayor minister court judge strike union factory port airport runway hospital ward "
         "nurse doctor police station market price farmer harvest drought wildfire forest village road tunnel "
         "museum gallery theatre concert festival election ballot campaign senator treaty border customs tariff "
         "bank loan mortgage rent housing tenant landlord permit inspector engineer crane tower canal lock dam "
         "reservoir pipeline grid outage battery solar wind turbine coast cliff beach lifeguard rescue").split()


def story(article_id: str, published_at: str, topic: str) -> dict:
    """An article of three paragraphs of 30 words drawn from WORDS, determined by `topic` (the same topic =
    the same text, a copy; different topics share no paragraph)."""
    draw = random.Random(topic)
    paragraphs = [" ".join(draw.choice(WORDS) for _ in range(30)).capitalize() + "." for _ in range(3)]
    return {"id": article_id, "title": f"About {topic}", "published_at": published_at, "language": "en",
            "text": "\n".join(paragraphs)}


def produce(broker, topic: str, articles: list[dict]) -> None:
    connection = KafkaConnection(broker.bootstrap_servers)
    produce_messages(connection, topic, [(a["id"].encode(), json.dumps(a).encode()) for a in articles])


def job_args(broker, topic: str, output, group: str, *extra: str) -> list[str]:
    """The job's flags. Records are produced while the job runs, so a caught-up partition's watermark may
    trail the clock by 1 s (not 30): articles settle about a second after they are read."""
    return ["--streaming", "--bootstrap-servers", broker.bootstrap_servers, "--topic", topic, "--group-id", group,
            "--output", str(output), "--window-seconds", str(WINDOW), "--watermark-max-delay", "1", *extra]


class CommandLineJob:
    """`newsstream run --streaming --runner PrismRunner ...` as a child process in its own process group
    (the command and the Prism runner it starts), so the test can stop or kill exactly what it started."""

    def __init__(self, args: list[str], log_path):
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "run", "--runner", "PrismRunner", *args],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def kill_hard(self) -> None:
        """kill -9 of the job: the command and its Prism runner, mid-stream."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout_s: float = BOUND_S) -> int:
        """SIGTERM to the command, as a service manager sends; returns its exit code."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout_s)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        else:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # a Prism runner the command left behind
            except ProcessLookupError:
                pass
        self.log.close()

    def __enter__(self) -> CommandLineJob:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class InProcessJob:
    """The pipeline on Prism in this process (metrics readable); cancelled when the `with` block ends."""

    def __init__(self, prism: str, args: list[str]):
        # its own Prism: Beam shares one per process, and a DirectRunner run earlier in the session may have
        # claimed it without a location
        options = PipelineOptions(["--runner=PrismRunner", f"--prism_location={prism}",
                                   "--experiments=disable_prism_server_singleton", *args])
        self.output = options.view_as(NewsstreamOptions).output
        pipeline = beam.Pipeline(options=options)
        build(pipeline, options.view_as(NewsstreamOptions))
        self.result = pipeline.run()

    def counters(self) -> dict[str, int]:
        """The job's counters as Prism has them now. Beam's portable PipelineResult keeps the first answer
        to metrics() for good (PortableRunner caches it), so a running job's are asked for afresh."""
        self.result._metrics = None
        return counters(self.result)

    def __enter__(self) -> InProcessJob:
        return self

    def __exit__(self, *exc) -> None:
        self.result.cancel()


def articles_by_id(output) -> dict[str, dict]:
    return {a["article_id"]: a for a in read_outputs(str(output))["articles"]}


def wait_for(output, ready: Callable[[dict[str, dict]], bool], what: str, timeout_s: float = BOUND_S) -> dict:
    """Polls the closed files under `output` until `ready(articles by id)`; fails after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = articles_by_id(output)
        if ready(found):
            return found
        time.sleep(0.5)
    pytest.fail(f"{what} not in closed files after {timeout_s:.0f}s; found {sorted(articles_by_id(output))}")


def removed_count(article: dict) -> int:
    return len(article["removed_paragraphs"])


def test_articles_produced_while_running_reach_closed_files(broker, topic, tmp_path, prism):
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, 1)
    with InProcessJob(prism, job_args(broker, topic, tmp_path, "live-1", "--no-events")):
        produce(broker, topic, [story("first", minutes_ago(30), "harbour bridge")])
        produced = time.time()
        wait_for(tmp_path, lambda found: "first" in found, "the first article")
        waited = time.time() - produced
        produce(broker, topic, [story("second", minutes_ago(29), "railway depot")])
        wait_for(tmp_path, lambda found: "second" in found, "the second article")
    assert waited < BOUND_S
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".") or ":" in n]


def test_a_copy_in_a_later_window_is_deduplicated_against_the_state(broker, topic, tmp_path, prism):
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, 1)
    with InProcessJob(prism, job_args(broker, topic, tmp_path, "live-2", "--no-events")):
        produce(broker, topic, [story("original-2", minutes_ago(50), "ferry terminal expansion")])
        wait_for(tmp_path, lambda found: "original-2" in found, "the original")
        time.sleep(WINDOW + 1)
        produce(broker, topic, [story("copy-2", minutes_ago(45), "ferry terminal expansion")])
        found = wait_for(tmp_path, lambda found: "copy-2" in found, "the copy")
    copy = found["copy-2"]
    assert copy["paragraphs"] == [] and removed_count(copy) == 3
    assert {(r["index"], r["duplicate_of"]["article_id"], r["duplicate_of"]["index"])
            for r in copy["removed_paragraphs"]} == {(0, "original-2", 0), (1, "original-2", 1), (2, "original-2", 2)}
    assert removed_count(found["original-2"]) == 0


def wait_for_counter(job: InProcessJob, name: str, what: str, timeout_s: float = BOUND_S) -> dict[str, int]:
    """Polls the running job's counters until `name` is positive (Prism counts a bundle's metrics once it
    completes); fails after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        totals = job.counters()
        if totals.get(name, 0) > 0:
            return totals
        time.sleep(0.5)
    pytest.fail(f"{what}: {name} not counted after {timeout_s:.0f}s; counters {job.counters()}")


def test_entries_expire_after_the_retention_and_a_later_copy_is_kept(broker, topic, tmp_path, prism):
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, 1)
    retention_s = 10
    # the expiry timer is an event-time timer: a caught-up partition's watermark trails the clock by the
    # max delay, so the original's clusters expire about retention + max delay after it was produced
    args = job_args(broker, topic, tmp_path, "live-3", "--no-events",
                    "--dedup-retention-days", str(retention_s / 86400))
    with InProcessJob(prism, args) as job:
        produce(broker, topic, [story("original-3", minutes_ago(0), "stadium roof repair")])
        wait_for(tmp_path, lambda found: "original-3" in found, "the original")
        # no later record is needed: the idle partition's watermark follows the clock
        wait_for_counter(job, "dedup.expired_clusters", "the original's clusters")
        produce(broker, topic, [story("copy-3", minutes_ago(0), "stadium roof repair")])
        found = wait_for(tmp_path, lambda found: "copy-3" in found, "the copy")
    assert removed_count(found["copy-3"]) == 0 and len(found["copy-3"]["paragraphs"]) == 3, found["copy-3"]


def test_an_original_arriving_after_its_copy_is_counted_as_a_late_match(broker, topic, tmp_path, prism):
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, 1)
    with InProcessJob(prism, job_args(broker, topic, tmp_path, "live-4", "--no-events")) as job:
        produce(broker, topic, [story("copy-4", minutes_ago(20), "tram line extension")])
        wait_for(tmp_path, lambda found: "copy-4" in found, "the copy")
        produce(broker, topic, [story("original-4", minutes_ago(40), "tram line extension")])
        found = wait_for(tmp_path, lambda found: "original-4" in found, "the late original")
        totals = wait_for_counter(job, "dedup.late_matches", "the late original")
    # the total order (publication time) makes original-4 the earlier one: it keeps every paragraph, and
    # the copy, already written whole, cannot be retracted: that is what dedup.late_matches counts
    assert removed_count(found["original-4"]) == 0 and len(found["original-4"]["paragraphs"]) == 3
    assert removed_count(found["copy-4"]) == 0
    assert totals["dedup.late_matches"] >= 1


def summary_of(log_path) -> str:
    """The run summary the command printed (from its log)."""
    lines = log_path.read_text(errors="replace").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("messages read")), len(lines))
    return "\n".join(lines[start:start + 8])


def committed(broker, topic: str, group: str, partitions: int) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id=group, enable_auto_commit=False)
    try:
        return {p: consumer.committed(TopicPartition(topic, p)) or 0 for p in range(partitions)}
    finally:
        consumer.close()


def test_kill_9_mid_stream_then_restart_with_the_same_group_loses_nothing(broker, topic, tmp_path, prism):
    """At-least-once: every offset below a committed one has its article in a closed file at any moment;
    after kill -9 and a restart with the same group, the union of the outputs is the input."""
    partitions, group = 2, "live-5"
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, partitions)
    stories = [story(f"story-{i:02d}", minutes_ago(60 - i), f"topic {i}") for i in range(24)]
    args = [*job_args(broker, topic, tmp_path, group, "--no-events"), "--prism_location", prism]
    with CommandLineJob(args, tmp_path / "first.log") as first:
        for batch in range(0, 12, 3):
            produce(broker, topic, stories[batch:batch + 3])
            time.sleep(1)
        wait_for(tmp_path, lambda found: len(found) >= 6, "six articles")
        deadline = time.monotonic() + BOUND_S
        while time.monotonic() < deadline and not any(committed(broker, topic, group, partitions).values()):
            time.sleep(0.5)
        produce(broker, topic, stories[12:18])
        at_kill = committed(broker, topic, group, partitions)
        first.kill_hard()
    assert any(at_kill.values()), "no offset was committed before the kill"
    written = articles_by_id(tmp_path)  # every closed file is readable after the kill
    for article in written.values():
        assert article["kafka"]["offset"] >= 0
    positions = {(a["kafka"]["partition"], a["kafka"]["offset"]) for a in written.values()}
    for partition, offset in at_kill.items():
        assert all((partition, o) in positions for o in range(offset)), (partition, offset, sorted(positions))

    with CommandLineJob(args, tmp_path / "second.log") as second:
        produce(broker, topic, stories[18:])
        deadline = time.monotonic() + 2 * BOUND_S
        while time.monotonic() < deadline and len(articles_by_id(tmp_path)) < len(stories):
            time.sleep(0.5)
        assert second.terminate() == 0
    records = read_outputs(str(tmp_path))["articles"]
    missing = sorted({s["id"] for s in stories} - {a["article_id"] for a in records})
    assert not missing, (missing, summary_of(tmp_path / "second.log"))
    written_twice = len(records) - len(stories)
    assert 0 <= written_twice <= 18


def test_sigterm_stops_the_command_cleanly_and_leaves_only_readable_files(broker, topic, tmp_path, prism):
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, 1)
    args = [*job_args(broker, topic, tmp_path, "live-stop", "--no-events"), "--prism_location", prism]
    with CommandLineJob(args, tmp_path / "job.log") as job:
        produce(broker, topic, [story("before-stop", minutes_ago(5), "quay wall")])
        wait_for(tmp_path, lambda found: "before-stop" in found, "the article")
        assert job.terminate() == 0
    log = (tmp_path / "job.log").read_text(errors="replace")
    assert "stopping (SIGTERM)" in log and "articles written" in log
    names = [n for n in os.listdir(tmp_path) if n != "job.log"]
    assert names and all(n.endswith(".avro") and not n.startswith(".") for n in names), names
    assert "before-stop" in articles_by_id(tmp_path)


def comparable(outputs: dict[str, list[dict]]) -> dict:
    """What must agree between streaming and batch: per article the kept and removed paragraphs (with what
    they duplicate), the event ids, and the dead letters by Kafka position and reason."""
    return {
        "articles": {a["article_id"]: ([p["index"] for p in a["paragraphs"]],
                                       sorted((r["index"], r["duplicate_of"]["article_id"], r["duplicate_of"]["index"])
                                              for r in a["removed_paragraphs"]))
                     for a in outputs["articles"]},
        "events": sorted(e["event_id"] for e in outputs["events"]),
        "dead_letters": sorted((d["kafka"]["partition"], d["kafka"]["offset"], d["error_code"])
                               for d in outputs["dead_letters"]),
    }


def produce_in_record_time_order(connection: KafkaConnection, topic: str,
                                 messages: list[tuple[bytes | None, bytes]]) -> None:
    """Sends the messages with Kafka record times 10 ms apart in the order given, whatever partition each
    goes to, and waits until all are acknowledged."""
    producer = KafkaProducer(acks="all", **connection.client_config())
    start_ms = int(time.time() * 1000) - 10 * len(messages)
    try:
        sent = [producer.send(topic, key=key, value=value, timestamp_ms=start_ms + 10 * rank)
                for rank, (key, value) in enumerate(messages)]
        producer.flush()
        for future in sent:
            future.get(timeout=30)
    finally:
        producer.close()


def test_streaming_and_a_bounded_run_of_the_same_input_write_the_same_records(broker, topic, tmp_path, prism):
    # three partitions, read at their own pace: an original may reach dedup after its copy. Dedup holds an
    # article until the watermark passes its record time, so with record times in publication order (as a
    # feed appends them) every original is filed before its copy is written, as in the bounded run.
    connection = KafkaConnection(broker.bootstrap_servers)
    ensure_topic(connection, topic, 3)
    produce_in_record_time_order(connection, topic, recent_samples())
    batch_outputs, _ = run_pipeline(["--bootstrap-servers", broker.bootstrap_servers, "--topic", topic,
                                     "--group-id", "batch-6", "--no-commit", "--output", str(tmp_path / "batch"),
                                     "--kafka-idle-timeout", "10"])
    batch = comparable(batch_outputs)
    assert batch["articles"] and batch["events"] and batch["dead_letters"]
    assert any(removed for _, removed in batch["articles"].values())

    streaming_dir = tmp_path / "streaming"
    with InProcessJob(prism, job_args(broker, topic, streaming_dir, "streaming-6")):
        deadline = time.monotonic() + 2 * BOUND_S
        streaming = comparable(read_outputs(str(streaming_dir)))
        while time.monotonic() < deadline and (streaming["articles"].keys() != batch["articles"].keys()
                                               or len(streaming["dead_letters"]) < len(batch["dead_letters"])):
            time.sleep(0.5)
            streaming = comparable(read_outputs(str(streaming_dir)))
    differing = {article_id: (kept_removed, streaming["articles"].get(article_id))
                 for article_id, kept_removed in batch["articles"].items()
                 if streaming["articles"].get(article_id) != kept_removed}
    assert not differing, f"batch vs streaming (kept, removed): {differing}"
    assert streaming == batch
