"""Throughput of the events stage against plain spaCy, on the same BBC text in the same run.

The stage (pipelines/events/batch.py: what the ExtractEvents DoFn does per bundle: the trigger screen,
nlp.pipe over the batched sentences it passes, without the entity recognizer where only reporting verbs
occur, then event extraction) is timed against `nlp.pipe` of the same model as it loads, every component,
over the same paragraphs, alternating chunk by chunk so both see the same machine load.
Prints words/s for both and their ratio; the last line is one JSON object.

usage: python benchmarks/events.py [--limit N] [--data ../shared/data/bbc_news.jsonl] [--batch-size 64]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import spacy

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import BBC_NEWS as DEFAULT_DATA  # noqa: E402
from pipelines.events.batch import EventBatcher  # noqa: E402
from pipelines.events.nlp import DEFAULT_MODEL, load_pipeline  # noqa: E402


def load_articles(path: str, limit: int | None) -> list[dict]:
    articles = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh):
            if limit is not None and number >= limit:
                break
            record = json.loads(line)
            paragraphs = [p.strip() for p in record["text"].splitlines() if p.strip()]
            articles.append({"article_id": str(record["id"]), "published_at": None, "language": "en",
                             "paragraphs": [{"index": i, "text": t} for i, t in enumerate(paragraphs)]})
    return articles


def timed_runs(model: str, articles: list[dict], batch_size: int, chunk: int) -> tuple[float, float, int]:
    """Seconds for plain nlp.pipe and for the stage over the same articles, alternating chunk by chunk so
    that both see the same load on a shared machine."""
    plain = spacy.load(model)
    batcher = EventBatcher(load_pipeline(model), batch_size)
    warmup = [p["text"] for a in articles[:5] for p in a["paragraphs"]]
    list(plain.pipe(warmup, batch_size=batch_size))
    for article in articles[:5]:
        batcher.add(article)
    batcher.flush()
    plain_s = stage_s = 0.0
    events = 0
    for number, start in enumerate(range(0, len(articles), chunk)):
        part = articles[start:start + chunk]
        texts = [p["text"] for a in part for p in a["paragraphs"]]
        runs = ["plain", "stage"] if number % 2 == 0 else ["stage", "plain"]
        for run in runs:
            started = time.perf_counter()
            if run == "plain":
                for _ in plain.pipe(texts, batch_size=batch_size):
                    pass
                plain_s += time.perf_counter() - started
            else:
                for article in part:
                    events += sum(len(r.events) for r in batcher.add(article))
                events += sum(len(r.events) for r in batcher.flush())
                stage_s += time.perf_counter() - started
    return plain_s, stage_s, events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Only the first N articles.")
    parser.add_argument("--data", default=DEFAULT_DATA, help="BBC News JSONL (id, category, title, text).")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--chunk", type=int, default=25, help="Articles per alternating timing chunk.")
    args = parser.parse_args()
    if not os.path.exists(args.data):
        print(f"skipped: {args.data} not found (the shared data sits beside the project checkout)")
        print(json.dumps({"skipped": True}))
        return 0
    articles = load_articles(args.data, args.limit)
    texts = [p["text"] for a in articles for p in a["paragraphs"]]
    words = sum(len(t.split()) for t in texts)
    load_before = os.getloadavg()[0]
    plain_s, stage_s, events = timed_runs(args.model, articles, args.batch_size, args.chunk)
    result = {
        "articles": len(articles), "paragraphs": len(texts), "words": words, "events": events,
        "plain_nlp_pipe_words_per_s": round(words / plain_s), "stage_words_per_s": round(words / stage_s),
        "ratio": round(plain_s / stage_s, 3), "model": args.model, "batch_size": args.batch_size,
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    print(f"plain nlp.pipe : {result['plain_nlp_pipe_words_per_s']:>8} words/s ({plain_s:.1f} s)")
    print(f"events stage   : {result['stage_words_per_s']:>8} words/s ({stage_s:.1f} s, {events} events)")
    print(f"ratio          : {result['ratio']:.3f} (stage / plain; aim >= 1.2)")
    print(f"load average   : {result['load_average_1min']} (1 min, at start and end)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
