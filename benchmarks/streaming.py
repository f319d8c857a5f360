"""Streaming latency and throughput: the job on Prism (`newsstream run --streaming --runner PrismRunner`,
events on) fed BBC articles through the embedded broker (Tansu, pipelines/io/broker.py) at fixed rates.

For each rate the job is started and warmed up (articles sent every 2 s until one is in a closed file;
a rate whose job writes nothing within --timeout is reported as such and the next rate runs), then
`--seconds` of articles are produced at that rate, one at a time; more articles follow at the same rate
until every measured one is in a closed file (so the end of the feed does not hold the last ones back).
Latency of an article = the time its output file was closed (renamed into place) - its Kafka append
time; p50 over the first and the second half of the feed tells whether a backlog builds up. Throughput:
measured articles / (last close - first append) ("sustained", which carries one latency, so a short feed
understates it), and measured articles / (last close - first close) ("output", the rate files take them
once the first is out). Peak memory = resident memory of the job's process tree (the command, its SDK
harness threads and Prism). Dedup state per paragraph: the articles of the highest rate, as fed, filed
bucket by bucket with MatchInBuckets' state layout in memory (bytes of all bucket states per paragraph;
Prism's state is not readable from outside). Reference, in the same run: the bounded job (FnApiRunner)
over the topic of the highest rate; the ratio best sustained streaming / bounded is printed.
`--job-args` passes options to the streaming job (e.g. '--watermark-max-delay 5'). Last line: JSON.
"""
from __future__ import annotations

import argparse
import datetime
import glob
import itertools
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.common import (  # noqa: E402
    bbc_articles,
    print_result,
    tree_rss_bytes,  # noqa: E402
)
from benchmarks.dedup_scale import streaming_state  # noqa: E402
from benchmarks.e2e import run_pipeline as run_bounded  # noqa: E402
from pipelines.cli import local_prism  # noqa: E402
from pipelines.io.avro import read_avro_file  # noqa: E402
from pipelines.io.broker import EmbeddedBroker  # noqa: E402
from pipelines.io.kafka import ensure_topic  # noqa: E402
from pipelines.io.kafka_config import KafkaConnection  # noqa: E402


def message(article: dict, prefix: str) -> tuple[bytes, bytes]:
    article_id = f"{prefix}-{article['id']}"
    return article_id.encode(), json.dumps({"id": article_id, "source": "BBC News", "title": article["title"],
                                            "text": article["text"], "language": "en"}).encode()


def closed_articles(output: str) -> dict[str, tuple[float, float]]:
    """article id -> (Kafka append time, file close time), seconds since the epoch."""
    found = {}
    for path in glob.glob(os.path.join(output, "articles-*.avro")):
        closed = os.path.getmtime(path)
        for record in read_avro_file(path):
            appended = record["kafka"]["timestamp"]
            if isinstance(appended, datetime.datetime):
                appended = appended.timestamp()
            else:
                appended = appended / 1000
            found[record["article_id"]] = (appended, closed)
    return found


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))], 2)


class StreamingJob:
    """The streaming command in its own process group, with its peak tree memory sampled."""

    def __init__(self, bootstrap: str, topic: str, output: str, window_seconds: int, job_args: list[str]):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "run", "--streaming", "--runner", "PrismRunner",
             "--bootstrap-servers", bootstrap, "--topic", topic, "--group-id", f"bench-{topic}",
             "--window-seconds", str(window_seconds), "--output", output, *job_args],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "PYTHONPATH": ROOT})
        self.peak = 0
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self):
        while self.process.poll() is None:
            self.peak = max(self.peak, tree_rss_bytes(self.process.pid))
            time.sleep(0.5)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        finally:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def measure_rate(connection: KafkaConnection, rate: float, articles: list[dict], scratch: str,
                 window_seconds: int, timeout_s: float, job_args: list[str]) -> dict:
    from kafka import KafkaProducer

    topic = f"rate{rate:g}".replace(".", "_")
    ensure_topic(connection, topic, 3)
    output = os.path.join(scratch, topic)
    job = StreamingJob(connection.bootstrap_servers, topic, output, window_seconds, job_args)
    producer = KafkaProducer(acks="all", **connection.client_config())
    filler = (message(a, f"{topic}-tail{i}") for i, a in enumerate(articles * 100))
    try:
        started = time.monotonic()
        for attempt in itertools.count():
            warm_key, warm_value = message(articles[attempt % len(articles)], f"{topic}-warmup{attempt}")
            producer.send(topic, key=warm_key, value=warm_value).get(timeout=30)
            time.sleep(2)
            if any(key.startswith(f"{topic}-warmup") for key in closed_articles(output)):
                break
            if time.monotonic() - started > timeout_s:
                print(f"rate {rate:g}: the job wrote nothing in {timeout_s:.0f}s; rate skipped", flush=True)
                return {"rate_in": rate, "articles": len(articles), "written": 0,
                        "warmup_failed_after_s": round(time.monotonic() - started)}
        warmup_s = time.monotonic() - started
        measured = [message(a, f"{topic}-m{i}") for i, a in enumerate(articles)]
        wanted = {key.decode() for key, _ in measured}
        gap, begin = 1 / rate, time.monotonic()
        for number, (key, value) in enumerate(measured):
            time.sleep(max(0.0, begin + number * gap - time.monotonic()))
            producer.send(topic, key=key, value=value)
        producer.flush()
        deadline = time.monotonic() + timeout_s
        found = closed_articles(output)
        while not wanted <= found.keys() and time.monotonic() < deadline:
            key, value = next(filler)
            producer.send(topic, key=key, value=value)
            time.sleep(gap)
            found = closed_articles(output)
    finally:
        producer.close()
        job.stop()
    timings = [found[k] for k in sorted(wanted & found.keys(), key=lambda k: found[k][0])]
    latencies = [closed - appended for appended, closed in timings]
    half = len(latencies) // 2
    span = max(c for _, c in timings) - min(a for a, _ in timings) if timings else None
    closing = max(c for _, c in timings) - min(c for _, c in timings) if timings else None
    return {
        "rate_in": rate, "articles": len(wanted), "written": len(timings),
        "latency_p50_s": percentile(latencies, 50), "latency_p95_s": percentile(latencies, 95),
        "latency_p99_s": percentile(latencies, 99),
        "latency_p50_first_half_s": percentile(latencies[:half], 50),
        "latency_p50_second_half_s": percentile(latencies[half:], 50),
        "sustained_articles_per_s": round(len(timings) / span, 2) if span else 0.0,
        "output_articles_per_s": round(len(timings) / closing, 2) if closing else None,
        "warmup_s": round(warmup_s, 1),
        "peak_memory_mb": round(job.peak / 2**20),
    }


