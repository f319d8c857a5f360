"""Helpers shared by the benchmark scripts: the shared data location and the JSON result line."""
from __future__ import annotations

import json
import os
import sys

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared")
BBC_NEWS = os.path.join(SHARED, "data", "bbc_news.jsonl")


def require_shared(path: str) -> str:
    """The path, or exit 0 with a clear message when the shared data is absent."""
    if not os.path.exists(path):
        print(f"skipped: shared data not found at {os.path.abspath(path)}")
        print(json.dumps({"skipped": True, "reason": f"missing {os.path.abspath(path)}"}))
        sys.exit(0)
    return path


def bbc_articles(limit: int | None = None) -> list[dict]:
    """BBC News articles from ../shared (id, category, title, text with one paragraph per line)."""
    with open(require_shared(BBC_NEWS), encoding="utf-8") as fh:
        articles = [json.loads(line) for line in fh if line.strip()]
    return articles[:limit] if limit else articles


def print_result(result: dict) -> None:
    """Figures as the last line of output, one JSON object."""
    print(json.dumps(result))
