"""Event quality measured so that it predicts unseen news: every set is split by a fixed hash of its record
ids into a build half (rules may be written from what fails there) and a held-out half (only measured).

Sets: PLOVER and WikiEvents dev (../shared/eval/events, scored by the shared scorer's own functions) and
our labelled ordinary-news sentences (benchmarks/data/events_news_labels.jsonl: BBC sentences named by
article id, paragraph and character offsets, the text read from ../shared/data/bbc_news.jsonl, every
non-STATEMENT event labelled, with `optional` events that are neither required nor counted wrong).
Prints, per set and half, the figures and a confidence calibration table; the last line is one JSON object.

usage: python benchmarks/events_quality.py [--shared ../shared] [--half build|held|both] [--sets plover,...]
       [--rules-only]
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import datetime

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import SHARED  # noqa: E402
from pipelines.events.batch import EventBatcher  # noqa: E402
from pipelines.events.extract import EventExtractor  # noqa: E402
from pipelines.events.nlp import DEFAULT_MODEL, load_pipeline  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# The random sample (split in halves) and the candidate sample: sentences where the stage of the time
# emitted an event, drawn from other articles, labelled to find failure classes; it is all build half.
NEWS_LABELS = {"news": os.path.join(HERE, "data", "events_news_labels.jsonl"),
               "candidates": os.path.join(HERE, "data", "events_news_candidates.jsonl")}
HALVES = ("build", "held")
CALIBRATION_BINS = (0.0, 0.3, 0.5, 0.7, 0.9)
# Bootstrap draws for the 90% intervals: a held-out half holds 60-80 events, so one event moves a figure by
# 0.01-0.02 and a figure alone says little about the next set.
INTERVAL_DRAWS = 2000


def half_of(record_id: str) -> str:
    """The fixed half a record belongs to: the first byte of the SHA-1 of its id, even or odd."""
    return HALVES[hashlib.sha1(record_id.encode("utf-8")).digest()[0] % 2]


def load_scorer(shared: str):
    path = os.path.join(shared, "eval", "score_events.py")
    spec = importlib.util.spec_from_file_location("score_events", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def article_of(record_id: str, text: str, published_at: str | None) -> dict:
    published_ms = None
    if published_at:
        published_ms = int(datetime.fromisoformat(published_at.replace("Z", "+00:00")).timestamp() * 1000)
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    return {"article_id": record_id, "published_at": published_ms, "language": "en",
            "paragraphs": [{"index": i, "text": t} for i, t in enumerate(paragraphs)]}


def extract(batcher: EventBatcher, articles: list[dict]) -> dict[str, list[dict]]:
    events: dict[str, list[dict]] = {a["article_id"]: [] for a in articles}
    results = []
    for article in articles:
        results.extend(batcher.add(article))
    results.extend(batcher.flush())
    for result in results:
        events[result.article["article_id"]].extend(result.events)
    return events


def calibration(pairs: list[tuple[float, bool]]) -> list[dict]:
    """Share of right events per confidence bin, and for confidence >= 0.5 as a whole."""
    rows = []
    edges = CALIBRATION_BINS + (1.01,)
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = [right for confidence, right in pairs if low <= confidence < high]
        rows.append({"bin": f"{low:.1f}-{min(high, 1.0):.1f}", "events": len(inside),
                     "right": round(sum(inside) / len(inside), 3) if inside else None})
    kept = [right for confidence, right in pairs if confidence >= 0.5]
    rows.append({"bin": ">=0.5", "events": len(kept), "right": round(sum(kept) / len(kept), 3) if kept else None})
    return rows


def interval(units: list[tuple[float, ...]], statistic: Callable[[np.ndarray], float],
             draws: int = INTERVAL_DRAWS, seed: int = 0) -> list[float]:
    """The 90% bootstrap interval of a figure: the set's units (records, documents, sentences), each a row of
    counts, are drawn again with replacement and the figure is computed from the summed counts."""
    counts = np.array(units, float)
    picks = np.random.default_rng(seed).integers(0, len(counts), size=(draws, len(counts)))
    values = np.sort([statistic(counts[pick].sum(axis=0)) for pick in picks])
    return [round(float(values[int(0.05 * draws)]), 3), round(float(values[int(0.95 * draws) - 1]), 3)]


def ratio(numerator: int, denominator: int) -> Callable[[np.ndarray], float]:
    return lambda sums: sums[numerator] / max(1.0, sums[denominator])


def f1_of_counts(sums: np.ndarray) -> float:
    """F1 from summed (true positives, false positives, false negatives)."""
    tp, fp, fn = sums[:3]
    return 2 * tp / max(1.0, 2 * tp + fp + fn)


def plover_intervals(scorer, gold: dict, events: dict) -> dict[str, list[float]]:
    """Per record: type right, source found (of records with a gold source), target found (likewise)."""
    units = []
    for key, record in gold.items():
        one = scorer.score_plover({key: record}, {key: events.get(key, [])})
        has_source, has_target = bool(record["sources"]), bool(record["targets"])
        units.append((one["type_accuracy"], 1, one["source_match"] * has_source, has_source,
                      one["target_match"] * has_target, has_target))
    return {"type_accuracy": interval(units, ratio(0, 1)), "source_match": interval(units, ratio(2, 3)),
            "target_match": interval(units, ratio(4, 5))}


def wikievents_intervals(scorer, gold: dict, events: dict) -> dict[str, list[float]]:
    """Per document: true positives, false positives and false negatives."""
    units = []
    for key, record in gold.items():
        one = scorer.score_wikievents({key: record}, {key: events.get(key, [])})
        units.append((one["tp"], one["fp"], one["fn"]))
    precision = lambda sums: sums[0] / max(1.0, sums[0] + sums[1])  # noqa: E731
    recall = lambda sums: sums[0] / max(1.0, sums[0] + sums[2])  # noqa: E731
    return {"precision": interval(units, precision), "recall": interval(units, recall),
            "f1": interval(units, f1_of_counts)}


def dev_data(name: str, shared: str, batcher: EventBatcher, half: str) -> tuple[dict, dict[str, list[dict]]]:
    """The gold records of a dev set's half and our events for them."""
    folder = os.path.join(shared, "eval", "events")
    gold = json.load(open(os.path.join(folder, f"{name}_dev_gold.json"), encoding="utf-8"))
    gold = {key: value for key, value in gold.items() if half in ("both", half_of(key))}
    records = [json.loads(line) for line in open(os.path.join(folder, f"{name}_dev.jsonl"), encoding="utf-8")]
    articles = [article_of(r["id"], r["text"], r.get("published_at")) for r in records if r["id"] in gold]
    return gold, extract(batcher, articles)


