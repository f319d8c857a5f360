"""`newsstream run | produce | inspect`: the command line.

Every flag is checked before any work starts, and a mistake ends in one line saying what is wrong and what to
do (exit 2 for a wrong command line, 1 for a wrong environment), with the traceback only under --debug.
Beam, Kafka and spaCy are imported only once a command needs them, so --help answers at once."""
from __future__ import annotations

import argparse
import base64
import datetime
import difflib
import gc
import glob
import importlib.metadata
import importlib.util
import itertools
import json
import logging
import os
import re
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from importlib import resources
from pathlib import Path

from pipelines import flags

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
    beam_version = importlib.metadata.version("apache-beam")
    return Path(__file__).resolve().parent.parent / ".cache" / "prism" / beam_version / "prism"


def runner_error(options) -> str | None:
    """Why these runner options cannot work here (one line), or None. Never lets Beam download Prism:
    sets --prism_location to the local build when the runner is Prism, and runs a bounded local job on the
    FnApiRunner (Beam's DirectRunner first tries Prism, downloading it, then falls back to the FnApiRunner)."""
    from apache_beam.options.pipeline_options import PrismRunnerOptions, StandardOptions

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


class StopRequested(Exception):
    """SIGTERM arrived: stop the job as Ctrl-C does."""


def _raise_stop(signum, frame):
    raise StopRequested()


def run_until_stopped(p, max_seconds: float | None):
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
    from apache_beam.runners.runner import PipelineState

    return PipelineState.is_terminal(state)


def message_key(value: bytes) -> bytes | None:
    """The article id as Kafka key when the line is a JSON object with an id, else no key."""
    try:
        fields = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if isinstance(fields, dict) and isinstance(fields.get("id"), (str, int)):
        return str(fields["id"]).encode("utf-8")
    return None


def produce_file(connection, topic: str, path: str, partitions: int) -> int:
    """Load every non-blank line of a JSONL file into the topic, keyed by article id."""
    from pipelines.io.files import read_lines
    from pipelines.io.kafka import ensure_topic, produce_messages

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
    import apache_beam as beam

    from pipelines.runners import query_metrics
    from pipelines.transforms.stage import METRICS_NAMESPACE

    totals: dict[str, int] = {}
    query = query_metrics(result, beam.metrics.MetricsFilter().with_namespace(METRICS_NAMESPACE))
    for counter in query["counters"]:
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + (_value(counter) or 0)
    return totals


def distribution_means(result) -> dict[str, float]:
    """Mean of every distribution of the newsstream namespace, merged over steps."""
    import apache_beam as beam

    from pipelines.runners import query_metrics
    from pipelines.transforms.stage import METRICS_NAMESPACE

    query = query_metrics(result, beam.metrics.MetricsFilter().with_namespace(METRICS_NAMESPACE))
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


class UserError(Exception):
    """A mistake the user can fix, told in one line; `status` is 2 for the command line, 1 for the rest."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a wrong command line as one UserError line instead of usage and message."""

    def error(self, message):
        raise UserError(f"{message}; see `{self.prog} --help`", 2)


class DefaultsShown(argparse.RawDescriptionHelpFormatter):
    """Help lines end with the flag's default when it has one."""

    def _get_help_string(self, action):
        if action.option_strings and action.default not in (None, False, True, argparse.SUPPRESS):
            return f"{action.help} (default: %(default)s)"
        return action.help


GLOB_CHARS = re.compile(r"[*?\[]")


def local_matches(pattern: str) -> list[Path]:
    """The existing paths a local path or glob names."""
    if GLOB_CHARS.search(pattern):
        return sorted(Path(p) for p in glob.glob(pattern))
    return [Path(pattern)] if Path(pattern).exists() else []


