"""Normalize on one core: articles/s for plain-text and HTML input (BBC corpus), and body quality on real pages.

Plain text: the BBC articles as messages ({id, title, text}; language detected, as for a feed without it).
HTML: the same articles rendered into simple pages (header, navigation, article, related links, footer,
script) with no title or date in the message, so the page's metadata is extracted too.
Each figure is the best of --passes passes. References, timed in the same run on the same articles: the
libraries used plainly (ftfy.fix_text and NFKC on every line, py3langid on the whole text; trafilatura.extract
on the page).
Real pages (../shared/eval/html, when present): the Normalizer and trafilatura.extract alone (default settings,
include_comments=False: the reference the shared scorer uses) on the same pages, alternating passes, pages/s
for both; bodies scored with the shared scorer's metric (word 4-gram shingles), overall, per sub-dataset, and
on two fixed halves split by a hash of the page id ("build": the half the extraction rules were tuned on,
"held_out": the other). The last line of output is one JSON object.

    PYTHONPATH=$PWD python benchmarks/normalize.py [--limit N]
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import importlib.util
import json
import os
import sys
import time
import unicodedata
from pathlib import Path

import ftfy
import trafilatura

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import BBC_NEWS, SHARED  # noqa: E402
from pipelines.records import RawArticle, RejectedInput  # noqa: E402
from pipelines.text.language import language_identifier  # noqa: E402
from pipelines.text.normalize import Normalizer  # noqa: E402

BBC = Path(BBC_NEWS)
TARGET_TEXT_PER_S = 2000
EVAL_HTML = Path(SHARED) / "eval" / "html"
SCORER = Path(SHARED) / "eval" / "score_html.py"


def render_page(article: dict) -> str:
    """A plain news page around the article, the way a CMS would serve it."""
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in article["text"].splitlines() if line.strip())
    title = html.escape(article["title"])
    return (
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} | Example News</title>"
        "<meta property=\"article:published_time\" content=\"2005-03-01T09:30:00+00:00\">"
        "<style>body{font-family:serif}</style></head><body>"
        "<header><a href=\"/\">Example News</a> <form><input name=\"q\"></form></header>"
        "<nav><ul><li><a href=\"/world\">World</a></li><li><a href=\"/business\">Business</a></li></ul></nav>"
        f"<main><article><h1>{title}</h1><div class=\"byline\">By a staff reporter</div>\n{body}"
        "<div class=\"share\">Share this story: Email, Facebook, Messenger</div></article>"
        "<aside><h2>More on this story</h2><ul><li><a href=\"/a\">Markets close higher</a></li></ul></aside></main>"
        "<footer><p>Copyright 2005 Example News. All rights reserved.</p></footer>"
        "<script>window.analytics && analytics.page();</script></body></html>"
    )


def rate(work, items, passes: int) -> float:
    """Items per second of `work` over `items` on this thread: the best of `passes` (the machine is shared)."""
    best = 0.0
    for _ in range(passes):
        start = time.perf_counter()
        for item in items:
            work(item)
        best = max(best, len(items) / (time.perf_counter() - start))
    return best


def plain_library_text(fields: dict) -> None:
    lines = [unicodedata.normalize("NFKC", ftfy.fix_text(line)) for line in fields["text"].splitlines()]
    language_identifier().classify("\n".join(lines))


def plain_library_html(fields: dict) -> None:
    trafilatura.extract(fields["html"], fast=True, include_comments=False, include_tables=False)


def page_half(page_id: str) -> str:
    """The fixed half a dev page belongs to: "build" (rules tuned on it) or "held_out"."""
    return "build" if int(hashlib.sha1(page_id.encode()).hexdigest(), 16) % 2 == 0 else "held_out"


def load_scorer():
    """The shared scorer module (read from ../shared, never copied)."""
    spec = importlib.util.spec_from_file_location("score_html", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dev_page_figures(normalizer: Normalizer, limit: int | None, passes: int) -> dict | None:
    """Bodies and pages/s on the shared dev pages for newsstream and trafilatura alone; None when absent."""
    pages_path, gold_path = EVAL_HTML / "html_dev.jsonl.gz", EVAL_HTML / "html_dev_gold.json.gz"
    if not (pages_path.exists() and gold_path.exists() and SCORER.exists()):
        print(f"dev pages skipped: {EVAL_HTML} or {SCORER} not found")
        return None
    scorer = load_scorer()
    with gzip.open(pages_path, "rt", encoding="utf-8") as f:
        pages = [json.loads(line) for line in f if line.strip()][:limit]
    with gzip.open(gold_path, "rt", encoding="utf-8") as f:
        gold = json.load(f)

    ours: dict[str, str] = {}
    theirs: dict[str, str] = {}
    dead_letters: list[str] = []

    def newsstream_body(page: dict) -> None:
        fields = {"id": page["id"], "html": page["html"], **({"url": page["url"]} if page.get("url") else {})}
        try:
            article = normalizer(RawArticle(fields, b""))
            ours[page["id"]] = "\n".join(p["text"] for p in article["paragraphs"])
        except RejectedInput:
            ours[page["id"]] = ""
            dead_letters.append(page["id"])

    def trafilatura_body(page: dict) -> None:
        theirs[page["id"]] = trafilatura.extract(page["html"], include_comments=False) or ""

    ours_rate = theirs_rate = 0.0
    for _ in range(passes):  # alternating, so both see the same load on the shared machine
        dead_letters.clear()
        ours_rate = max(ours_rate, rate(newsstream_body, pages, 1))
        theirs_rate = max(theirs_rate, rate(trafilatura_body, pages, 1))

    def scores(predictions: dict[str, str]) -> dict:
        table = {}
        for half in ("all", "build", "held_out"):
            truth = {p["id"]: gold[p["id"]] for p in pages if half == "all" or page_half(p["id"]) == half}
            table[half] = {"pages": len(truth), **scorer.score(truth, predictions)}
            for source in sorted({v.get("source") for v in truth.values() if v.get("source")}):
                subset = {k: v for k, v in truth.items() if v.get("source") == source}
                table[half][source] = {"pages": len(subset), **scorer.score(subset, predictions)}
        return table

    return {
        "pages": len(pages),
        "newsstream": scores(ours),
        "trafilatura": scores(theirs),
        "newsstream_pages_per_s": round(ours_rate, 1),
        "trafilatura_pages_per_s": round(theirs_rate, 1),
        "pages_per_s_ratio": round(ours_rate / theirs_rate, 2),
        "pages_without_article": dead_letters,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="Use only the first N articles.")
    ap.add_argument("--passes", type=int, default=3, help="Timed passes per figure; the best is reported.")
    ap.add_argument("--data", type=Path, default=BBC, help="BBC JSONL (id, title, text).")
    args = ap.parse_args()
    if not args.data.exists():
        print(f"skipped: {args.data} not found (the BBC corpus lives in ../shared/data)")
        print(json.dumps({"skipped": True, "reason": f"{args.data} not found"}))
        return 0
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    with args.data.open(encoding="utf-8") as f:
        articles = [json.loads(line) for line in f][: args.limit]
    text_messages = [{"id": a["id"], "title": a["title"], "text": a["text"]} for a in articles]
    html_messages = [{"id": a["id"], "html": render_page(a)} for a in articles]

    start = time.perf_counter()
    language_identifier()
    model_load_s = time.perf_counter() - start

    normalizer = Normalizer()
    normalize = lambda fields: normalizer(RawArticle(fields, b""))  # noqa: E731 - timed callable
    text_rate = rate(normalize, text_messages, args.passes)
    text_reference = rate(plain_library_text, text_messages, args.passes)
    html_rate = rate(normalize, html_messages, args.passes)
    html_reference = rate(plain_library_html, html_messages, args.passes)

    dev = dev_page_figures(normalizer, args.limit, args.passes)

    paragraphs_in = sum(1 for a in articles for line in a["text"].splitlines() if line.strip())
    paragraphs_out = sum(len(normalize(m)["paragraphs"]) for m in html_messages)
    result = {
        "articles": len(articles),
        "text_articles_per_s": round(text_rate, 1),
        "text_reference_articles_per_s": round(text_reference, 1),
        "text_ratio_to_reference": round(text_rate / text_reference, 2),
        "text_ratio_to_target": round(text_rate / TARGET_TEXT_PER_S, 2),
        "html_articles_per_s": round(html_rate, 1),
        "html_reference_articles_per_s": round(html_reference, 1),
        "html_ratio_to_reference": round(html_rate / html_reference, 2),
        "html_paragraphs_recovered": round(paragraphs_out / paragraphs_in, 4),
        "language_model_load_s": round(model_load_s, 2),
    }
    if dev is not None:
        result["dev_pages"] = dev
    print(f"plain text: {text_rate:,.0f} articles/s (plain library use {text_reference:,.0f}/s, "
          f"x{result['text_ratio_to_reference']}; target {TARGET_TEXT_PER_S:,}/s, x{result['text_ratio_to_target']})")
    print(f"HTML:       {html_rate:,.0f} articles/s (trafilatura.extract alone {html_reference:,.0f}/s, "
          f"x{result['html_ratio_to_reference']}); body paragraphs recovered {result['html_paragraphs_recovered']:.2%}")
    if dev is not None:
        for half in ("all", "build", "held_out"):
            for who in ("newsstream", "trafilatura"):
                figures = dev[who][half]
                by_source = ", ".join(f"{s} {figures[s]['f1']}" for s in ("dragnet", "readability") if s in figures)
                print(f"dev pages {half:8} {who:11} F1 {figures['f1']} P {figures['precision']} "
                      f"R {figures['recall']} ({by_source})")
        print(f"dev pages: newsstream {dev['newsstream_pages_per_s']} pages/s, trafilatura.extract alone "
              f"{dev['trafilatura_pages_per_s']} pages/s (x{dev['pages_per_s_ratio']}); "
              f"pages without an article: {len(dev['pages_without_article'])}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
