"""Dedup at scale: what lines shared by many articles cost the bounded and the streaming run, and the state
streaming keeps.

Articles are built from BBC words: two paragraphs of 40 words drawn at random from the BBC texts
(unique), plus 0, 1 or 3 lines drawn from a pool of five boilerplate lines (agency credit, "Read
more", sign-up prompt...). For each N (1k, 4k, 16k; 64k with --full) and each number of shared lines,
in a fresh process per case:
  bounded: `newsstream run --no-events` reads the articles from a JSONL file;
  streaming: the streaming Dedup transform (MatchInBuckets' keyed bucket state and expiry timers,
    AssembleArticle's settle and max-wait timers) on Prism over the same articles, normalized first,
    each stamped with a record time a minute after its publication.
Figures: wall seconds of that process, its CPU seconds (user + system; the machine is shared, so the
wall time carries other people's load; Prism's own CPU is given apart in streaming), its peak RSS, and
the paragraphs removed. Per mode and number of shared lines, the slope of log(time) against log(N), on
CPU and on wall time (aim <= 1.1); at each N, the CPU time against the run without shared lines (the
reference; aim <= 2), also per paragraph, since shared lines add paragraphs that every step handles like
any other; with both modes, streaming against bounded for each case, and whether they removed the same
paragraphs.

Streaming state: the same articles filed bucket by bucket as MatchInBuckets does it (state decoded,
paragraph filed, state encoded with pipelines.text.dedup_state), in memory without a runner; the bytes
of all bucket states at the end per paragraph and per stored cluster, and that replay's seconds.

usage: python benchmarks/dedup_scale.py [--full] [--limit N | --sizes N1,N2] [--modes bounded,streaming]
                                        [--no-state]
  --limit N runs N/4 and N articles only (a quick sample). The last line of output is one JSON object.
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import bbc_articles, print_result, tree_cpu_seconds  # noqa: E402

SIZES = (1000, 4000, 16000)
FULL_SIZES = (*SIZES, 64000)
SHARED_COUNTS = (0, 1, 3)
WORDS_PER_PARAGRAPH = 40
SPACING = timedelta(seconds=4)  # 64k articles span 3 days, inside the 7-day retention
START = datetime(2024, 3, 1, tzinfo=timezone.utc)
SHARED_POOL = (
    "Follow our live coverage on the website and download the app for alerts as the story develops.",
    "This article was supplied by a news agency and has been edited for length and house style.",
    "Read more: the stories our readers shared most this week, chosen by the editors every evening.",
    "Sign up for the morning briefing, delivered to your inbox before seven every weekday morning.",
    "Photographs are supplied by the agency picture desk unless otherwise stated in the caption.",
)


def vocabulary() -> list[str]:
    words = set()
    for article in bbc_articles():
        words.update(w for w in article["text"].split() if w.isalpha() and w.islower())
    return sorted(words)


def build_articles(count: int, shared: int, words: list[str], seed: int = 1) -> list[dict]:
    """`count` input messages: two unique paragraphs each, then `shared` lines from the pool."""
    rng = random.Random(seed)
    articles = []
    for i in range(count):
        paragraphs = [" ".join(rng.choices(words, k=WORDS_PER_PARAGRAPH)).capitalize() + "." for _ in range(2)]
        paragraphs += rng.sample(SHARED_POOL, shared)
        articles.append({
            "id": f"scale-{shared}-{i:06d}", "source": "bench", "title": f"Story {i}",
            "published_at": (START + i * SPACING).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "text": "\n".join(paragraphs),
        })
    return articles


def run_case(input_path: str, output: str) -> dict:
    """In this process: the bounded run on the file, then the paragraphs removed (read from the Avro files)."""
    import fastavro

    from pipelines.cli import main as newsstream

    started = time.perf_counter()
    with open(os.devnull, "w") as quiet, redirect_stdout(quiet):
        code = newsstream(["run", "--input-file", input_path, "--output", output, "--no-events"])
    seconds = time.perf_counter() - started
    removed = articles = 0
    for path in glob.glob(os.path.join(output, "**", "articles*.avro"), recursive=True):
        with open(path, "rb") as fh:
            for record in fastavro.reader(fh):
                articles += 1
                removed += len(record["removed_paragraphs"])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"exit": code, "run_seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024, "removed": removed, "articles": articles}


RECORD_DELAY_MS = 60_000  # each article reaches Kafka a minute after its publication time
# Prism fires processing-time timers on the real clock, also once a bounded input has ended: with the
# default 300 s max wait every streaming case would last 300 s more than its work. Articles are released
# when every bucket has answered, so a short wait changes nothing unless an earlier copy arrives later
# (the run compares the paragraphs removed with the bounded run's).
STREAMING_MAX_WAIT_S = 1.0


def run_streaming_case(input_path: str, output: str) -> dict:
    """In this process: the streaming Dedup transform (keyed bucket state, expiry and settle timers) on Prism
    over the normalized articles, each stamped with its record time; paragraphs removed, from its output."""
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.cli import local_prism
    from pipelines.records import RawArticle
    from pipelines.text.normalize import normalize_article
    from pipelines.text.verify import DedupSettings
    from pipelines.transforms.dedup import Dedup

    with open(input_path, encoding="utf-8") as fh:
        normalized = [normalize_article(RawArticle(fields=json.loads(line), original=b"")) for line in fh]
    stamped = [(a, (a["published_at"] + RECORD_DELAY_MS) / 1000) for a in normalized]
    options = PipelineOptions(["--runner", "PrismRunner", f"--prism_location={local_prism()}",
                               "--job_server_timeout=86400"])
    started = time.perf_counter()
    with beam.Pipeline(options=options) as p:
        deduped = (p
                   | "Articles" >> beam.Create(stamped)
                   | "RecordTimes" >> beam.MapTuple(lambda article, seconds: beam.window.TimestampedValue(article,
                                                                                                         seconds))
                   | "Dedup" >> Dedup(DedupSettings(max_wait_seconds=STREAMING_MAX_WAIT_S), streaming=True))
        (deduped.records
         | "Removed" >> beam.Map(lambda a: json.dumps([a["article_id"], len(a["removed_paragraphs"])]))
         | "Write" >> beam.io.WriteToText(os.path.join(output, "removed"), shard_name_template=""))
    seconds = time.perf_counter() - started
    written = [json.loads(line) for line in open(os.path.join(output, "removed"), encoding="utf-8")]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"exit": 0, "run_seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "prism_cpu_seconds": tree_cpu_seconds(os.getpid(), include_root=False),
            "peak_mb": usage.ru_maxrss / 1024,
            "removed": sum(n for _, n in written), "articles": len(written)}


def measure(articles: list[dict], workdir: str, mode: str = "bounded") -> dict:
    """Writes the articles and runs them in a fresh process; wall seconds as the user sees them."""
    input_path = os.path.join(workdir, "articles.jsonl")
    with open(input_path, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(a) + "\n" for a in articles)
    started = time.perf_counter()
    case = "--run-case" if mode == "bounded" else "--run-streaming-case"
    child = subprocess.run([sys.executable, __file__, case, input_path, os.path.join(workdir, "out")],
                           capture_output=True, text=True, check=True)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures["seconds"] = time.perf_counter() - started
    if figures["exit"] != 0 or figures["articles"] != len(articles):
        raise SystemExit(f"run failed: {figures}\n{child.stderr[-2000:]}")
    return figures


def streaming_state(articles: list[dict]) -> dict:
    """Files every paragraph bucket by bucket with the state layout of MatchInBuckets; bytes kept at the end."""
    from pipelines.records import RawArticle
    from pipelines.text.dedup import BucketClusters, index_article
    from pipelines.text.dedup_state import decode_clusters, encode_clusters
    from pipelines.text.normalize import normalize_article
    from pipelines.text.verify import DedupSettings

    settings = DedupSettings()
    retention_ms = 7 * 24 * 3600 * 1000
    normalized = [normalize_article(RawArticle(fields=a, original=b"")) for a in articles]
    states: dict[int, bytes] = {}
    paragraphs = 0
    started = time.perf_counter()
    for article in normalized:
        paragraphs += len(article["paragraphs"])
        for key, entry in index_article(article, article["published_at"], settings):
            stored = states.get(key)
            bucket = BucketClusters(decode_clusters(stored) if stored else (), settings, retention_ms)
            if bucket.file(entry).changed:
                states[key] = encode_clusters(bucket.clusters)
    seconds = time.perf_counter() - started
    state_bytes = sum(len(v) for v in states.values())
    clusters = sum(len(decode_clusters(v)) for v in states.values())
    return {"seconds": seconds, "paragraphs": paragraphs, "buckets": len(states), "clusters": clusters,
            "bytes_per_paragraph": state_bytes / paragraphs, "bytes_per_cluster": state_bytes / max(1, clusters)}


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(seconds) against log(N)."""
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def run_mode(mode: str, sizes: tuple[int, ...], words: list[str]) -> tuple[list[dict], dict]:
    """Every N and number of shared lines in one mode: the rows, and the slopes per number of shared lines."""
    rows = []
    print(f"{mode}:\n{'N':>7} {'shared':>6} {'wall s':>7} {'cpu s':>7} {'peak MB':>8} {'removed':>8} "
          f"{'cpu vs 0':>8} {'per para':>8}")
    for n in sizes:
        reference = None
        for shared in SHARED_COUNTS:
            with tempfile.TemporaryDirectory(prefix="dedup-scale-") as workdir:
                figures = measure(build_articles(n, shared, words), workdir, mode)
            paragraphs = n * (2 + shared)
            reference = reference or (figures["cpu_seconds"], figures["cpu_seconds"] / paragraphs)
            row = {"n": n, "shared": shared, "seconds": round(figures["seconds"], 2),
                   "cpu_seconds": round(figures["cpu_seconds"], 2), "peak_mb": round(figures["peak_mb"]),
                   "removed": figures["removed"],
                   "cpu_ratio_to_unshared": round(figures["cpu_seconds"] / reference[0], 2),
                   "per_paragraph_ratio": round(figures["cpu_seconds"] / paragraphs / reference[1], 2)}
            if "prism_cpu_seconds" in figures:
                row["prism_cpu_seconds"] = round(figures["prism_cpu_seconds"], 2)
            rows.append(row)
            print(f"{n:>7} {shared:>6} {row['seconds']:>7} {row['cpu_seconds']:>7} {row['peak_mb']:>8} "
                  f"{row['removed']:>8} {row['cpu_ratio_to_unshared']:>8} {row['per_paragraph_ratio']:>8}", flush=True)
    slopes = {}
    for shared in SHARED_COUNTS:
        cpu = slope([(r["n"], r["cpu_seconds"]) for r in rows if r["shared"] == shared])
        wall = slope([(r["n"], r["seconds"]) for r in rows if r["shared"] == shared])
        slopes[str(shared)] = {"cpu": cpu and round(cpu, 3), "wall": wall and round(wall, 3)}
        print(f"{mode}: slope of log(time) vs log(N), {shared} shared lines: cpu {slopes[str(shared)]['cpu']}, "
              f"wall {slopes[str(shared)]['wall']} (aim <= 1.1)")
    return rows, slopes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also N = 64,000")
    parser.add_argument("--limit", type=int, default=None, help="run N/4 and N articles only")
    parser.add_argument("--sizes", default=None, help="comma-separated N to run (instead of 1k, 4k, 16k)")
    parser.add_argument("--modes", default="bounded,streaming", help="bounded, streaming or both")
    parser.add_argument("--no-state", action="store_true", help="skip the streaming state replay")
    parser.add_argument("--run-case", nargs=2, metavar=("INPUT", "OUTPUT"), help=argparse.SUPPRESS)
    parser.add_argument("--run-streaming-case", nargs=2, metavar=("INPUT", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_case:
        print(json.dumps(run_case(*args.run_case)))
        return
    if args.run_streaming_case:
        print(json.dumps(run_streaming_case(*args.run_streaming_case)))
        return
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = set(modes) - {"bounded", "streaming"}
    if unknown or not modes:
        sys.exit(f"--modes takes bounded and/or streaming, not {','.join(sorted(unknown)) or 'nothing'}")
    if "streaming" in modes:
        from pipelines.cli import local_prism
        if not local_prism().exists():
            sys.exit(f"Prism is not built at {local_prism()}: run `make prism`, or pass --modes bounded")
    if args.sizes:
        sizes = tuple(int(n) for n in args.sizes.split(","))
    elif args.limit:
        sizes = (max(1, args.limit // 4), args.limit)
    else:
        sizes = FULL_SIZES if args.full else SIZES
    words = vocabulary()
    result: dict = {}
    for mode in modes:
        rows, slopes = run_mode(mode, sizes, words)
        result[mode] = rows
        result[f"{mode}_slopes"] = slopes
    if len(modes) == 2:
        ratios = [{"n": b["n"], "shared": b["shared"],
                   "streaming_to_bounded_cpu": round(s["cpu_seconds"] / b["cpu_seconds"], 2),
                   "streaming_to_bounded_wall": round(s["seconds"] / b["seconds"], 2),
                   "same_removed": s["removed"] == b["removed"]}
                  for b, s in zip(result["bounded"], result["streaming"], strict=True)]
        result["streaming_to_bounded"] = ratios
        for r in ratios:
            print(f"N={r['n']}, {r['shared']} shared: streaming / bounded cpu {r['streaming_to_bounded_cpu']}, "
                  f"wall {r['streaming_to_bounded_wall']}, same paragraphs removed: {r['same_removed']}")
    if not args.no_state:
        state = []
        for n in sizes:
            figures = streaming_state(build_articles(n, 1, words))
            state.append({"n": n, "shared": 1, **{k: round(v, 1) if isinstance(v, float) else v
                                                   for k, v in figures.items()}})
            print(f"streaming state, N={n}, 1 shared line: {figures['bytes_per_paragraph']:.0f} B per paragraph, "
                  f"{figures['bytes_per_cluster']:.0f} B per stored cluster, {figures['clusters']} clusters in "
                  f"{figures['buckets']} buckets, replay {figures['seconds']:.1f} s", flush=True)
        result["streaming_state"] = state
        result["streaming_state_slope"] = slope([(s["n"], s["seconds"]) for s in state])
    print_result(result)


if __name__ == "__main__":
    main()
