"""Every newsstream flag, with help text, as one Beam PipelineOptions subclass."""
from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.events.nlp import DEFAULT_MODEL
from pipelines.io.kafka import ReadSettings
from pipelines.io.kafka_config import KafkaConnection, secret_flags_to_environment
from pipelines.text.normalize import HTML_EXTRACTORS, NormalizeSettings
from pipelines.text.parse import ParseLimits
from pipelines.text.verify import DedupSettings
from pipelines.transforms.events import EventSettings

SECURITY_OPTIONS = {
    "security_protocol": "security_protocol",
    "sasl_mechanism": "sasl_mechanism",
    "sasl_username": "sasl_plain_username",
    "sasl_password": "sasl_plain_password",
    "ssl_cafile": "ssl_cafile",
    "ssl_certfile": "ssl_certfile",
    "ssl_keyfile": "ssl_keyfile",
}
SECRET_OPTIONS = ("sasl_password",)


class NewsstreamOptions(PipelineOptions):
    """Input, output, Kafka and stage settings. Beam's own options (--runner, --streaming, ...) pass through."""

    @classmethod
    def _add_argparse_args(cls, parser):
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
                            default=ReadSettings.watermark_max_delay_s,
                            help="Streaming: once a partition is caught up (or has no records), its watermark is "
                                 "the clock minus this many seconds; records older than that when they arrive "
                                 "are late.")
        source.add_argument("--commit-interval", dest="commit_interval", type=float,
                            default=ReadSettings.commit_interval_s,
                            help="Streaming: at most one offset commit per partition this often, at bundle "
                                 "finalization.")
        source.add_argument("--partition-discovery-interval", dest="partition_discovery_interval", type=float,
                            default=ReadSettings.discovery_interval_s,
                            help="Streaming: seconds between looks for partitions added to the topics.")
        source.add_argument("--kafka-timeout", dest="kafka_timeout", type=float, default=30.0,
                            help="Seconds to wait for brokers and topic metadata before failing.")
        source.add_argument("--max-message-bytes", dest="max_message_bytes", type=int,
                            default=ParseLimits.max_message_bytes,
                            help="Messages larger than this become dead letters (message_too_large).")
        source.add_argument("--max-paragraphs", dest="max_paragraphs", type=int, default=ParseLimits.max_paragraphs,
                            help="Articles with more paragraphs become dead letters (too_many_paragraphs).")
        source.add_argument("--max-paragraph-chars", dest="max_paragraph_chars", type=int,
                            default=ParseLimits.max_paragraph_chars,
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
                               default=NormalizeSettings.language_prefix_chars,
                               help="Characters of the body that language detection reads (its cost grows with it).")
        normalize.add_argument("--max-future-hours", dest="max_future_hours", type=float,
                               default=NormalizeSettings.max_future_hours,
                               help="A published_at further ahead of the clock than this is absurd: null + warning.")
        normalize.add_argument("--source-timezones", dest="source_timezones", default=None,
                               help="SOURCE=ZONE[,...] with IANA zones (yonhap=Asia/Seoul): the zone of times a "
                                    "source writes without an offset, and of its ambiguous zone abbreviations "
                                    "and day/month orders. Else the dateline city's zone, else UTC + warning.")
        normalize.add_argument("--html-extractor", dest="html_extractor", choices=HTML_EXTRACTORS,
                               default=NormalizeSettings.html_extractor,
                               help="trafilatura: keep the blocks trafilatura finds to be the article body; "
                                    "blocks: keep every text block outside navigation, scripts and forms.")

        defaults = DedupSettings()
        dedup = parser.add_argument_group("paragraph dedup (defaults measured on the dev stream, see README)")
        dedup.add_argument("--dedup-retention-days", dest="dedup_retention_days", type=float, default=7.0,
                           help="Event-time window in which an earlier paragraph can remove a later one; "
                                "index entries expire after it.")
        dedup.add_argument("--dedup-shingle", dest="dedup_shingle", type=int, default=defaults.shingle,
                           help="Width in bytes of the character shingles of the normalized key.")
        dedup.add_argument("--dedup-bins", dest="dedup_bins", type=int, default=defaults.num_bins,
                           help="MinHash signature length (one-permutation hashing bins, a power of two).")
        dedup.add_argument("--dedup-bands", dest="dedup_bands", type=int, default=defaults.bands,
                           help="LSH bands; bands x rows must not exceed --dedup-bins.")
        dedup.add_argument("--dedup-rows", dest="dedup_rows", type=int, default=defaults.rows,
                           help="Signature bins per LSH band.")
        dedup.add_argument("--dedup-min-jaccard", dest="dedup_min_jaccard", type=float,
                           default=defaults.min_jaccard,
                           help="Minimum estimated Jaccard similarity of a near-duplicate.")
        dedup.add_argument("--dedup-min-containment", dest="dedup_min_containment", type=float,
                           default=defaults.min_containment,
                           help="Minimum share of the later paragraph's shingles found in the earlier one.")
        dedup.add_argument("--dedup-short-words", dest="dedup_short_words", type=int,
                           default=defaults.short_words,
                           help="Paragraphs with at most this many words are compared word by word.")
        dedup.add_argument("--dedup-bucket-cap", dest="dedup_bucket_cap", type=int, default=defaults.bucket_cap,
                           help="Most near-duplicate clusters one bucket keeps; the least recently seen go first "
                                "(counted in dedup.evicted_clusters).")
        dedup.add_argument("--dedup-max-wait-seconds", dest="dedup_max_wait_seconds", type=float,
                           default=defaults.max_wait_seconds,
                           help="Streaming: processing time after which an article is written even if the "
                                "watermark has not passed its record time.")

        events = parser.add_argument_group("events")
        events.add_argument("--spacy-model", dest="spacy_model", default=DEFAULT_MODEL,
                            help="Installed spaCy model (package name) for event extraction.")
        events.add_argument("--no-events", dest="no_events", action="store_true", default=False,
                            help="Skip event extraction (no events-*.avro): a dedup-only ingest.")
        events.add_argument("--events-batch-size", dest="events_batch_size", type=int, default=64,
                            help="Paragraphs parsed per nlp.pipe call, gathered across the articles of a bundle.")

    def dedup_settings(self) -> DedupSettings:
        """The dedup parameters from the flags."""
        return DedupSettings(
            shingle=self.dedup_shingle, num_bins=self.dedup_bins, bands=self.dedup_bands, rows=self.dedup_rows,
            min_jaccard=self.dedup_min_jaccard, min_containment=self.dedup_min_containment,
            short_words=self.dedup_short_words, bucket_cap=self.dedup_bucket_cap,
            max_wait_seconds=self.dedup_max_wait_seconds,
        )

    def dedup_retention_seconds(self) -> float:
        """The dedup retention window in seconds of event time."""
        return self.dedup_retention_days * 24 * 3600

    def event_settings(self) -> EventSettings:
        """The ExtractEvents stage settings."""
        return EventSettings(model=self.spacy_model, batch_size=self.events_batch_size)

    def kafka_connection(self) -> KafkaConnection:
        """Brokers plus the security flags under kafka-python's names; the properties file and the
        environment are read where each client opens (see KafkaConnection.client_config)."""
        if self.sasl_password is not None:  # options made without the CLI: the secret leaves them here
            secret_flags_to_environment(["--sasl-password", self.sasl_password])
            self.sasl_password = None
        flags = {kafka_name: getattr(self, name) for name, kafka_name in SECURITY_OPTIONS.items()
                 if name not in SECRET_OPTIONS}
        return KafkaConnection(
            bootstrap_servers=self.bootstrap_servers,
            security=tuple(sorted((k, v) for k, v in flags.items() if v is not None)),
            properties_file=self.kafka_properties,
            request_timeout_ms=int(self.kafka_timeout * 1000),
            password_file=self.sasl_password_file,
        )

    def parse_limits(self) -> ParseLimits:
        """The size limits the Parse stage enforces."""
        return ParseLimits(self.max_message_bytes, self.max_paragraphs, self.max_paragraph_chars)

    def read_settings(self, bounded: bool) -> ReadSettings:
        """The source settings: topics, group, start offsets, bounded or not."""
        return ReadSettings(
            topics=tuple(t.strip() for t in self.topic.split(",") if t.strip()),
            group_id=self.group_id or None,
            start_offsets=parse_start_offsets(self.start_offsets),
            auto_offset_reset=self.auto_offset_reset,
            bounded=bounded,
            # streaming commits follow the written files (pipelines/io/commits.py), never the reader
            commit_offsets=self.commit_offsets and bounded,
            idle_timeout_s=self.kafka_idle_timeout,
            watermark_max_delay_s=self.watermark_max_delay,
            commit_interval_s=self.commit_interval,
            discovery_interval_s=self.partition_discovery_interval,
        )

    def normalize_settings(self) -> NormalizeSettings:
        """The Normalize stage's settings."""
        return NormalizeSettings(
            detect_language=self.detect_language,
            language_prefix_chars=self.language_prefix_chars,
            max_future_hours=self.max_future_hours,
            html_extractor=self.html_extractor,
            source_zones=parse_source_zones(self.source_timezones),
        )


KAFKA_CODECS = ("gzip", "snappy", "lz4", "zstd")


def redact_secrets(options: PipelineOptions) -> None:
    """Blank secret flags once the pipeline is built, so runners never log or display them."""
    view = options.view_as(NewsstreamOptions)
    for name in SECRET_OPTIONS:
        if getattr(view, name) is not None:
            setattr(view, name, None)


def parse_source_zones(value: str | None) -> tuple[tuple[str, str], ...]:
    """'yonhap=Asia/Seoul,xinhua=Asia/Shanghai' -> (('yonhap', 'Asia/Seoul'), ('xinhua', 'Asia/Shanghai'))."""
    if not value:
        return ()
    return tuple((source.strip(), zone.strip()) for source, _, zone in (item.partition("=") for item in
                                                                         value.split(",") if item.strip()))


def parse_start_offsets(value: str | None) -> tuple[tuple[str, int, int], ...]:
    """'t:0:5,t:1:7' -> (('t', 0, 5), ('t', 1, 7))."""
    if not value:
        return ()
    offsets = []
    for item in value.split(","):
        topic, partition, offset = item.strip().rsplit(":", 2)
        offsets.append((topic, int(partition), int(offset)))
    return tuple(offsets)
