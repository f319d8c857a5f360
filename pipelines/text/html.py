"""HTML page or fragment -> body paragraphs, plus the page's title and publication date when asked.

Two tools, each for what it is good at. trafilatura finds the article body in a full page and drops the
navigation, share bars, related links and comments around it; but on short pages it falls back to a
baseline that flattens the body into one run of text, and on fragments it returns nothing. A walk over the
parsed tree splits the text at block elements and <br>, skipping navigation, headers, footers, small forms
and scripts. Paragraphs are the blocks found, in order, in trafilatura's text (see `aligned_blocks`), with
its long lines that no block covers put back in place; with no trafilatura output (fragments) all blocks;
with no block found, trafilatura's own lines. The HTML is parsed once (lxml) for both. Nothing here
touches the network: trafilatura only ever receives the parsed page, and htmldate only the tree.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from html import unescape

import htmldate
import lxml.html
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_title
from trafilatura.settings import Extractor

from pipelines.text.titles import title_without_site_name

# trafilatura logs every document it declines; fragments are expected here and have a fallback.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

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
# A form holding this much text wraps the page (ASP.NET puts the whole body in one <form>): it is walked.
PAGE_FORM_CHARS = 500
NON_WORD = re.compile(r"[\W_]+")
DATE_PARAMETERS = {"original_date": True, "extensive_search": False, "outputformat": "%Y-%m-%dT%H:%M:%S%z",
                   "deferred_url_extractor": True}
# libxml2 stops at 2,048 levels even with huge_tree (256 without); a page that reaches it lost what lies deeper.
PARSER_MAX_DEPTH = 2048
# The walk without a tree, for pages deeper than that (see `flat_blocks`).
COMMENT = re.compile(r"<!--.*?-->", re.S)
SKIPPED_ELEMENT = re.compile(rf"<({'|'.join(sorted(SKIPPED_TAGS))})\b[^>]*>.*?</\1\s*>", re.S | re.I)
BLOCK_TAG = re.compile(rf"</?(?:{'|'.join(sorted(BLOCK_TAGS))})\b[^>]*>", re.I)
CELL_TAG = re.compile(r"</?t[dh]\b[^>]*>", re.I)
ANY_TAG = re.compile(r"<[^>]*>")
PAGE_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True,
                                   remove_pis=True, huge_tree=True, no_network=True)
# Every element an HtmlElement, decided in C: lxml.html's own lookup calls Python for each element touched
# (by the walk and by trafilatura), and nothing here needs its form and input classes.
PAGE_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))
# A block this short is kept only between the matches of its long neighbours, near the previous match (see
# `aligned_blocks`). Characters of scripts written without spaces (CJK) count WIDE_CHAR_WEIGHT each.
SHORT_KEY_WEIGHT = 40
NEAR_CHARS = 200
WIDE_CHARS = re.compile("[\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]")
WIDE_CHAR_WEIGHT = 3
# trafilatura in fast mode falls back to the whole page when its own pass finds too little; a result
# that keeps this share of this many blocks is taken for such a dump and the full cascade is run instead.
# When that too keeps the whole page, blocks that are (nearly) all link text are menu items and go.
DUMP_SHARE = 0.8
DUMP_MIN_BLOCKS = 40
MENU_LINK_SHARE = 0.9
MIN_FALLBACK_WORDS = 8
# A long line of trafilatura's text that blocks cover less than this share of is put back (see
# `with_missing_lines`).
MISSING_SHARE = 0.5


@dataclass
class HtmlArticle:
    """What a page yields: body paragraphs in order, the title and date found in it (or None), and
    warnings (code, detail) for work not done as usual (a page nested too deep for the parser)."""

    paragraphs: list[str]
    title: str | None = None
    published_at: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)


def parse_html(html: str) -> HtmlElement | None:
    """The lxml tree of a page, fragments wrapped into a page; None when nothing parses."""
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html, parser=PAGE_PARSER)
    except ValueError:  # a str carrying an XML encoding declaration: lxml wants bytes then
        pass
    except etree.ParserError:
        return None
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=PAGE_PARSER)
    except (ValueError, etree.ParserError):
        return None


@dataclass
class PageBlocks:
    """The text blocks of a page in document order, the share of each block's text that is link text,
    and how deep the page's tree went."""

    blocks: list[str]
    link_shares: list[float]
    depth: int


