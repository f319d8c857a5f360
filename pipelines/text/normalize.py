"""RawArticle -> Article record: paragraphs, publication time, deterministic id."""
from __future__ import annotations

import email.utils
import re
from datetime import datetime, timezone
from html.parser import HTMLParser

from pipelines.records import RawArticle, RejectedInput
from pipelines.text.ids import article_id_for

BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "article", "section", "tr"}
SKIPPED_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form"}


def split_paragraphs(text: str) -> list[dict]:
    """Paragraphs are the non-empty lines; `index` is the position among them (the contract)."""
    paragraphs = []
    for line in text.splitlines():
        cleaned = re.sub(r"\s+", " ", line).strip()
        if cleaned:
            paragraphs.append({"index": len(paragraphs), "text": cleaned})
    return paragraphs


class _BlockText(HTMLParser):
    """Collects the text of block elements as lines, skipping scripts, styles and navigation."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag in BLOCK_TAGS:
            self.lines.append("")

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in BLOCK_TAGS:
            self.lines.append("")

    def handle_data(self, data):
        if not self.skip_depth:
            self.lines[-1] += data


def html_to_text(html: str) -> str:
    """Block-level text of an HTML page, one block per line."""
    parser = _BlockText()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.lines)


def parse_published_at(value: str | None) -> int | None:
    """ISO 8601 or RFC 2822 -> epoch milliseconds in UTC (naive times are taken as UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp() * 1000)


def normalize_article(raw: RawArticle) -> dict:
    """Build the article record (schemas/article.avsc) from a parsed message, or raise RejectedInput."""
    fields = raw.fields
    text = fields.get("text")
    if text is None:
        text = html_to_text(fields["html"])
    paragraphs = split_paragraphs(text)
    if not paragraphs:
        raise RejectedInput("empty_text", "the article has no non-empty paragraph")
    given_id = fields.get("id")
    warnings = []
    published_at = parse_published_at(fields.get("published_at"))
    if fields.get("published_at") and published_at is None:
        warnings.append(f"unparseable published_at: {fields['published_at']!r}")
    return {
        "article_id": article_id_for(
            str(given_id) if given_id is not None else None,
            fields.get("url"),
            "\n".join(p["text"] for p in paragraphs),
        ),
        "url": fields.get("url"),
        "source": fields.get("source"),
        "title": fields.get("title"),
        "published_at": published_at,
        "language": fields.get("language"),
        "dateline": None,
        "credits": [],
        "warnings": warnings,
        "paragraphs": paragraphs,
        "removed_paragraphs": [],
        "kafka": raw.kafka,
    }