def state_per_paragraph(articles: list[dict], prefix: str) -> dict:
    """Dedup state of the articles as fed (same ids and text), filed bucket by bucket with MatchInBuckets'
    layout in memory: bytes held across all buckets per paragraph."""
    fields = [json.loads(message(article, f"{prefix}-m{i}")[1]) for i, article in enumerate(articles)]
    figures = streaming_state(fields)
    return {"paragraphs": figures["paragraphs"], "bytes_per_paragraph": round(figures["bytes_per_paragraph"]),
            "bytes_per_cluster": round(figures["bytes_per_cluster"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="2,5,10", help="input rates, articles per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each rate is fed")
    parser.add_argument("--limit", type=int, default=None, help="at most N measured articles per rate")
    parser.add_argument("--window-seconds", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=180.0, help="give up waiting after this many seconds")
    parser.add_argument("--job-args", default="", help="more options for the streaming job, e.g. "
                                                       "'--watermark-max-delay 5'")
    args = parser.parse_args()
    if not local_prism().exists():
        sys.exit(f"Prism is not built at {local_prism()}: run `make prism`")
    rates = [float(r) for r in args.rates.split(",")]
    counts = [min(args.limit or 10**9, int(rate * args.seconds)) for rate in rates]
    articles = bbc_articles(max(counts))
    job_args = shlex.split(args.job_args)
    results = []
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory() as scratch:
        connection = KafkaConnection(broker.bootstrap_servers)
        for rate, count in zip(rates, counts, strict=True):
            result = measure_rate(connection, rate, articles[:count], scratch, args.window_seconds, args.timeout,
                                  job_args)
            results.append(result)
            if result["written"]:
                print(f"{rate:g} articles/s in: {result['written']}/{result['articles']} written, latency p50 "
                      f"{result['latency_p50_s']}s p95 {result['latency_p95_s']}s p99 {result['latency_p99_s']}s "
                      f"(p50 first half {result['latency_p50_first_half_s']}s, second half "
                      f"{result['latency_p50_second_half_s']}s), append-to-close "
                      f"{result['sustained_articles_per_s']}/s, output {result['output_articles_per_s']}/s, "
                      f"peak {result['peak_memory_mb']} MB", flush=True)
        top = f"rate{rates[-1]:g}".replace(".", "_")
        seconds, _ = run_bounded(broker.bootstrap_servers.split(",")[0], "bench-bounded",
                                 os.path.join(scratch, "bounded"), ["--topic", top, "--no-commit"])
        bounded_rate = len(closed_articles(os.path.join(scratch, "bounded"))) / seconds
    print(f"reference: the bounded job over topic {top} ({seconds:.1f}s, start-up included): "
          f"{bounded_rate:.2f} articles/s")
    state = state_per_paragraph(articles[:max(counts)], top)
    print(f"dedup state of the {state['paragraphs']} paragraphs fed at {rates[-1]:g}/s: "
          f"{state['bytes_per_paragraph']} B per paragraph across its buckets, {state['bytes_per_cluster']} B per "
          f"stored cluster")
    sustained = [r["sustained_articles_per_s"] for r in results if r["written"]]
    print_result({"broker": "embedded (Tansu, pipelines/io/broker.py)", "window_seconds": args.window_seconds,
                  "job_args": job_args, "rates": results, "dedup_state": state,
                  "bounded_articles_per_s": round(bounded_rate, 2),
                  "ratio_best_sustained_to_bounded": round(max(sustained) / bounded_rate, 2) if sustained else None})


if __name__ == "__main__":
    main()