def dev_set(name: str, shared: str, scorer, batcher: EventBatcher, half: str) -> dict:
    gold, events = dev_data(name, shared, batcher, half)
    if name == "plover":
        figures = scorer.score_plover(gold, events)
        pairs = []
        for key, record in gold.items():
            best = scorer.top(events.get(key, []))
            if best is not None:
                pairs.append((best["confidence"], best["event_type"] == record["type"]))
        figures["intervals"] = plover_intervals(scorer, gold, events)
    else:
        figures = scorer.score_wikievents(gold, events)
        pairs = [(event["confidence"], right) for event, right in wikievents_labelled(scorer, gold, events)]
        figures["intervals"] = wikievents_intervals(scorer, gold, events)
    figures["calibration"] = calibration(pairs)
    return figures


def plover_labelled(gold: dict, events: dict) -> list[tuple[dict, bool]]:
    """(event, right) for every non-STATEMENT event: right when it has the record's gold type."""
    return [(event, event["event_type"] == record["type"]) for key, record in gold.items()
            for event in events.get(key, []) if event["event_type"] != "STATEMENT"]


def wikievents_labelled(scorer, gold: dict, events: dict) -> list[tuple[dict, bool]]:
    """(event, right) for every scored event: right when its sentence holds a gold event of its type."""
    labelled = []
    for key, record in gold.items():
        wanted = {(m["sent_idx"], m["type"]) for m in record["mentions"] if m["type"] and m["type"] != "STATEMENT"}
        excluded = {m["sent_idx"] for m in record["mentions"] if not m["type"] or m["type"] == "STATEMENT"}
        for event in events.get(key, []):
            if event["event_type"] not in scorer.WIKIEVENTS_TYPES:
                continue
            index = scorer.sentence_index(record["sentences"], event)
            if index is None:
                continue
            right = (index, event["event_type"]) in wanted
            if right or index not in excluded:
                labelled.append((event, right))
    return labelled


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def matches(event: dict, label: dict) -> bool:
    trigger = words_of(event["trigger"]["text"])
    return event["event_type"] in label["types"] and any(words_of(t) & trigger for t in label["triggers"])


def news_sentences(path: str, labels: list[dict]) -> dict[str, str]:
    """The labelled sentences' text from the BBC file, checked against the hash stored with each label."""
    wanted = {label["article_id"] for label in labels}
    paragraphs = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["id"] in wanted:
                paragraphs[record["id"]] = [p.strip() for p in record["text"].splitlines() if p.strip()]
    texts = {}
    for label in labels:
        text = paragraphs[label["article_id"]][label["paragraph"]][label["start"]:label["end"]]
        if hashlib.sha1(text.encode("utf-8")).hexdigest()[:12] != label["sha1"]:
            raise SystemExit(f"{label['article_id']} paragraph {label['paragraph']}: the text differs from the "
                             "labelled sentence (a different bbc_news.jsonl?)")
        texts[news_id(label)] = text
    return texts