def html_blocks(tree: HtmlElement) -> PageBlocks:
    """Text blocks in document order (split at block elements and <br>), whitespace collapsed, none empty."""
    blocks: list[str] = []
    link_shares: list[float] = []
    current: list[str] = []
    link_chars = 0
    skipping = depth = deepest = in_link = 0
    skipped: set[HtmlElement] = set()

    def add(text: str) -> None:
        nonlocal link_chars
        current.append(text)
        if in_link:
            link_chars += len(text.strip())

    def end_block() -> None:
        nonlocal link_chars
        text = " ".join("".join(current).split())
        if text:
            blocks.append(text)
            link_shares.append(min(1.0, link_chars / len(text)))
        current.clear()
        link_chars = 0

    for event, element in etree.iterwalk(tree, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None
        if event == "start":
            depth += 1
            deepest = max(deepest, depth)
            if tag in SKIPPED_TAGS and not _walked_form(element):
                skipped.add(element)
                skipping += 1
            elif not skipping:
                if tag in BLOCK_TAGS:
                    end_block()
                elif tag in CELL_TAGS:
                    current.append(" ")
                in_link += tag == "a"
                if tag and element.text:
                    add(element.text)
            continue
        depth -= 1
        if element in skipped:
            skipping -= 1
        elif not skipping:
            in_link -= tag == "a"
            if tag in BLOCK_TAGS:
                end_block()
        if not skipping and element.tail:
            add(element.tail)
    end_block()
    return PageBlocks(blocks, link_shares, deepest)


def _walked_form(element: HtmlElement) -> bool:
    return element.tag == "form" and len(element.text_content()) >= PAGE_FORM_CHARS


def flat_blocks(html: str) -> list[str]:
    """All text blocks of a page read without building a tree (no depth limit, regular expressions only, so
    a 10 MB page takes about a second): skipped elements removed, block tags turned into line ends, other
    tags dropped, entities decoded."""
    text = SKIPPED_ELEMENT.sub(" ", COMMENT.sub(" ", html))
    text = ANY_TAG.sub("", CELL_TAG.sub(" ", BLOCK_TAG.sub("\n", text)))
    return [" ".join(line.split()) for line in unescape(text).splitlines() if line.strip()]


@functools.lru_cache(maxsize=2)
def trafilatura_options(fast: bool) -> Extractor:
    """trafilatura's settings, built once per process (building them reads its config each time): no
    comments, tables kept (a results table can be the body); metadata is read separately (`page_metadata`)."""
    return Extractor(output_format="python", fast=fast, comments=False, tables=True, with_metadata=False)


def comparison_key(text: str) -> str:
    """Lowercase letters and digits only, entities decoded: how a block is found in trafilatura's text,
    which is spaced differently and has escaped text ("&amp;#233;" in the page) decoded once more."""
    return NON_WORD.sub("", unescape(text) if "&" in text else text).lower()


@dataclass
class Alignment:
    """Where blocks were found in trafilatura's text (its comparison key): block index -> start, and
    which characters of that text some block covers."""

    starts: dict[int, int]
    used: bytearray


def aligned_blocks(blocks: list[str], extracted: str) -> Alignment:
    """The blocks that trafilatura's text holds, each matched to its own stretch of that text.

    Each stretch of the text is matched once, so a body the page holds twice is kept once. Long blocks are
    matched first, in order from where the previous one ended (or earlier: pages reorder). A short block
    ("Home", "Facebook Twitter", a tag, a list number) is found somewhere in any article, so it is kept only
    when found between the matches of the long blocks around it in the page, close after the previous match.
    """
    text = comparison_key(extracted)
    used = bytearray(len(text))
    keys = [comparison_key(block) for block in blocks]
    spans: list[tuple[int, int] | None] = [None] * len(blocks)

    def take(index: int, start: int) -> int:
        end = start + len(keys[index])
        spans[index] = (start, end)
        used[start:end] = b"\x01" * (end - start)
        return end

    cursor = 0
    long_keys = [_weight(key) >= SHORT_KEY_WEIGHT for key in keys]
    for index, key in enumerate(keys):
        if long_keys[index]:
            start = _unused_occurrence(text, key, used, cursor)
            if start is None:
                start = _unused_occurrence(text, key, used, 0)
            if start is not None:
                cursor = max(cursor, take(index, start))

    next_anchor = [len(text)] * (len(blocks) + 1)
    for index in range(len(blocks) - 1, -1, -1):
        span = spans[index]
        next_anchor[index] = span[0] if span is not None else next_anchor[index + 1]
    previous_end = 0
    for index, key in enumerate(keys):
        if spans[index] is not None:
            previous_end = spans[index][1]
        elif key:
            start = _unused_occurrence(text, key, used, previous_end)
            if start is not None and start - previous_end <= NEAR_CHARS and start + len(key) <= next_anchor[index + 1]:
                previous_end = take(index, start)
    return Alignment({index: span[0] for index, span in enumerate(spans) if span is not None}, used)


def with_missing_lines(blocks: list[str], alignment: Alignment, extracted: str) -> list[str]:
    """The aligned blocks, with trafilatura's long lines that no block covers put back in their place: text
    it found where the walk does not look (a body inside <header>) or spelt differently (an inline ad)."""
    placed = [(start, block_index, blocks[block_index]) for block_index, start in alignment.starts.items()]
    offset = 0
    for line_index, line in enumerate(extracted.splitlines()):
        key = comparison_key(line)
        end = offset + len(key)
        if _weight(key) >= SHORT_KEY_WEIGHT and alignment.used[offset:end].count(1) < MISSING_SHARE * len(key):
            placed.append((offset, len(blocks) + line_index, " ".join(line.split())))
        offset = end
    return [text for _, _, text in sorted(placed)]


def _weight(key: str) -> int:
    """How much a comparison key says: its length, CJK characters (a word each, or nearly) counting more."""
    return len(key) + (WIDE_CHAR_WEIGHT - 1) * len(WIDE_CHARS.findall(key)) if not key.isascii() else len(key)


def _unused_occurrence(text: str, key: str, used: bytearray, start: int) -> int | None:
    while (found := text.find(key, start)) >= 0:
        if 1 not in used[found:found + len(key)]:
            return found
        start = found + 1
    return None


def page_metadata(tree: HtmlElement, url: str | None) -> tuple[str | None, str | None]:
    """(title without the site's name, publication date by htmldate): the two fields an article needs,
    without the rest of trafilatura's metadata (authors, categories, tags cost more than both)."""
    meta = examine_meta(tree)
    title = meta.title or extract_title(tree)
    headings = [" ".join(h.text_content().split()) for h in tree.iterfind(".//h1")]
    if title:
        title = title_without_site_name(title, meta.sitename, url or meta.url, headings)
    date = htmldate.find_date(tree, url=url, **DATE_PARAMETERS)
    return title or None, date


class HtmlExtractor:
    """Extracts paragraphs (and optionally title and date) from HTML; `use_trafilatura=False` keeps all blocks."""

    def __init__(self, use_trafilatura: bool = True):
        self.use_trafilatura = use_trafilatura

    def extract(self, html: str, with_metadata: bool = False, url: str | None = None) -> HtmlArticle:
        """Paragraphs of the page body; title and date only when `with_metadata` (it costs extra time)."""
        tree = parse_html(html)
        if tree is None:
            return HtmlArticle([])
        page = html_blocks(tree)
        if page.depth >= PARSER_MAX_DEPTH:  # libxml2 stopped there: what lies deeper is not in the tree
            return HtmlArticle(flat_blocks(html), warnings=[("html_too_deep", f"over {PARSER_MAX_DEPTH} levels")])
        paragraphs = self._body(tree, page) if self.use_trafilatura else page.blocks
        title, date = page_metadata(tree, url) if with_metadata else (None, None)
        return HtmlArticle(paragraphs, title, date)

    @staticmethod
    def _body(tree: HtmlElement, page: PageBlocks) -> list[str]:
        blocks = page.blocks
        extracted = _trafilatura_text(tree, fast=True)
        if extracted is None:
            return blocks
        alignment = aligned_blocks(blocks, extracted)
        if _whole_page(alignment, blocks):
            extracted = _trafilatura_text(tree, fast=False) or extracted
            alignment = aligned_blocks(blocks, extracted)
            if _whole_page(alignment, blocks):
                menus = [index for index in alignment.starts if page.link_shares[index] >= MENU_LINK_SHARE]
                for index in menus:
                    del alignment.starts[index]
                return [blocks[index] for index in sorted(alignment.starts)]
        return with_missing_lines(blocks, alignment, extracted) or _fallback_lines(extracted) or blocks


def _whole_page(alignment: Alignment, blocks: list[str]) -> bool:
    """Whether trafilatura kept (nearly) every block of a page with many: a dump of the whole page."""
    return len(blocks) >= DUMP_MIN_BLOCKS and len(alignment.starts) >= DUMP_SHARE * len(blocks)


def _fallback_lines(extracted: str) -> list[str]:
    """trafilatura's own lines, for a page whose blocks it does not hold (a body the walk skipped): at
    least a sentence's worth of words, so a lone menu link it returned from a page of navigation is not
    taken for an article."""
    lines = [line for line in extracted.splitlines() if line.strip()]
    return lines if sum(len(line.split()) for line in lines) >= MIN_FALLBACK_WORDS else []


def _trafilatura_text(tree: HtmlElement, fast: bool) -> str | None:
    """trafilatura's body text of the page (it copies the tree), None when it declines the page."""
    document = trafilatura.bare_extraction(tree, options=trafilatura_options(fast))
    return document.text if document is not None else None
