"""HTML page or fragment -> body paragraphs, plus the page's title and publication date when asked.

Two tools, each for what it is good at. trafilatura finds the article body in a full page and drops the
navigation, share bars, related links and comments around it; but on short pages it falls back to a
baseline that flattens the body into one run of text, and on fragments it returns nothing. A small block
parser (stdlib) splits the HTML at block elements and <br>. Paragraphs are the parser's blocks whose text
trafilatura kept; with no trafilatura output (fragments), all blocks. Nothing here touches the network:
trafilatura only ever receives the HTML string.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import trafilatura

# trafilatura logs a warning for every document it declines; fragments are expected here and have a fallback.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

BLOCK_TAGS = frozenset({
    "address", "article", "blockquote", "body", "br", "caption", "center", "dd", "details", "div", "dl", "dt",
    "fieldset", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
})
CELL_TAGS = frozenset({"td", "th"})
SKIPPED_TAGS = frozenset({
    "aside", "button", "canvas", "embed", "figcaption", "footer", "form", "head", "header", "iframe", "math",
    "nav", "noscript", "object", "script", "select", "style", "svg", "template", "textarea", "title",
})
WHITESPACE = re.compile(r"\s+")
NON_WORD = re.compile(r"[\W_]+")
DATE_PARAMETERS = {"original_date": True, "extensive_search": False, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


@dataclass
class HtmlArticle:
    """What a page yields: body paragraphs in order, and the title and date found in it (or None)."""

    paragraphs: list[str]
    title: str | None = None
    published_at: str | None = None
    extractor: str = "blocks"
    notes: list[str] = field(default_factory=list)


class _BlockText(HTMLParser):
    """Text of block elements as separate blocks; scripts, styles, navigation, forms and captions skipped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.skipping.clear()
        if tag in SKIPPED_TAGS:
            self.skipping.append(tag)
        elif tag in BLOCK_TAGS:
            self._end_block()
        elif tag in CELL_TAGS:
            self.current.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._end_block()

    def handle_endtag(self, tag):
        if tag in self.skipping:
            del self.skipping[self.skipping.index(tag) if tag != self.skipping[-1] else -1:]
        elif tag in BLOCK_TAGS and not self.skipping:
            self._end_block()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)

    def _end_block(self) -> None:
        text = WHITESPACE.sub(" ", "".join(self.current)).strip()
        if text:
            self.blocks.append(text)
        self.current = []

    def close(self) -> None:
        super().close()
        self._end_block()


def html_blocks(html: str) -> list[str]:
    """The block texts of `html` in document order, whitespace collapsed, empty blocks left out."""
    parser = _BlockText()
    parser.feed(html)
    parser.close()
    return parser.blocks


def comparison_key(text: str) -> str:
    """Lowercase letters and digits only: how a block is found in trafilatura's differently spaced text."""
    return NON_WORD.sub("", text).lower()


class HtmlExtractor:
    """Extracts paragraphs (and optionally title and date) from HTML; `use_trafilatura=False` keeps all blocks."""

    def __init__(self, use_trafilatura: bool = True):
        self.use_trafilatura = use_trafilatura

    def extract(self, html: str, with_metadata: bool = False) -> HtmlArticle:
        """Paragraphs of the page body; title and date only when `with_metadata` (it costs extra time)."""
        blocks = html_blocks(html)
        if not self.use_trafilatura:
            return HtmlArticle(blocks)
        document = trafilatura.bare_extraction(
            html, fast=True, include_comments=False, include_tables=False, with_metadata=with_metadata,
            date_extraction_params=DATE_PARAMETERS,
        )
        if document is None:
            return HtmlArticle(blocks)
        title, date = (document.title, document.date) if with_metadata else (None, None)
        kept_text = comparison_key(document.text or "")
        kept = [block for block in blocks if (key := comparison_key(block)) and key in kept_text]
        if kept:
            return HtmlArticle(kept, title, date, "trafilatura")
        lines = [line for line in (document.text or "").splitlines() if line.strip()]
        return HtmlArticle(lines or blocks, title, date, "trafilatura" if lines else "blocks")