def input_error(pattern: str, flag: str = "--input-file") -> str | None:
    """Why the JSONL input cannot be read (one line), or None. Paths of other filesystems (gs://, s3://, ...)
    are matched through Beam."""
    if "://" in pattern:
        from apache_beam.io.filesystems import FileSystems

        if not FileSystems.match([pattern])[0].metadata_list:
            return f"{flag} {pattern}: no file matches; check the path."
        return None
    matches = local_matches(pattern)
    if not matches:
        return f"{flag} {pattern}: no such file{' matches' if GLOB_CHARS.search(pattern) else ''}; check the path."
    files = [path for path in matches if path.is_file()]
    if not files:
        return (f"{flag} {pattern} is a directory, not a JSONL file: give a file, or a glob such as "
                f"{os.path.join(pattern.rstrip('/'), '*.jsonl')}.")
    unreadable = [path for path in files if not os.access(path, os.R_OK)]
    if unreadable:
        return f"{flag} {unreadable[0]} is not readable: check its permissions."
    return None


def output_error(directory: str) -> str | None:
    """Why the --output directory cannot take the files (one line), or None. A probe file is written (and
    removed) in the directory, or in its nearest existing parent when it does not exist yet (the run creates
    it), so a read-only place is found before any work. Other filesystems are left to the run."""
    if "://" in directory:
        return None
    path = Path(directory)
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        return f"--output {directory}: {existing} is a file, not a directory; choose another --output."
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as e:
        return (f"--output {directory} is not writable ({e.strerror} in {existing}); "
                f"choose a directory you can write to.")
    return None


def spacy_model_error(model: str) -> str | None:
    """Why the spaCy model cannot be loaded (one line), or None: a package name must be installed, or the
    name must be a model directory. Looked up without importing spaCy."""
    if Path(model).is_dir():
        return None
    try:
        installed = importlib.util.find_spec(model) is not None
    except (ImportError, ValueError):
        installed = False
    if installed:
        return None
    return (f"spaCy model {model!r} is not installed: install its package, give an installed one with "
            f"--spacy-model, or run without events (--no-events).")


def unknown_flag_error(rest: list[str]) -> str | None:
    """The first argument that neither newsstream nor any of Beam's options take (one line with the nearest
    flag), or None. Beam's parser holds ours too (NewsstreamOptions registers them)."""
    from apache_beam.options.pipeline_options import PipelineOptions, _BeamArgumentParser

    import pipelines.options  # noqa: F401 - registers the newsstream flags with Beam

    parser = _BeamArgumentParser(allow_abbrev=False)
    for options_class in {str(c): c for c in PipelineOptions.__subclasses__()}.values():
        options_class._add_argparse_args(parser)
    _, unknown = parser.parse_known_args(rest)
    if not unknown:
        return None
    flag = unknown[0].split("=", 1)[0]
    if not flag.startswith("-"):
        return f"unexpected argument {flag!r}: `newsstream run` takes only flags; see `newsstream run --help`."
    nearest = difflib.get_close_matches(flag, list(parser._option_string_actions), n=1, cutoff=0.6)
    hint = f"did you mean {nearest[0]}? " if nearest else ""
    return f"unknown flag {flag}: {hint}see `newsstream run --help` (Beam's own options pass through)."


def checked_beam_options(args: argparse.Namespace, rest: list[str]):
    """Every check that needs no broker, the command line first; the job's options (Beam's flags only: workers
    never see, warn about or print ours). Raises UserError."""
    from apache_beam.options.pipeline_options import PipelineOptions

    error = flags.value_error(args) or unknown_flag_error(rest)
    if error:
        raise UserError(error, 2)
    beam_options = PipelineOptions(rest)
    error = runner_error(beam_options)
    if error:
        raise UserError(error, 2)
    error = ((args.input_file and input_error(args.input_file)) or output_error(args.output)
             or (not args.no_events and spacy_model_error(args.spacy_model)))
    if error:
        raise UserError(error, 1)
    return beam_options


UNKNOWN_TOPIC = 3  # Kafka's UNKNOWN_TOPIC_OR_PARTITION: absent (an unauthorized topic answers 29 instead)


