"""`newsstream run | produce | inspect`: the command line."""
from __future__ import annotations

import argparse
import base64
import datetime
import itertools
import json
import logging
import re
import signal
import sys
import threading
import time
from contextlib import ExitStack
from importlib import resources
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, PrismRunnerOptions, StandardOptions
from apache_beam.version import __version__ as BEAM_VERSION

from pipelines.io.avro import read_avro_file
from pipelines.io.broker import EmbeddedBroker
from pipelines.io.files import read_lines
from pipelines.io.kafka import ensure_topic, produce_messages
from pipelines.io.kafka_config import (
    AccessDenied,
    BrokerUnavailable,
    KafkaConnection,
    KafkaPropertiesError,
    check_access,
    check_brokers,
    secret_flags_to_environment,
)
from pipelines.options import NewsstreamOptions, redact_secrets
from pipelines.pipeline import build
from pipelines.transforms.stage import METRICS_NAMESPACE

LOCAL_RUNNERS = {None, "DirectRunner", "direct", "BundleBasedDirectRunner", "SwitchingDirectRunner"}
STREAMING_RUNNERS = ("--runner PrismRunner here (built by `make prism`), or FlinkRunner / DataflowRunner on a "
                     "cluster (deploy/README.md)")
PRISM_RUNNERS = {"PrismRunner", "prism"}
SUMMARY_ROWS = (
    ("messages read", "parse.in"),
    ("articles out of dedup", "dedup.out"),
    ("articles written", "articles_written"),
    ("dead letters", "dead_letters_written"),
    ("paragraphs removed", "paragraphs_removed"),
    ("events", "events_written"),
)
SAMPLE_PARTITIONS = 3
OUTPUT_SCHEMAS = ("article", "event", "dead_letter")


def sample_articles_path() -> str:
    """The sample articles that ship with the package (loaded by `run` on the embedded broker)."""
    return str(resources.files("pipelines").joinpath("samples", "articles.jsonl"))


def local_prism() -> Path:
    """Where `make prism` builds Prism for the pinned Beam version (a git-ignored folder of the checkout)."""
    return Path(__file__).resolve().parent.parent / ".cache" / "prism" / BEAM_VERSION / "prism"


def runner_error(options: PipelineOptions) -> str | None:
    """Why these runner options cannot work here (one line), or None. Never lets Beam download Prism:
    sets --prism_location to the local build when the runner is Prism, and runs a bounded local job on the
    FnApiRunner (Beam's DirectRunner first tries Prism, downloading it, then falls back to the FnApiRunner)."""
    standard = options.view_as(StandardOptions)
    if standard.streaming and standard.runner in LOCAL_RUNNERS:
        return (f"--streaming reads Kafka without end; the DirectRunner cannot run that. "
                f"Use {STREAMING_RUNNERS}, or drop --streaming for a bounded run.")
    if standard.runner in LOCAL_RUNNERS:
        standard.runner = "FnApiRunner"
    prism = options.view_as(PrismRunnerOptions)
    if standard.runner in PRISM_RUNNERS and not prism.prism_location:
        if not local_prism().exists():
            return f"Prism is not built at {local_prism()}: run `make prism` there, or pass --prism_location PATH."
        prism.prism_location = str(local_prism())
    return None


def output_error(opts: NewsstreamOptions) -> str | None:
    """Why the output flags cannot work (one line), or None."""
    if opts.window_seconds < 1:
        return f"--window-seconds must be at least 1, not {opts.window_seconds}."
    if opts.file_shards < 1:
        return f"--file-shards must be at least 1, not {opts.file_shards}."
    return None


class StopRequested(Exception):
    """SIGTERM arrived: stop the job as Ctrl-C does."""


def _raise_stop(signum, frame):
    raise StopRequested()


def run_until_stopped(p: beam.Pipeline, max_seconds: float | None):
    """Runs the pipeline until it ends, `max_seconds` pass, Ctrl-C or SIGTERM; a streaming job is then
    cancelled. Files already closed stay as they are; records still buffered are not written and their
    offsets are not committed, so a restart with the same group reads them again."""
    previous = signal.signal(signal.SIGTERM, _raise_stop)
    result = p.run()
    try:
        result.wait_until_finish(duration=int(max_seconds * 1000) if max_seconds else None)
        stopped_by = "time limit" if max_seconds and not _is_terminal(result.state) else None
    except (KeyboardInterrupt, StopRequested) as e:
        stopped_by = "Ctrl-C" if isinstance(e, KeyboardInterrupt) else "SIGTERM"
    finally:
        signal.signal(signal.SIGTERM, previous)
    if stopped_by:
        print(f"stopping ({stopped_by}): cancelling the job; files closed so far stay readable", file=sys.stderr)
        result.cancel()
    return result


