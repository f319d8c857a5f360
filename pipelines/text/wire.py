"""Wire datelines ("SEOUL (Yonhap) -- ") and trailing credits (" (Yonhap)"), moved out of paragraph text.

The same wire copy carries a different dateline and credit at each outlet that runs it; with both moved into
article fields, the copies compare equal paragraph for paragraph.
"""
from __future__ import annotations

import re

CAPS = "A-ZÀ-ÖØ-Þ"
PLACE = rf"[{CAPS}][{CAPS}'.\- ]*[{CAPS}.]"
# ", Portugal", ", Calif.", ", July 30", ", Nov. 5": up to two short capitalised qualifiers after the place.
QUALIFIER = r",\s*[A-Z][\w.'\- ]{0,24}?"
WIRE = r"\(\s*[^()\d]{1,40}?\s*\)"
DATELINE = re.compile(
    rf"^(?P<dateline>{PLACE}(?:{QUALIFIER}){{0,2}}?)\s*(?:"
    rf"(?P<wire>{WIRE})\s*(?:--|[-—–:])\s*(?=\S)"  # WASHINGTON (AP) — / LONDON, July 30 (Reuters) -
    rf"|(?P<wire_alone>{WIRE})\s*(?:--|[-—–:])?\s*$"  # the dateline on a line of its own
    r"|(?:--|—)\s*(?=\S)"  # NEW YORK -- (no wire: only a long dash, so "US - China ..." is not a dateline)
    r")"
)
CREDIT_PHRASE = re.compile(
    r"(?:additional\s+)?(?:reporting|writing|editing|edited|compiled|translated)\s+by\b", re.IGNORECASE)
# One to four name tokens: "Yonhap", "AP", "dpa", "Kyodo News", "Agence France-Presse", "AFP/Xinhua".
WIRE_NAME = re.compile(r"(?:[A-Z][\w&.'/\-]*|[a-z]{2,4})(?: (?:[A-Z][\w&.'/\-]*|of|and|de|del|du))?"
                       r"(?: [A-Z][\w&.'/\-]*){0,2}")
# Words that close a paragraph in parentheses without naming anyone: a jump to the rest ("(More)"), a media
# or status note. They fit the shape of a wire name, so they are ruled out by name.
NOT_CREDITS = frozenset({
    "more", "continued", "cont", "contd", "over", "end", "ends", "photo", "photos", "video", "videos", "audio",
    "file", "files", "map", "graphic", "graphics", "pictured", "above", "below", "left", "right", "update",
    "updated", "corrected", "correction", "advertisement", "sponsored", "opinion", "analysis", "live", "see",
    "watch", "listen", "details", "inset",
})
TRAILING_PARENTHESES = re.compile(r"(?:^|(?<=[.!?\"')]))\s*\((?P<credit>[^()]{2,120})\)\s*$")


def strip_dateline(text: str) -> tuple[str | None, str]:
    """(dateline, rest) when the paragraph opens with an all-caps wire dateline, else (None, text).

    Stacked datelines ("LONDON (Reuters) - SEOUL (Yonhap) -- ") all go; the first one is returned.
    """
    first = None
    while match := DATELINE.match(text):
        wire = match.group("wire") or match.group("wire_alone")
        first = first or match.group("dateline").strip() + (f" {wire.strip()}" if wire else "")
        text = text[match.end():].strip()
    return first, text


def strip_credits(text: str) -> tuple[list[str], str]:
    """(credits in reading order, rest): parenthesised wire names and "Reporting by ..." lines at the end."""
    credits: list[str] = []
    while text.endswith(")"):
        match = TRAILING_PARENTHESES.search(text)
        if match is None or not is_credit(match.group("credit").strip()):
            return credits, text
        credits.insert(0, match.group("credit").strip())
        text = text[:match.start()].rstrip()
    return credits, text


def is_credit(candidate: str) -> bool:
    """A wire name or a reporting/editing line, as opposed to an aside such as "(pictured)" or "(£600m)"."""
    if CREDIT_PHRASE.match(candidate):
        return True
    if candidate.rstrip(".").casefold() in NOT_CREDITS:
        return False
    return len(candidate) <= 40 and WIRE_NAME.fullmatch(candidate) is not None
