"""Draws BBC sentences at random (fixed seed, the same number from each category) for our ordinary-news
labels: prints one label skeleton per line (article id, paragraph, character offsets, SHA-1 prefix of the
sentence, empty `events` and `optional`) with the sentence under `text` for the labeller to read. The text is
never stored in the repository: the label file keeps the skeleton only (events_quality.py reads the text
back from ../shared/data/bbc_news.jsonl and checks it against the hash).

Articles already labelled (in any file given with --exclude) and sentences whose text is already labelled
(the BBC file holds duplicate articles) are skipped. With --emitted, only sentences where the events stage
(rules only, no learned model) emits a non-STATEMENT event are kept, drawn from all categories together:
the candidate sample the learned model is trained on (all build half); its events are printed under
`emitted` for the labeller, who still labels every event of the sentence.

usage: python benchmarks/draw_news_sample.py --per-category 120 --seed 2 --exclude benchmarks/data/events_news_*
       python benchmarks/draw_news_sample.py --emitted 300 --seed 3 --exclude benchmarks/data/events_news_*
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import SHARED  # noqa: E402

# A sentence ends at . ! or ? (a closing quote may follow) before a space and a capital or a quote.
SENTENCE_END = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"'A-Z0-9])")
MIN_CHARS, MAX_CHARS = 30, 400


def sentences(paragraph: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a paragraph."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(paragraph):
        end = match.start() + (1 if match.group(0)[0] in "\"'" else 0)
        spans.append((start, end))
        start = match.end()
    spans.append((start, len(paragraph)))
    return [(s, e) for s, e in spans if MIN_CHARS <= e - s <= MAX_CHARS]


def sha1_prefix(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def with_events(pool: list[tuple[str, int, int, int, str]], excluded_hashes: set[str],
                wanted: int) -> list[tuple[dict, list[str]]]:
    """The first `wanted` sentences of the pool where the rules emit a non-STATEMENT event, with those events."""
    from benchmarks.events_quality import article_of, extract
    from pipelines.events.batch import EventBatcher
    from pipelines.events.extract import EventExtractor
    from pipelines.events.nlp import DEFAULT_MODEL, load_pipeline
    batcher = EventBatcher(load_pipeline(DEFAULT_MODEL), extractor=EventExtractor(learned=False))
    found: list[tuple[dict, list[str]]] = []
    for first in range(0, len(pool), 200):
        chunk = [item for item in pool[first:first + 200] if sha1_prefix(item[4]) not in excluded_hashes]
        keyed = {f"{a}:{i}:{s}": (a, i, s, e, t) for a, i, s, e, t in chunk}
        events = extract(batcher, [article_of(key, item[4], None) for key, item in keyed.items()])
        for key, (article_id, index, start, end, text) in keyed.items():
            emitted = [f"{e['event_type']} {e['trigger']['text']!r} {e['confidence']}" for e in events[key]
                       if e["event_type"] != "STATEMENT"]
            if emitted and sha1_prefix(text) not in excluded_hashes:
                excluded_hashes.add(sha1_prefix(text))
                found.append(({"article_id": article_id, "paragraph": index, "start": start, "end": end,
                               "sha1": sha1_prefix(text), "events": [], "optional": [], "text": text}, emitted))
                if len(found) == wanted:
                    return found
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=SHARED, help="The shared data folder (../shared).")
    parser.add_argument("--per-category", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--exclude", nargs="*", default=[], help="Label files whose articles are skipped.")
    parser.add_argument("--emitted", type=int, default=0,
                        help="Draw this many sentences where the stage emits a non-STATEMENT event instead.")
    args = parser.parse_args()
    path = os.path.join(args.shared, "data", "bbc_news.jsonl")
    if not os.path.exists(path):
        print(f"{path} not found: the shared data sits beside the project checkout", file=sys.stderr)
        return 2
    excluded_articles, excluded_hashes = set(), set()
    for name in args.exclude:
        for line in open(name, encoding="utf-8"):
            label = json.loads(line)
            excluded_articles.add(label["article_id"])
            excluded_hashes.add(label["sha1"])
    by_category: dict[str, list[tuple[str, int, int, int, str]]] = {}
    for line in open(path, encoding="utf-8"):
        record = json.loads(line)
        if record["id"] in excluded_articles:
            continue
        paragraphs = [p.strip() for p in record["text"].splitlines() if p.strip()]
        for index, paragraph in enumerate(paragraphs):
            for start, end in sentences(paragraph):
                by_category.setdefault(record["category"], []).append(
                    (record["id"], index, start, end, paragraph[start:end]))
    rng = random.Random(args.seed)
    if args.emitted:
        pool = [item for category in sorted(by_category) for item in by_category[category]]
        for label, emitted in with_events(rng.sample(pool, len(pool)), excluded_hashes, args.emitted):
            print(json.dumps(dict(label, emitted=emitted)))
        return 0
    for category in sorted(by_category):
        pool = by_category[category]
        drawn = 0
        for article_id, index, start, end, text in rng.sample(pool, len(pool)):
            if drawn == args.per_category:
                break
            digest = sha1_prefix(text)
            if digest in excluded_hashes:
                continue
            excluded_hashes.add(digest)
            drawn += 1
            print(json.dumps({"article_id": article_id, "paragraph": index, "start": start, "end": end,
                              "sha1": digest, "events": [], "optional": [], "text": text}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
