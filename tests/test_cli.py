"""The command line: run (file, embedded broker, streaming refusal), produce, inspect."""
from __future__ import annotations

import gc
import json

import pytest

from pipelines.cli import collector_paused, main
from tests.conftest import read_outputs, shared_path


def test_seed_file_run_writes_an_article_that_inspect_shows(tmp_path, capsys):
    seed = shared_path("eval", "seed", "seed_article.jsonl")
    assert main(["run", "--input-file", seed, "--output", str(tmp_path)]) == 0
    summary = capsys.readouterr().out
    assert "articles written" in summary
    [article_file] = sorted(tmp_path.glob("articles-*.avro"))
    assert main(["inspect", str(article_file)]) == 0
    [shown] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert shown["article_id"] == "seed-000"
    assert shown["source"] == "Yonhap"
    assert shown["published_at"].startswith("2019-07-31T00:00:00")
    assert shown["paragraphs"][0]["index"] == 0
    assert shown["paragraphs"][0]["text"].startswith("US and North Korean officials met")


def test_run_without_kafka_uses_the_embedded_broker_and_the_samples(tmp_path, capsys):
    assert main(["run", "--output", str(tmp_path)]) == 0
    summary = capsys.readouterr().out
    outputs = read_outputs(str(tmp_path))
    read = int(next(line for line in summary.splitlines() if line.startswith("messages read")).split()[-1])
    assert read == len(outputs["articles"]) + len(outputs["dead_letters"])
    assert len(outputs["articles"]) >= 5 and len(outputs["dead_letters"]) >= 3
    assert {a["kafka"]["topic"] for a in outputs["articles"]} == {"articles"}


def test_streaming_on_the_direct_runner_is_refused_with_the_runners_that_can(capsys):
    assert main(["run", "--streaming", "--bootstrap-servers", "127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert "PrismRunner" in err and "make prism" in err and "FlinkRunner" in err and "DataflowRunner" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("flag", ["--window-seconds", "--file-shards"])
def test_output_flags_below_one_are_refused_in_one_line(flag, capsys):
    assert main(["run", "--input-file", "x.jsonl", flag, "0"]) == 2
    err = capsys.readouterr().err
    assert flag in err and len(err.strip().splitlines()) == 1


def test_prism_gets_the_local_build_and_bounded_local_runs_the_fnapi_runner(monkeypatch, tmp_path):
    from apache_beam.options.pipeline_options import PipelineOptions, PrismRunnerOptions, StandardOptions

    from pipelines import cli

    built = tmp_path / "prism"
    monkeypatch.setattr(cli, "local_prism", lambda: built)
    options = PipelineOptions(["--runner", "PrismRunner", "--streaming"])
    assert "make prism" in cli.runner_error(options)
    built.write_bytes(b"")
    assert cli.runner_error(options) is None
    assert options.view_as(PrismRunnerOptions).prism_location == str(built)
    given = PipelineOptions(["--runner", "PrismRunner", "--prism_location", "/elsewhere/prism"])
    assert cli.runner_error(given) is None and given.view_as(PrismRunnerOptions).prism_location == "/elsewhere/prism"
    bounded = PipelineOptions([])
    assert cli.runner_error(bounded) is None and bounded.view_as(StandardOptions).runner == "FnApiRunner"


def test_produce_loads_a_file_keyed_by_id(broker, topic, tmp_path, capsys):
    from kafka import KafkaConsumer

    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "k1", "text": "a"}\n\n{"text": "no id"}\nnot json\n')
    assert main(["produce", str(source), "--bootstrap-servers", broker.bootstrap_servers, "--topic", topic]) == 0
    assert "produced 3 messages" in capsys.readouterr().out
    consumer = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap_servers, auto_offset_reset="earliest",
                             consumer_timeout_ms=3000)
    try:
        keys = sorted((m.key or b"") for m in consumer)
    finally:
        consumer.close()
    assert keys == [b"", b"", b"k1"]


def test_objects_made_while_the_collector_is_paused_leave_its_generations():
    frozen = gc.get_freeze_count()
    with collector_paused():
        assert not gc.isenabled()
        made = [[] for _ in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(made)
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a check failed")
    assert gc.isenabled()
