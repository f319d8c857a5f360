"""Observability: counters and distributions on every stage, one structured log line per dead letter,
and the run summary built from them."""
from __future__ import annotations

import json
import logging

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.cli import counters, distribution_means, summary_table
from pipelines.options import NewsstreamOptions
from pipelines.pipeline import build


def test_stage_metrics_dead_letter_log_lines_and_summary(tmp_path, caplog):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([
        json.dumps({"id": "a", "text": "First paragraph.\nSecond one."}),
        json.dumps({"id": "b", "text": "Only one."}),
        '{"id": "broken", "text": "cut',
        json.dumps({"id": "nobody"}),
    ]))
    caplog.set_level(logging.WARNING)
    options = PipelineOptions(["--input-file", str(source), "--output", str(tmp_path / "out")])
    p = beam.Pipeline(options=options)
    build(p, options.view_as(NewsstreamOptions))
    result = p.run()
    result.wait_until_finish()

    totals = counters(result)
    assert totals["parse.in"] == 4 and totals["parse.out"] == 2 and totals["parse.dead_letters"] == 2
    assert totals["dead_letters.invalid_json"] == 1 and totals["dead_letters.missing_text"] == 1
    assert totals["dead_letters_from.parse"] == 2
    assert totals["articles_written"] == 2 and totals["dead_letters_written"] == 2
    means = distribution_means(result)
    assert {"parse.latency_us", "normalize.latency_us"} <= set(means) and all(v >= 0 for v in means.values())
    [size] = [d for d in result.metrics().query()["distributions"] if d.key.metric.name == "article.chars"]
    assert size.committed.count == 2 and size.committed.sum == len("First paragraph.Second one.Only one.")

    logged = [json.loads(r.getMessage().split(" ", 2)[2]) for r in caplog.records
              if r.getMessage().startswith("dead letter ")]
    assert sorted(entry["error_code"] for entry in logged) == ["invalid_json", "missing_text"]
    assert all(entry["stage"] == "parse" and entry["line"] in (3, 4) for entry in logged)

    summary = summary_table(totals, "out", means)
    assert "messages read" in summary and "invalid_json" in summary and "mean time per article: parse" in summary