def _is_terminal(state) -> bool:
    return beam.runners.runner.PipelineState.is_terminal(state)


def message_key(value: bytes) -> bytes | None:
    """The article id as Kafka key when the line is a JSON object with an id, else no key."""
    try:
        fields = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if isinstance(fields, dict) and isinstance(fields.get("id"), (str, int)):
        return str(fields["id"]).encode("utf-8")
    return None


def produce_file(connection: KafkaConnection, topic: str, path: str, partitions: int) -> int:
    """Load every non-blank line of a JSONL file into the topic, keyed by article id."""
    ensure_topic(connection, topic, partitions)
    return produce_messages(connection, topic, ((message_key(m.value), m.value) for m in read_lines(path)))


class Progress:
    """A one-line spinner on stderr while the pipeline runs (only on a terminal)."""

    def __init__(self, label: str):
        self.label = label
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._spin, daemon=True)

    def _spin(self):
        started = time.monotonic()
        for char in itertools.cycle("|/-\\"):
            if self._stop.wait(0.2):
                return
            sys.stderr.write(f"\r{char} {self.label} {time.monotonic() - started:5.1f}s")
            sys.stderr.flush()

    def __enter__(self):
        if sys.stderr.isatty():
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
            sys.stderr.write("\r" + " " * (len(self.label) + 12) + "\r")


def _value(metric):
    return metric.committed if metric.committed is not None else metric.attempted


def counters(result) -> dict[str, int]:
    """Counter values of the newsstream namespace, summed over steps."""
    totals: dict[str, int] = {}
    for counter in result.metrics().query(beam.metrics.MetricsFilter().with_namespace(METRICS_NAMESPACE))["counters"]:
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + (_value(counter) or 0)
    return totals


def distribution_means(result) -> dict[str, float]:
    """Mean of every distribution of the newsstream namespace, merged over steps."""
    query = result.metrics().query(beam.metrics.MetricsFilter().with_namespace(METRICS_NAMESPACE))
    sums: dict[str, list[int]] = {}
    for distribution in query["distributions"]:
        data = _value(distribution)
        if data is not None and data.count:
            total = sums.setdefault(distribution.key.metric.name, [0, 0])
            total[0] += data.sum
            total[1] += data.count
    return {name: s / c for name, (s, c) in sums.items()}


def summary_table(totals: dict[str, int], output: str, means: dict[str, float] | None = None) -> str:
    """The run summary printed after `newsstream run`."""
    width = max(len(label) for label, _ in SUMMARY_ROWS)
    lines = []
    for label, name in SUMMARY_ROWS:
        lines.append(f"{label:<{width}}  {totals.get(name, 0):>8}")
        prefix = {"dead_letters_written": "dead_letters.", "events_written": "events.type."}.get(name)
        if prefix:
            parts = sorted((k.removeprefix(prefix), v) for k, v in totals.items() if k.startswith(prefix))
            lines += [f"  {part:<{width - 2}}  {count:>8}" for part, count in parts]
    means = means or {}
    stages = {k.removesuffix(".latency_us"): v / 1000 for k, v in means.items() if k.endswith(".latency_us")}
    if stages:
        lines.append("mean time per article: " + ", ".join(f"{stage} {ms:.2f} ms" for stage, ms in stages.items()))
    if "article.latency_ms" in means:
        lines.append(f"mean latency from Kafka append to sink: {means['article.latency_ms'] / 1000:.1f} s")
    lines.append(f"output: {output}/articles-*.avro, events-*.avro, dead_letters-*.avro")
    return "\n".join(lines)


