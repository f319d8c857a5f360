"""Every newsstream flag (defined in pipelines/flags.py) as one Beam PipelineOptions subclass, with the
settings objects the stages take."""
from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.flags import add_arguments, parse_source_zones, parse_start_offsets, secret_flags_to_environment
from pipelines.io.kafka import ReadSettings
from pipelines.io.kafka_config import KafkaConnection
from pipelines.text.normalize import NormalizeSettings
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
        add_arguments(parser)

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


def redact_secrets(options: PipelineOptions) -> None:
    """Blank secret flags once the pipeline is built, so runners never log or display them."""
    view = options.view_as(NewsstreamOptions)
    for name in SECRET_OPTIONS:
        if getattr(view, name) is not None:
            setattr(view, name, None)
