"""Text repair for one paragraph: entities, mojibake, Unicode form, invisible characters, quotes, whitespace.

The output stays readable (case, punctuation, accents and the letter forms of scripts that need them are
kept); the aggressive comparison key used for dedup is built by the dedup stage. Repair is idempotent:
repairing repaired text changes nothing.
"""
from __future__ import annotations

import html
import re
import unicodedata
from html.entities import html5 as html5_entities

import ftfy

# Only well-formed entities with their closing semicolon: a bare "&not" inside "Barnes&notice" stays text.
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# A UTF-8 lead byte read as Latin-1/cp1252 followed by a continuation byte read the same way: the shape of
# mojibake such as "â€™" or "Ã©". ftfy is slow, so it only runs on text showing this shape.
MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
FTFY_CONFIG = ftfy.TextFixerConfig(unescape_html=False, explain=False)
# Invisible format characters (soft hyphen, zero-width space, bidi marks, word joiner, BOM), C0/C1 controls
# that are not whitespace, and lone surrogates (they cannot be written as UTF-8).
INVISIBLE = re.compile(
    "[\u0000-\u0008\u000e-\u001b\u007f-\u0084\u0086-\u009f\u00ad\u061c\u180e\u200b\u200e\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
# Zero-width (non-)joiners carry meaning between letters (Persian, Indic scripts); elsewhere they are debris.
STRAY_JOINER = re.compile(r"(?<!\w)[\u200c\u200d]+|[\u200c\u200d]+(?!\w)")
CURLY_QUOTE = re.compile("[\u2018-\u201f]")
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"'})
# Scripts whose compatibility characters are letters of the writing itself: Hebrew, Arabic and Syriac
# (presentation forms, the Allah ligature, the high-hamza letters of Kazakh and Uyghur), Thai and Lao (sara
# am), Tibetan (vowel signs). NFKC would rewrite them into other letters; they get NFC (canonical) only.
FORM_SCRIPTS = re.compile("[\u0590-\u08ff\u0e00-\u0fff\ufb1d-\ufdff\ufe70-\ufefe]+")
MAX_PASSES = 4


def repair_text(text: str) -> str:
    """One paragraph of clean text: no entities, mojibake, invisible characters, curly quotes or extra spaces."""
    if text.isascii() and "&" not in text:
        return _collapse_spaces(text if text.isprintable() else INVISIBLE.sub("", text))
    for _ in range(MAX_PASSES):
        repaired = _repair_once(text)
        if repaired == text:
            break
        text = repaired
    return text


def _repair_once(text: str) -> str:
    if "&" in text:
        text = _unescape_entities(text)
    if MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(text, FTFY_CONFIG)
    if not text.isprintable():
        text = INVISIBLE.sub("", text)
    if not text.isascii():
        if "\u200c" in text or "\u200d" in text:
            text = STRAY_JOINER.sub("", text)
        if CURLY_QUOTE.search(text):
            text = text.translate(QUOTES)
        text = _compatibility_normalized(text)
    return _collapse_spaces(text)


def _compatibility_normalized(text: str) -> str:
    """NFKC (ligatures, full-width forms, odd spaces) except on the scripts of FORM_SCRIPTS, which get NFC."""
    if not FORM_SCRIPTS.search(text):
        return unicodedata.normalize("NFKC", text)
    pieces, last = [], 0
    for run in FORM_SCRIPTS.finditer(text):
        pieces += [unicodedata.normalize("NFKC", text[last:run.start()]), unicodedata.normalize("NFC", run.group())]
        last = run.end()
    pieces.append(unicodedata.normalize("NFKC", text[last:]))
    return "".join(pieces)


def _collapse_spaces(text: str) -> str:
    """Runs of whitespace (str.isspace, as str.split sees it) become one space; none at either end."""
    return " ".join(text.split())


def _decoded(entity: re.Match) -> str:
    """A numeric or declared entity's character(s); nothing for a name HTML does not declare."""
    text = entity.group()
    if text[1] == "#":
        return html.unescape(text)
    return html5_entities.get(text[1:], "")


def _unescape_entities(text: str) -> str:
    """Entities decoded until none is left, so double-escaped feed text ("&amp;amp;") comes out plain; a
    named entity HTML does not declare ("&bogus;") is markup debris and goes."""
    while True:
        unescaped = ENTITY.sub(_decoded, text)
        if unescaped == text:
            return text
        text = unescaped
