"""Normalize on the shared data beside the project (../shared): the seed story and a BBC sample."""
import itertools
import json
from pathlib import Path

import pytest

from pipelines.records import RawArticle
from pipelines.text.normalize import Normalizer

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "eval" / "seed" / "seed_article.jsonl"
BBC = SHARED / "data" / "bbc_news.jsonl"


def first_records(path: Path, count: int) -> list[dict]:
    if not path.exists():
        pytest.skip(f"{path} not found: the shared data lives in ../shared beside the project")
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in itertools.islice(f, count)]


def test_seed_keeps_its_14_paragraphs_and_moves_the_yonhap_credit():
    (fields,) = first_records(SEED, 1)
    article = Normalizer()(RawArticle(fields, b""))
    assert [p["index"] for p in article["paragraphs"]] == list(range(14))
    assert article["credits"] == ["Yonhap"]
    assert article["paragraphs"][-1]["text"].endswith("to start again in a couple of weeks.")
    assert all("(Yonhap)" not in p["text"] for p in article["paragraphs"])
    assert article["dateline"] is None and article["language"] == "en" and article["warnings"] == []
    assert article["article_id"] == fields["id"]
    assert article["published_at"] == 1564531200000  # 2019-07-31T09:00+09:00


def test_clean_bbc_articles_lose_no_paragraph():
    for fields in first_records(BBC, 60):
        article = Normalizer()(RawArticle({"text": fields["text"], "title": fields["title"]}, b""))
        lines = [line for line in fields["text"].splitlines() if line.strip()]
        assert [p["index"] for p in article["paragraphs"]] == list(range(len(lines))), fields["id"]
        assert article["language"] == "en", fields["id"]
