"""The shared DoFn shape of a stage: apply a plain function, route rejects to dead letters, count both."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines.records import (
    SOURCE_FIELD,
    RawArticle,
    RejectedInput,
    SourceMessage,
    dead_letter,
    given_article_id,
    without_source,
)

METRICS_NAMESPACE = "newsstream"
DEAD_LETTERS = "dead_letters"
LOG = logging.getLogger(__name__)


def provenance_of(element: Any) -> tuple[bytes, dict | None, int | None, str | None]:
    """Original bytes, Kafka provenance, file line and article id of any record a stage receives."""
    if isinstance(element, (bytes, str)):  # a plain message given to Parse
        return element if isinstance(element, bytes) else element.encode("utf-8", "surrogatepass"), None, None, None
    if isinstance(element, SourceMessage):
        return element.value, element.kafka_provenance(), element.line, None
    if isinstance(element, RawArticle):
        return element.original, element.kafka, element.line, given_article_id(element.fields)
    if isinstance(element, dict) and "article_id" in element:
        source = element.get(SOURCE_FIELD)
        if isinstance(source, dict):  # an article of this pipeline: the message it came from
            return source["original"], element.get("kafka"), source.get("line"), element["article_id"]
        original = json.dumps(without_source(element), default=str, ensure_ascii=False).encode("utf-8")
        return original, element.get("kafka"), None, element["article_id"]
    return repr(element).encode("utf-8"), None, None, None


def dead_letter_for(element: Any, stage: str, code: str, message: str, article_id: str | None = None) -> dict:
    """The dead-letter record for an element a stage could not process; logged as one structured line.
    Never raises: it is the error path (provenance that JSON cannot hold is logged as its str)."""
    original, kafka, line, known_id = provenance_of(element)
    article_id = article_id or known_id
    LOG.warning(
        "dead letter %s",
        json.dumps({"stage": stage, "error_code": code, "message": message[:300], "article_id": article_id,
                    "kafka": kafka, "line": line}, default=str),
    )
    return dead_letter(code, message, stage, original, kafka=kafka, line=line, article_id=article_id)


class StageFn(beam.DoFn):
    """Applies `work` to each element; RejectedInput and unexpected errors become dead letters, never crashes.

    Counts what comes in, goes out and is rejected, and the time spent per element (`<stage>.latency_us`)."""

    def __init__(self, stage: str, work: Callable[[Any], Iterable[Any]]):
        self.stage = stage
        self.work = work
        self.received = Metrics.counter(METRICS_NAMESPACE, f"{stage}.in")
        self.emitted = Metrics.counter(METRICS_NAMESPACE, f"{stage}.out")
        self.rejected = Metrics.counter(METRICS_NAMESPACE, f"{stage}.{DEAD_LETTERS}")
        self.latency = Metrics.distribution(METRICS_NAMESPACE, f"{stage}.latency_us")

    def process(self, element):
        self.received.inc()
        started = time.perf_counter()
        try:
            outputs = list(self.work(element))
        except RejectedInput as e:
            yield self._reject(element, e.code, e.message, e.article_id)
            return
        except Exception as e:  # noqa: BLE001 - a worker must survive any input; the reason is kept
            yield self._reject(element, "internal_error", f"{type(e).__name__}: {e}")
            return
        finally:
            self.latency.update(int((time.perf_counter() - started) * 1e6))
        for output in outputs:
            self.emitted.inc()
            yield output

    def _reject(self, element, code: str, message: str, article_id: str | None = None):
        self.rejected.inc()
        Metrics.counter(METRICS_NAMESPACE, f"{DEAD_LETTERS}.{code}").inc()
        return beam.pvalue.TaggedOutput(DEAD_LETTERS, dead_letter_for(element, self.stage, code, message, article_id))


class StageOutputs(NamedTuple):
    """What every stage returns: its records and its dead letters (schemas/dead_letter.avsc)."""

    records: beam.PCollection
    dead_letters: beam.PCollection


def apply_stage(pcoll: beam.PCollection, label: str, stage: str, work: Callable[[Any], Iterable[Any]],
                input_type: Any = Any, output_type: Any = Any) -> StageOutputs:
    """ParDo(StageFn) with the main output tagged `records` and rejects tagged `dead_letters`; the types let
    Beam refuse a wrong input when the pipeline is built."""
    step = beam.ParDo(StageFn(stage, work)).with_input_types(input_type).with_output_types(output_type)
    outputs = pcoll | label >> step.with_outputs(DEAD_LETTERS, main="records")
    return StageOutputs(outputs.records, outputs[DEAD_LETTERS])
