"""HTML page or fragment -> body paragraphs, plus the page's title and publication date when asked.

Two tools, each for what it is good at. trafilatura finds the article body in a full page and drops the
navigation, share bars, related links and comments around it; but on short pages it falls back to a
baseline that flattens the body into one run of text, and on fragments it returns nothing. A walk over the
parsed tree splits the text at block elements and <br>, skipping navigation, headers, footers, forms and
scripts. Paragraphs are the blocks whose text trafilatura kept; with no trafilatura output (fragments) or
none of it found among the blocks, all blocks. The HTML is parsed once (lxml, via trafilatura's
loader) for both. Nothing here touches the network: trafilatura only ever receives the parsed page.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from html import unescape

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.settings import Extractor

# trafilatura logs every document it declines; fragments are expected here and have a fallback.
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
NON_WORD = re.compile(r"[\W_]+")
DATE_PARAMETERS = {"original_date": True, "extensive_search": False, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


@dataclass
class HtmlArticle:
    """What a page yields: body paragraphs in order, and the title and date found in it (or None)."""

    paragraphs: list[str]
    title: str | None = None
    published_at: str | None = None


def parse_html(html: str) -> HtmlElement | None:
    """The lxml tree of a page or of a fragment (wrapped into a page); None when nothing parses."""
    tree = trafilatura.load_html(html)
    if tree is None and html.strip():
        tree = trafilatura.load_html(f"<html><body>{html}</body></html>")
    return tree


def html_blocks(tree: HtmlElement) -> list[str]:
    """Text blocks in document order (split at block elements and <br>), whitespace collapsed, none empty."""
    blocks: list[str] = []
    current: list[str] = []
    skipping = 0

    def end_block() -> None:
        text = " ".join("".join(current).split())
        if text:
            blocks.append(text)
        current.clear()

    for event, element in etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None
        if event == "start":
            if tag in SKIPPED_TAGS:
                skipping += 1
            elif not skipping:
                if tag in BLOCK_TAGS:
                    end_block()
                elif tag in CELL_TAGS:
                    current.append(" ")
                if tag and element.text:
                    current.append(element.text)
            continue
        if tag in SKIPPED_TAGS:
            skipping -= 1
        elif tag in BLOCK_TAGS and not skipping:
            end_block()
        if not skipping and element.tail:
            current.append(element.tail)
    end_block()
    return blocks


@functools.lru_cache(maxsize=2)
def trafilatura_options(with_metadata: bool) -> Extractor:
    """trafilatura's settings, built once per process (building them reads its config each time): fast mode,
    no comments or tables, metadata (htmldate for the date, original publication date first) on request."""
    return Extractor(output_format="python", fast=True, comments=False, tables=False, with_metadata=with_metadata,
                     date_params=DATE_PARAMETERS)


def comparison_key(text: str) -> str:
    """Lowercase letters and digits only, entities decoded: how a block is found in trafilatura's text,
    which is spaced differently and has escaped text ("&amp;#233;" in the page) decoded once more."""
    return NON_WORD.sub("", unescape(text) if "&" in text else text).lower()


class HtmlExtractor:
    """Extracts paragraphs (and optionally title and date) from HTML; `use_trafilatura=False` keeps all blocks."""

    def __init__(self, use_trafilatura: bool = True):
        self.use_trafilatura = use_trafilatura

    def extract(self, html: str, with_metadata: bool = False) -> HtmlArticle:
        """Paragraphs of the page body; title and date only when `with_metadata` (it costs extra time)."""
        tree = parse_html(html)
        if tree is None:
            return HtmlArticle([])
        blocks = html_blocks(tree)
        if not self.use_trafilatura:
            return HtmlArticle(blocks)
        document = trafilatura.bare_extraction(tree, options=trafilatura_options(with_metadata))
        if document is None:
            return HtmlArticle(blocks)
        title, date = (document.title, document.date) if with_metadata else (None, None)
        kept_text = comparison_key(document.text or "")
        kept = [block for block in blocks if (key := comparison_key(block)) and key in kept_text]
        return HtmlArticle(kept or blocks, title, date)