def missing_topics_error(connection, topics: list[str]) -> str | None:
    """Which input topic does not exist (one line), or None; answers within the connection's request timeout
    (--kafka-timeout). A topic the principal may not see is left to the access check."""
    from kafka.admin import KafkaAdminClient

    admin = KafkaAdminClient(**connection.client_config())
    try:
        try:
            missing = [t["name"] for t in admin.describe_topics(topics) if t["error_code"] == UNKNOWN_TOPIC]
        except ValueError:  # operations kafka-python cannot decode (Tansu): the topic list is enough there
            existing = set(admin.list_topics())
            missing = [topic for topic in topics if topic not in existing]
    finally:
        admin.close()
    if not missing:
        return None
    return (f"topic {missing[0]!r} does not exist on {connection.bootstrap_servers}: check --topic, or create it "
            f"(`newsstream produce FILE --topic {missing[0]} ...` creates it).")


def check_kafka(opts) -> None:
    """Brokers reachable, input topics present, access granted; within --kafka-timeout each."""
    from pipelines.io.kafka_config import check_access, check_brokers

    connection = opts.kafka_connection()
    check_brokers(connection, opts.kafka_timeout)
    topics = list(opts.read_settings(bounded=True).topics)
    error = missing_topics_error(connection, topics)
    if error:
        raise UserError(error, 1)
    prefix = opts.output_topic_prefix
    check_access(connection, topics, opts.group_id or None,
                 [f"{prefix}.{name}s" for name in OUTPUT_SCHEMAS] if prefix else [])


def written_totals(output: str, since: float) -> dict[str, int]:
    """The summary's figures counted from the files written under `output` since `since` (epoch seconds): for
    runners that report no metrics. Every message read became an article or a dead letter."""
    from apache_beam.io.filesystems import FileSystems

    from pipelines.io.avro import read_avro_file

    totals = {"paragraphs_removed": 0}
    for name in OUTPUT_SCHEMAS:
        pattern = FileSystems.join(output, f"{name}s-*.avro")
        written = [m.path for m in FileSystems.match([pattern])[0].metadata_list
                   if m.last_updated_in_seconds >= int(since)]
        totals[f"{name}s_written"] = 0
        for path in written:
            for record in read_avro_file(path):
                totals[f"{name}s_written"] += 1
                totals["paragraphs_removed"] += len(record.get("removed_paragraphs") or ())
    totals["dedup.out"] = totals["articles_written"]
    totals["parse.in"] = totals["articles_written"] + totals["dead_letters_written"]
    return totals


def run_totals(result, output: str, started: float) -> tuple[dict[str, int], dict[str, float]]:
    """(counters, distribution means) of the run; counted from the written files when the runner has no
    metrics (or reports none)."""
    try:
        totals, means = counters(result), distribution_means(result)
    except (NotImplementedError, AttributeError, KeyError):
        totals, means = {}, {}
    if not totals:
        return written_totals(output, started), {}
    return totals, means


def run(args: argparse.Namespace, run_argv: list[str], rest: list[str]) -> int:
    """Check every flag, then build and run the pipeline; with no Kafka and no file, on the embedded broker
    with the samples."""
    with ExitStack() as stack:
        with collector_paused():
            beam_options = checked_beam_options(args, rest)
            import apache_beam as beam
            from apache_beam.options.pipeline_options import PipelineOptions

            from pipelines.io.broker import EmbeddedBroker
            from pipelines.options import NewsstreamOptions
            from pipelines.pipeline import build

            opts = PipelineOptions(run_argv).view_as(NewsstreamOptions)
            if not opts.input_file and not opts.bootstrap_servers and not opts.kafka_properties:
                broker = stack.enter_context(EmbeddedBroker())
                opts.bootstrap_servers = broker.bootstrap_servers
                loaded = produce_file(opts.kafka_connection(), opts.topic, sample_articles_path(), SAMPLE_PARTITIONS)
                print(f"embedded broker on {broker.bootstrap_servers}: loaded {loaded} sample messages into "
                      f"topic {opts.topic!r}", file=sys.stderr)
            elif not opts.input_file:
                check_kafka(opts)
            p = beam.Pipeline(options=beam_options)
            build(p, opts)
        started = time.time()
        with Progress("running pipeline"):
            result = run_until_stopped(p, opts.max_run_seconds)
    totals, means = run_totals(result, opts.output, started)
    print(summary_table(totals, opts.output, means))
    return 0


