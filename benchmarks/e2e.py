"""End-to-end throughput: the whole pipeline, bounded, from the embedded broker to Avro files, against
spaCy `nlp.pipe` alone over the same (kept) paragraphs with the same model, in one run.

The pipeline runs as `newsstream run` in a child process (so its start-up, planning, every stage and the
file writes count); the process tree's resident memory is sampled for the peak. It runs once with one
DirectRunner worker and once with `--direct_num_workers=2 --direct_running_mode=multi_processing`;
spaCy runs after each and once more at the end (the machine is shared: the fastest spaCy run is the
reference, which can only lower the ratio). Besides wall time, CPU seconds are compared (the pipeline's process tree,
the embedded broker apart, against the reference's own), which a shared machine's load moves less.
Prints articles/s, words/s, peak memory and the ratios pipeline/spaCy; the last line is one JSON object.

usage: python benchmarks/e2e.py [--limit N] [--workers 1|1,2] [--model NAME] [--batch-size 64]
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import spacy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.common import bbc_articles, print_result, run_measured  # noqa: E402
from pipelines.events.nlp import DEFAULT_MODEL  # noqa: E402
from pipelines.io.avro import read_avro_file  # noqa: E402
from pipelines.io.broker import EmbeddedBroker  # noqa: E402
from pipelines.io.kafka import ensure_topic, produce_messages  # noqa: E402
from pipelines.io.kafka_config import KafkaConnection  # noqa: E402


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_pipeline(bootstrap: str, group: str, output: str, extra: list[str]) -> tuple[float, int, float]:
    """(seconds, peak bytes, CPU seconds of its process tree) of one bounded `newsstream run` over the topic."""
    command = [sys.executable, "-m", "pipelines.cli", "run", "--bootstrap-servers", bootstrap, "--topic", "bench",
               "--group-id", group, "--output", output, *extra]
    cpu_before = children_cpu_seconds()
    elapsed, peak, returncode, out = run_measured(command, stderr=subprocess.DEVNULL,
                                                  env={**os.environ, "PYTHONPATH": ROOT})
    if returncode != 0:
        sys.exit(f"newsstream run failed ({returncode}):\n{out}")
    return elapsed, peak, children_cpu_seconds() - cpu_before


def kept_paragraphs(output: str) -> tuple[int, list[str]]:
    """(articles written, texts of the kept paragraphs) from a run's Avro output."""
    articles = [r for path in glob.glob(os.path.join(output, "articles-*.avro")) for r in read_avro_file(path)]
    return len(articles), [p["text"] for a in articles for p in a["paragraphs"]]


def spacy_seconds(texts: list[str], model: str, batch_size: int) -> tuple[float, float]:
    """(wall, CPU seconds) of nlp.pipe alone over the texts, the model as it loads (every component on)."""
    nlp = spacy.load(model)
    list(nlp.pipe(texts[:20], batch_size=batch_size))
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - started, time.process_time() - cpu_started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N BBC articles")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", default="1,2", help="DirectRunner worker counts to run, e.g. 1 (default 1,2)")
    args = parser.parse_args()

    articles = bbc_articles(args.limit)
    messages = [(str(a["id"]).encode(), json.dumps({"id": f"bbc-{a['id']}", "source": "BBC News", "title": a["title"],
                                                    "text": a["text"], "language": "en"}).encode())
                for a in articles]
    modes = {"1 worker": [], "2 workers": ["--direct_num_workers=2", "--direct_running_mode=multi_processing"]}
    wanted = {f"{count} worker{'s' if count != '1' else ''}" for count in args.workers.split(",")}
    if "1 worker" not in wanted or not wanted <= set(modes):
        sys.exit("--workers: give 1 or 1,2 (the one-worker run is the reference for the texts spaCy parses)")
    modes = {mode: extra for mode, extra in modes.items() if mode in wanted}
    runs = {}
    reference_s = reference_cpu_s = float("inf")
    load_before = os.getloadavg()[0]
    with EmbeddedBroker() as broker, tempfile.TemporaryDirectory() as scratch:
        connection = KafkaConnection(broker.bootstrap_servers)
        ensure_topic(connection, "bench", 3)
        produce_messages(connection, "bench", messages)
        for number, (mode, extra) in enumerate(modes.items()):
            output = os.path.join(scratch, f"out{number}")
            seconds, peak, cpu_s = run_pipeline(broker.bootstrap_servers, f"bench-{number}", output, extra)
            written, texts = kept_paragraphs(output)
            if written != len(articles):
                sys.exit(f"{mode}: wrote {written} articles for {len(articles)} messages")
            runs[mode] = {"seconds": seconds, "cpu_seconds": cpu_s, "peak_mb": peak / 1e6, "texts": texts}
            reference_runs = 2 if number == len(modes) - 1 else 1  # once more at the end
            for _ in range(reference_runs):
                wall, cpu = spacy_seconds(runs["1 worker"]["texts"], args.model, args.batch_size)
                reference_s, reference_cpu_s = min(reference_s, wall), min(reference_cpu_s, cpu)
    texts = runs["1 worker"]["texts"]
    words = sum(len(t.split()) for t in texts)

    result = {"articles": len(articles), "kept_paragraphs": len(texts), "words": words,
              "spacy_words_per_s": round(words / reference_s), "spacy_words_per_cpu_s": round(words / reference_cpu_s),
              "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
    for mode, run in runs.items():
        key = mode.replace(" ", "_")
        result[f"{key}_articles_per_s"] = round(len(articles) / run["seconds"], 1)
        result[f"{key}_words_per_s"] = round(words / run["seconds"])
        result[f"{key}_peak_memory_mb"] = round(run["peak_mb"])
        result[f"{key}_ratio_to_spacy"] = round(reference_s / run["seconds"], 3)
        result[f"{key}_cpu_seconds"] = round(run["cpu_seconds"], 1)
        result[f"{key}_cpu_ratio_to_spacy"] = round(reference_cpu_s / run["cpu_seconds"], 3)
        print(f"pipeline, {mode}: {result[f'{key}_articles_per_s']} articles/s, {result[f'{key}_words_per_s']} "
              f"words/s, peak {result[f'{key}_peak_memory_mb']} MB, ratio to spaCy {result[f'{key}_ratio_to_spacy']} "
              f"(CPU seconds {result[f'{key}_cpu_seconds']}, ratio {result[f'{key}_cpu_ratio_to_spacy']})")
    print(f"spaCy nlp.pipe alone ({args.model}, every component): {result['spacy_words_per_s']} words/s, "
          f"{result['spacy_words_per_cpu_s']} words per CPU second")
    print(f"load average (1 min) at start and end: {result['load_average_1min']}")
    if "2 workers" in runs:
        result["two_workers_speedup"] = round(runs["1 worker"]["seconds"] / runs["2 workers"]["seconds"], 3)
    print_result(result)


if __name__ == "__main__":
    main()
