"""The seed article against its gold events (../shared/eval/seed), scored with the shared scorer."""
import importlib.util
import json
import os

import pytest

from pipelines.events.extract import EventExtractor
from pipelines.records import RawArticle
from pipelines.text.normalize import normalize_article

EVAL = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "eval")
pytestmark = pytest.mark.skipif(not os.path.isdir(os.path.join(EVAL, "seed")),
                                reason="../shared/eval/seed not found beside the project")


def load_scorer():
    spec = importlib.util.spec_from_file_location("score_events", os.path.join(EVAL, "score_events.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_seed_events_found_with_type_source_and_times(nlp):
    with open(os.path.join(EVAL, "seed", "seed_article.jsonl"), encoding="utf-8") as fh:
        article = normalize_article(RawArticle(fields=json.loads(fh.readline()), original=b""))
    with open(os.path.join(EVAL, "seed", "seed_events_gold.json"), encoding="utf-8") as fh:
        gold = json.load(fh)
    docs = [(p["index"], doc) for p, doc in zip(article["paragraphs"],
                                                 nlp.pipe([p["text"] for p in article["paragraphs"]]), strict=True)]
    events = EventExtractor().article_events(article, docs)
    result = load_scorer().score_seed(gold, {article["article_id"]: events})
    assert result["found_with_source"] >= 13, result["missed"]
    for expected in (g for g in gold["events"] if "time" in g):
        matching = [e for e in events if e["paragraph_index"] == expected["paragraph"] and e["time"]
                    and e["time"]["text"] == expected["time"]["text"]]
        assert any(e["time"]["start"].isoformat() == expected["time"]["start"] and
                   e["time"]["end"].isoformat() == expected["time"]["end"] for e in matching), expected