@contextmanager
def collector_paused() -> Iterator[None]:
    """Start-up (the modules of Beam, spaCy and Kafka, the pipeline's graph) makes a few million objects that
    live as long as the process. Python's cyclic garbage collector is off while they are made (it walked the
    growing heap some 450 times: about 0.5 CPU seconds of every run) and they leave its generations after
    (gc.freeze), so the run's own collections do not walk them again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def produce(args: argparse.Namespace) -> int:
    """Load a JSONL file into a topic; the security flags of `run` pass through."""
    error = input_error(args.file, "the file")
    if error:
        raise UserError(error, 1)
    error = unknown_flag_error(args.kafka_args)
    if error:
        raise UserError(error, 2)
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.io.kafka_config import check_brokers
    from pipelines.options import NewsstreamOptions

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


def avro_file_error(path: str) -> str | None:
    """Why a file is not one `inspect` can show (one line), or None: missing, a directory, empty, JSON lines
    (the pipeline's input, not its output), or anything else that is not an Avro container file."""
    from apache_beam.io.filesystems import FileSystems

    if "://" not in path and Path(path).is_dir():
        return f"{path} is a directory: give the Avro files in it (e.g. {os.path.join(path, '*.avro')})."
    try:
        with FileSystems.open(path, compression_type="uncompressed") as fh:
            head = fh.read(64)
    except OSError:
        return f"{path}: no such file; check the path."
    if head.startswith(AVRO_MAGIC):
        return None
    if not head:
        return f"{path} is empty, not an Avro file."
    if head.lstrip()[:1] in (b"{", b"["):
        return (f"{path} holds JSON lines, not Avro: that is pipeline input (`newsstream run --input-file`); "
                f"inspect shows the .avro files a run writes.")
    return f"{path} is not an Avro container file (it does not start with the Avro header); give a .avro output file."


def inspect_paths(patterns: list[str]) -> list[str]:
    """The files the arguments name, globs expanded here (a shell leaves a glob matching nothing as it is)."""
    paths = []
    for pattern in patterns:
        if "://" in pattern or not GLOB_CHARS.search(pattern):
            paths.append(pattern)
            continue
        matches = [str(path) for path in local_matches(pattern)]
        if not matches:
            hint = (" (a run writes dead_letters files only when it has dead letters, events files only with "
                    "events)" if re.search(r"dead_letters|events", pattern) else "")
            raise UserError(f"no file matches {pattern}{hint}; check the path.", 1)
        paths += matches
    return paths


def inspect(args: argparse.Namespace) -> int:
    """Print every record of the Avro files as one JSON line, after checking each file is one."""
    from pipelines.io.avro import read_avro_file

    paths = inspect_paths(args.files)
    for path in paths:
        error = avro_file_error(path)
        if error:
            raise UserError(error, 1)
    for path in paths:
        for record in read_avro_file(path):
            print(json.dumps(record, default=_json_default, ensure_ascii=False))
    return 0


RUN_DESCRIPTION = """Run the pipeline: read JSONL (--input-file) or Kafka (--bootstrap-servers); with neither, the
embedded broker loaded with the sample articles. Beam's own options (--runner, --streaming, ...) pass through.
Add --debug to see the traceback of an error."""
DEBUG_HELP = "On an error, show its traceback (and library logs) instead of one line."
AVRO_MAGIC = b"Obj\x01"
LIBRARY_NOISE = re.compile(
    r"apitools not found|Discarding unparseable args|Metadata refresh: failed Cancelled|No semi_persistent_directory")


class DropLibraryNoise(logging.Filter):
    """Drops the warnings libraries print on every healthy run (Beam's missing BigQuery client, its note on
    flags it does not own, kafka-python's cancelled metadata refresh at close) and, unless --debug,
    kafka-python's own records: a Kafka failure reaches the user as our one-line error. The records are
    dropped at the handlers, so filters on kafka-python's loggers (the SASL rejection watch) still see them."""

    def __init__(self) -> None:
        super().__init__()
        self.show_kafka = True

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.show_kafka and (record.name == "kafka" or record.name.startswith("kafka.")):
            return False
        return not LIBRARY_NOISE.search(record.getMessage())


NOISE_FILTER = DropLibraryNoise()


@contextmanager
def command_logging(debug: bool) -> Iterator[None]:
    """Our warnings in one format; library noise dropped; kafka-python's own records shown only with --debug."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if type(handler) is logging.StreamHandler and NOISE_FILTER not in handler.filters:  # the console
            handler.addFilter(NOISE_FILTER)
    NOISE_FILTER.show_kafka = debug
    try:
        yield
    finally:
        NOISE_FILTER.show_kafka = True


def command_parser() -> OneLineParser:
    """The `newsstream` command line; `run` holds every newsstream flag, Beam's are checked later."""
    parser = OneLineParser(prog="newsstream", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                           allow_abbrev=False)
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the pipeline (Beam options pass through)",
                                     description=RUN_DESCRIPTION, formatter_class=DefaultsShown, allow_abbrev=False)
    flags.add_arguments(run_parser)
    produce_parser = commands.add_parser("produce", help="load a JSONL file into a topic (key = id)",
                                         formatter_class=DefaultsShown, allow_abbrev=False,
                                         description="Load a JSONL file into a Kafka topic, keyed by article id. "
                                                     "The kafka security flags of `run` apply too.")
    produce_parser.add_argument("file")
    produce_parser.add_argument("--bootstrap-servers", required=True, help="Kafka brokers, HOST:PORT[,HOST:PORT].")
    produce_parser.add_argument("--topic", required=True, help="Topic to write (created when missing).")
    produce_parser.add_argument("--partitions", type=int, default=3, help="Partitions when creating the topic.")
    produce_parser.add_argument("--kafka-timeout", type=float, default=30.0, help="Seconds to wait for a broker.")
    inspect_parser = commands.add_parser("inspect", help="print Avro records as JSON lines", allow_abbrev=False,
                                         description="Print the records of Avro files a run wrote, one JSON "
                                                     "object per line. Globs are expanded here too.")
    inspect_parser.add_argument("files", nargs="+", help="Avro files or globs (e.g. 'out/articles-*.avro').")
    for sub in (run_parser, produce_parser, inspect_parser):
        sub.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    return parser