def run(argv: list[str]) -> int:
    """Build and run the pipeline; with no Kafka and no file, on the embedded broker with the samples."""
    options = PipelineOptions(argv)
    opts = options.view_as(NewsstreamOptions)
    error = runner_error(options) or output_error(opts)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        if not opts.input_file and not opts.bootstrap_servers and not opts.kafka_properties:
            broker = stack.enter_context(EmbeddedBroker())
            opts.bootstrap_servers = broker.bootstrap_servers
            loaded = produce_file(opts.kafka_connection(), opts.topic, sample_articles_path(), SAMPLE_PARTITIONS)
            print(f"embedded broker on {broker.bootstrap_servers}: loaded {loaded} sample messages into "
                  f"topic {opts.topic!r}", file=sys.stderr)
        elif not opts.input_file:
            check_brokers(opts.kafka_connection(), opts.kafka_timeout)
            prefix = opts.output_topic_prefix
            check_access(opts.kafka_connection(), list(opts.read_settings(bounded=True).topics), opts.group_id or None,
                         [f"{prefix}.{name}s" for name in OUTPUT_SCHEMAS] if prefix else [])
        p = beam.Pipeline(options=options)
        build(p, opts)
        redact_secrets(options)
        with Progress("running pipeline"):
            result = run_until_stopped(p, opts.max_run_seconds)
    print(summary_table(counters(result), opts.output, distribution_means(result)))
    return 0


def produce(args: argparse.Namespace) -> int:
    connection = PipelineOptions([
        "--bootstrap-servers", args.bootstrap_servers, *args.kafka_args]).view_as(NewsstreamOptions).kafka_connection()
    check_brokers(connection, args.kafka_timeout)
    count = produce_file(connection, args.topic, args.file, args.partitions)
    print(f"produced {count} messages to {args.topic}")
    return 0


def _json_default(value):
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(value).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    raise TypeError(f"cannot show {type(value).__name__}")


def inspect(args: argparse.Namespace) -> int:
    for path in args.files:
        for record in read_avro_file(path):
            print(json.dumps(record, default=_json_default, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    # secrets leave the flags before any option is made: never in the job, its options or the workers' logs
    argv = secret_flags_to_environment(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="newsstream", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the pipeline (Beam options pass through)", add_help=False)
    run_parser.add_argument("-h", "--help", action="store_true")
    produce_parser = commands.add_parser("produce", help="load a JSONL file into a topic (key = id)")
    produce_parser.add_argument("file")
    produce_parser.add_argument("--bootstrap-servers", required=True)
    produce_parser.add_argument("--topic", required=True)
    produce_parser.add_argument("--partitions", type=int, default=3, help="partitions when creating the topic")
    produce_parser.add_argument("--kafka-timeout", type=float, default=30.0, help="seconds to wait for a broker")
    inspect_parser = commands.add_parser("inspect", help="print Avro records as JSON lines")
    inspect_parser.add_argument("files", nargs="+")
    args, rest = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return dispatch(parser, args, rest)
    except (BrokerUnavailable, AccessDenied, KafkaPropertiesError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except Exception as e:
        denied = authorization_error(e)
        if denied is None:
            raise
        print(f"error: the Kafka brokers refused {denied}; check the ACLs: READ on the input topics and the "
              f"consumer group, WRITE on the output topics", file=sys.stderr)
        return 1


def authorization_error(error: BaseException) -> str | None:
    """What a Kafka authorization failure behind an error refused (and in which step), also when a runner
    re-raised it as text; None for any other error."""
    from kafka.errors import AuthorizationError

    text = str(error)
    step = re.search(r"while running '([^']+)'", text)
    where = f" in {step.group(1)}" if step else ""
    seen = error
    while seen is not None:
        if isinstance(seen, AuthorizationError):
            return f"{type(seen).__name__}{where}"
        seen = seen.__cause__ or seen.__context__
    match = re.search(r"\b(\w+AuthorizationFailedError)\b", text)
    return f"{match.group(1)}{where}" if match else None


def dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace, rest: list[str]) -> int:
    """Run the chosen subcommand."""
    if args.command == "run":
        if args.help:
            help_parser = argparse.ArgumentParser(prog="newsstream run", description="Run the pipeline. Beam's "
                                                  "own options (--runner, --streaming, ...) pass through.")
            NewsstreamOptions._add_argparse_args(help_parser)
            help_parser.print_help()
            return 0
        return run(rest)
    if args.command == "produce":
        args.kafka_args = rest
        return produce(args)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    return inspect(args)


if __name__ == "__main__":
    sys.exit(main())