def news_id(label: dict) -> str:
    return f"{label['article_id']}:{label['paragraph']}:{label['start']}"


def news_data(name: str, data: str, batcher: EventBatcher, half: str) -> tuple[list[dict], dict[str, str],
                                                                                dict[str, list[dict]]]:
    """The labels of a news set's half, their sentences and our events for them."""
    labels = [json.loads(line) for line in open(NEWS_LABELS[name], encoding="utf-8")]
    if name == "news":
        labels = [label for label in labels if half in ("both", half_of(news_id(label)))]
    texts = news_sentences(data, labels)
    return labels, texts, extract(batcher, [article_of(key, text, None) for key, text in texts.items()])


def news_labelled(labels: list[dict], events: dict) -> list[tuple[dict, bool, bool]]:
    """(event, right, optional only) for every non-STATEMENT event: right when a labelled event (required
    or optional) has its type and shares a trigger word; optional only when no required one matches."""
    labelled = []
    for label in labels:
        for event in events[news_id(label)]:
            if event["event_type"] == "STATEMENT":
                continue
            ok = any(matches(event, g) for g in label["events"] + label["optional"])
            labelled.append((event, ok, ok and not any(matches(event, g) for g in label["events"])))
    return labelled


def news_set(name: str, data: str, batcher: EventBatcher, half: str) -> dict:
    labels, texts, events = news_data(name, data, batcher, half)
    units, wrong, pairs = [], [], []
    for label in labels:
        key = news_id(label)
        labelled = news_labelled([label], events)
        counted = [(event, ok) for event, ok, optional_only in labelled if not optional_only]
        found = sum(any(matches(event, gold) for event in events[key] if event["event_type"] != "STATEMENT")
                    for gold in label["events"])
        units.append((sum(ok for _, ok in counted), len(counted), found, len(label["events"])))
        wrong.extend(f"{event['event_type']} {event['trigger']['text']!r} {event['confidence']}: {texts[key][:90]}"
                     for event, ok in counted if not ok)
        pairs.extend((event["confidence"], ok) for event, ok, _ in labelled)
    right, emitted, found, required = (sum(column) for column in zip(*units, strict=True)) if units else (0,) * 4
    return {"sentences": len(labels), "labelled_events": required, "emitted": emitted,
            "precision": round(right / max(1, emitted), 3), "recall": round(found / max(1, required), 3),
            "intervals": {"precision": interval(units, ratio(0, 1)), "recall": interval(units, ratio(2, 3))},
            "calibration": calibration(pairs), "wrong": wrong}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=SHARED, help="The shared data folder (../shared).")
    parser.add_argument("--half", choices=("build", "held", "both"), default="both")
    parser.add_argument("--sets", default="plover,wikievents,news,candidates")
    parser.add_argument("--show-wrong", action="store_true", help="List wrong news events (build half only).")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--rules-only", action="store_true",
                        help="Without the learned event model (rules and rule confidence only).")
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(args.shared, "eval", "events")):
        print(f"skipped: {args.shared}/eval/events not found (the shared data sits beside the project checkout)")
        print(json.dumps({"skipped": True}))
        return 0
    scorer = load_scorer(args.shared)
    batcher = EventBatcher(load_pipeline(args.model), extractor=EventExtractor(learned=not args.rules_only))
    halves = HALVES if args.half == "both" else (args.half,)
    result: dict[str, dict] = {}
    bbc = os.path.join(args.shared, "data", "bbc_news.jsonl")
    for name in args.sets.split(","):
        if name in NEWS_LABELS and not os.path.exists(bbc):
            print(f"{name}: skipped, {bbc} not found")
            continue
        for half in halves if name != "candidates" else ("build",):
            if name in NEWS_LABELS:
                figures = news_set(name, bbc, batcher, half)
                wrong = figures.pop("wrong")
                if args.show_wrong and half == "build":
                    print("\n".join(wrong))
            else:
                figures = dev_set(name, args.shared, scorer, batcher, half)
            table = figures.pop("calibration")
            intervals = figures.pop("intervals")
            print(f"{name} {half}: {json.dumps({k: v for k, v in figures.items() if k != 'top_confusions'})}")
            print("  90% intervals: " + "  ".join(f"{k} {low:.3f}-{high:.3f}" for k, (low, high) in intervals.items()))
            print("  calibration: " + "  ".join(f"{r['bin']} {r['right']} (n={r['events']})" for r in table))
            result[f"{name}_{half}"] = dict(figures, intervals=intervals, calibration=table)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