def failure_line(error: BaseException) -> str:
    """One line for an error the checks could not foresee (a failed job, a broker lost mid-run)."""
    from pipelines.io.kafka_config import AccessDenied, BrokerUnavailable, KafkaPropertiesError

    if isinstance(error, (BrokerUnavailable, AccessDenied, KafkaPropertiesError)):
        return str(error)
    denied = authorization_error(error)
    if denied is not None:
        return (f"the Kafka brokers refused {denied}; check the ACLs: READ on the input topics and the "
                f"consumer group, WRITE on the output topics")
    first = (str(error).strip().splitlines() or [""])[0][:300]
    return f"{type(error).__name__}: {first} (run again with --debug for the traceback)"


def main(argv: list[str] | None = None) -> int:
    # secrets leave the flags before any option is made: never in the job, its options or the workers' logs
    argv = flags.secret_flags_to_environment(list(sys.argv[1:] if argv is None else argv))
    debug = "--debug" in argv
    argv = [arg for arg in argv if arg != "--debug"]
    parser = command_parser()
    try:
        with command_logging(debug):
            args, rest = parser.parse_known_args(argv)
            return dispatch(parser, args, argv, rest)
    except UserError as e:
        if debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return e.status
    except Exception as e:  # noqa: BLE001 - the user sees one line; --debug shows the traceback
        if debug:
            raise
        print(f"error: {failure_line(e)}", file=sys.stderr)
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


def dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str], rest: list[str]) -> int:
    """Run the chosen subcommand."""
    if args.command == "run":
        return run(args, argv[argv.index("run") + 1:], rest)
    if args.command == "produce":
        args.kafka_args = rest
        return produce(args)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    return inspect(args)


if __name__ == "__main__":
    sys.exit(main())
