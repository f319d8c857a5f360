"""Worst messages within the input limits: time and peak memory of `newsstream run` on one message each.

Every case is one message just under a limit of ParseLimits (or the HTML parser's depth), built from BBC
words in ../shared: the longest paragraphs, the most paragraphs, the most repeated paragraphs, the
deepest HTML. Each runs as `newsstream run --input-file` in a child process (events on, one worker);
the process tree's resident memory is sampled for the peak, and its CPU time (user + system of the
child and everything it waited for) is taken from the kernel's accounting, so a machine shared with
other work still gives the cost in seconds of one core. A baseline run on one ordinary article gives
the worker's own start-up cost; the figures are reported over that baseline (the aim: about 10 s of
one core and 1 GB over the baseline for any message). Each case also says what it wrote: articles,
events, dead letters and the warning codes on the article (the limits' warnings show up there).
The last line is one JSON object.

usage: python benchmarks/worst_case.py [--limit N] [--case NAME ...]
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import sys
import tempfile

import fastavro

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from benchmarks.common import bbc_articles, print_result, run_measured  # noqa: E402
from pipelines.text.parse import DEFAULT_LIMITS  # noqa: E402


def bbc_words(limit: int = 300) -> list[str]:
    """Words of the first BBC articles, in order: real text for the parser to chew on."""
    return " ".join(a["text"] for a in bbc_articles(limit)).split()


def paragraphs_of(words: list[str], count: int, chars: int, offset: int = 0) -> list[str]:
    """`count` paragraphs of about `chars` characters each, cut from the word stream (each one different)."""
    paragraphs, position = [], offset
    for _ in range(count):
        taken, size = [], 0
        while size < chars - 20:
            word = words[position % len(words)]
            taken.append(word)
            size += len(word) + 1
            position += 1
        paragraphs.append(" ".join(taken))
    return paragraphs


CASES = ("baseline", "longest_paragraphs", "most_paragraphs", "most_repeated", "deepest_html")


def worst_messages(words: list[str], max_paragraphs: int) -> dict[str, dict]:
    """Case name -> one input message just under a limit."""
    limits = DEFAULT_LIMITS
    long_count = min(100, max_paragraphs, limits.max_message_bytes // limits.max_paragraph_chars - 2)
    many = min(limits.max_paragraphs - 1, max_paragraphs)
    many_chars = min(5000, limits.max_message_bytes // (many + 1) - 50)
    repeated = paragraphs_of(words, 1, many_chars)[0]
    depth = 5000
    nested = "".join("<div>" for _ in range(depth)) + "".join(
        f"<p>{p}</p>" for p in paragraphs_of(words, min(400, max_paragraphs), 400)) + "</div>" * depth
    return {
        "baseline": {"id": "baseline", "text": "\n".join(paragraphs_of(words, 5, 400))},
        "longest_paragraphs": {"id": "longest", "text": "\n".join(
            paragraphs_of(words, long_count, limits.max_paragraph_chars - 1000))},
        "most_paragraphs": {"id": "most", "text": "\n".join(paragraphs_of(words, many, many_chars))},
        "most_repeated": {"id": "repeated", "text": "\n".join([repeated] * many)},
        "deepest_html": {"id": "deep", "html": f"<html><body>{nested}</body></html>"},
    }


def run_case(message: dict, workdir: str) -> dict:
    """Run the pipeline on one message; wall seconds, peak tree RSS, what it wrote."""
    source = os.path.join(workdir, f"{message['id']}.jsonl")
    with open(source, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(message) + "\n")
    output = os.path.join(workdir, f"out-{message['id']}")
    command = [sys.executable, "-m", "pipelines.cli", "run", "--input-file", source, "--output", output]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, peak, returncode, out = run_measured(command)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if returncode != 0:
        print(out[-2000:])
    return {"cpu_seconds": round(cpu, 2), "wall_seconds": round(seconds, 2), "peak_mb": round(peak / 2**20),
            "exit": returncode, "message_mb": round(len(json.dumps(message)) / 2**20, 2), **written(output)}


def written(output: str) -> dict:
    """How many records of each kind the run wrote, and the warning codes on its articles."""
    counts, warnings = {}, set()
    for kind in ("articles", "events", "dead_letters"):
        records = []
        for path in glob.glob(os.path.join(output, "**", f"{kind}*.avro"), recursive=True):
            with open(path, "rb") as fh:
                records.extend(fastavro.reader(fh))
        counts[kind] = len(records)
        if kind == "articles":
            warnings |= {w.split(":", 1)[0] for r in records for w in r.get("warnings") or ()}
    return {**counts, "warnings": sorted(warnings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMITS.max_paragraphs,
                        help="at most this many paragraphs per message (a quick sample; default: the limit)")
    parser.add_argument("--case", action="append", choices=CASES[1:],
                        help="run only this case (repeatable; the baseline always runs)")
    args = parser.parse_args()
    words = bbc_words()
    chosen = ["baseline", *(args.case or CASES[1:])]
    results = {}
    with tempfile.TemporaryDirectory(prefix="worst-case-") as workdir:
        for name, message in worst_messages(words, args.limit).items():
            if name in chosen:
                results[name] = run_case(message, workdir)
                print(name, results[name], flush=True)
    base = results["baseline"]
    for name, figures in results.items():
        if name != "baseline":
            figures["cpu_seconds_over_baseline"] = round(figures["cpu_seconds"] - base["cpu_seconds"], 2)
            figures["mb_over_baseline"] = figures["peak_mb"] - base["peak_mb"]
    worst = [r for name, r in results.items() if name != "baseline"]
    print_result({"cases": results,
                  "max_cpu_seconds_over_baseline": max(r["cpu_seconds_over_baseline"] for r in worst),
                  "max_mb_over_baseline": max(r["mb_over_baseline"] for r in worst),
                  "limit": args.limit})


if __name__ == "__main__":
    main()
