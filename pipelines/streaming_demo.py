"""`make demo-streaming`: the streaming job on Prism, watched while articles arrive.

Starts the embedded broker and `newsstream run --streaming --runner PrismRunner`, feeds the sample
articles one every few seconds (their publication times moved into the last hour, in publication order),
prints each output file as its window closes with a running total, then stops the job with SIGTERM as a
service manager would and prints its summary. Ends by itself."""
from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import dateutil.parser

from pipelines.cli import local_prism, message_key, sample_articles_path
from pipelines.io.avro import read_avro_file
from pipelines.io.broker import EmbeddedBroker
from pipelines.io.kafka import ensure_topic, produce_messages
from pipelines.io.kafka_config import KafkaConnection

TOPIC = "articles"


def recent_samples(now: datetime.datetime | None = None) -> list[tuple[bytes | None, bytes]]:
    """The sample messages as (key, value): unparseable ones first as they are, then the articles in
    publication order with their times moved into the last hour, a minute apart."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    lines = [line for line in open(sample_articles_path(), "rb").read().splitlines() if line.strip()]
    dated, undated = [], []
    for line in lines:
        try:
            fields = json.loads(line)
            published = dateutil.parser.parse(fields["published_at"])
        except (ValueError, TypeError, KeyError, OverflowError):
            undated.append((message_key(line), line))
            continue
        dated.append((published.replace(tzinfo=published.tzinfo or datetime.timezone.utc), fields))
    dated.sort(key=lambda item: item[0])
    moved = []
    for rank, (_, fields) in enumerate(dated):
        moment = now - datetime.timedelta(minutes=60 - rank)
        fields["published_at"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        value = json.dumps(fields).encode()
        moved.append((message_key(value), value))
    return undated + moved


def describe(path: str) -> tuple[str, int, int]:
    """(kind, records, paragraphs removed) of one closed output file."""
    kind = os.path.basename(path).split("-", 1)[0]
    records = list(read_avro_file(path))
    return kind, len(records), sum(len(r.get("removed_paragraphs") or ()) for r in records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feed-seconds", type=float, default=60.0, help="spread the samples over this long")
    parser.add_argument("--window-seconds", type=int, default=10, help="files close every this many seconds")
    parser.add_argument("--output", default=None, help="output directory (default: a new temporary one)")
    args = parser.parse_args(argv)
    if not local_prism().exists():
        print(f"error: Prism is not built at {local_prism()}: run `make prism`", file=sys.stderr)
        return 2
    output = args.output or tempfile.mkdtemp(prefix="newsstream-streaming-")
    os.makedirs(output, exist_ok=True)
    messages = recent_samples()
    with EmbeddedBroker() as broker, open(os.path.join(output, "job.log"), "wb") as log:
        connection = KafkaConnection(broker.bootstrap_servers)
        ensure_topic(connection, TOPIC, 3)
        job = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "run", "--streaming", "--runner", "PrismRunner",
             "--bootstrap-servers", broker.bootstrap_servers, "--topic", TOPIC, "--group-id", "demo",
             "--window-seconds", str(args.window_seconds), "--output", output],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        print(f"broker {broker.bootstrap_servers}, job pid {job.pid} on Prism, files close every "
              f"{args.window_seconds}s under {output}")
        try:
            watch(connection, messages, output, args.feed_seconds, args.window_seconds)
        finally:
            job.send_signal(signal.SIGTERM)
            job.wait(timeout=60)
    print(summary_from(os.path.join(output, "job.log")))
    return 0


def watch(connection: KafkaConnection, messages, output: str, feed_seconds: float, window_seconds: int) -> None:
    """Feeds the messages over feed_seconds and reports closed files until two windows pass with none."""
    gap = feed_seconds / len(messages)
    started = time.monotonic()
    seen: set[str] = set()
    totals = {"articles": 0, "events": 0, "dead_letters": 0, "removed": 0}
    fed = 0
    quiet_since = None
    while True:
        elapsed = time.monotonic() - started
        while fed < len(messages) and elapsed >= fed * gap:
            produce_messages(connection, TOPIC, [messages[fed]])
            fed += 1
            print(f"{elapsed:6.1f}s  fed message {fed}/{len(messages)}")
        for path in sorted(set(glob.glob(os.path.join(output, "*.avro"))) - seen):
            seen.add(path)
            kind, count, removed = describe(path)
            totals[kind] += count
            totals["removed"] += removed
            quiet_since = None
            print(f"{elapsed:6.1f}s  window closed: {os.path.basename(path)}: {count} {kind}"
                  f"  | so far {totals['articles']} articles, {totals['events']} events, "
                  f"{totals['dead_letters']} dead letters, {totals['removed']} paragraphs removed")
        if fed == len(messages):
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 2 * window_seconds + 5:
                return
        time.sleep(0.25)


def summary_from(log_path: str) -> str:
    lines = open(log_path, encoding="utf-8", errors="replace").read().splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("stopping")), len(lines))
    return "\n".join(line for line in lines[start:] if not line.startswith(("ERROR", "WARNING", "INFO")))


if __name__ == "__main__":
    sys.exit(main())
