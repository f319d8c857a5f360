"""What one article may cost spaCy: every text it parses is at most `max_piece_chars` long (a longer
paragraph is cut at a sentence end, else a clause mark, else a space), and at most `max_words` words
of an article are parsed; the rest is skipped with a warning on the article. spaCy's memory and time
grow with the length of each text and the words of each article, so both are bounded whatever the
message holds."""
from __future__ import annotations

import re
from dataclasses import dataclass

EVENTS_TRUNCATED = "events_truncated"

# Where a long text may be cut, best first: after a sentence end, after a clause mark, at any space.
SENTENCE_CUT = re.compile(r"[.!?][\"')\]]*\s+")
CLAUSE_CUT = re.compile(r"[,;:)\u2013\u2014]\s+|\s+[-\u2013\u2014(]\s*")
SPACE_CUT = re.compile(r"\s+")


@dataclass(frozen=True)
class EventBounds:
    """The longest text given to spaCy in one call, and the most words parsed per article."""

    max_piece_chars: int = 3000
    max_words: int = 6000


def segments(text: str, max_chars: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive parts of `text`, each at most `max_chars` long, cut at the last
    sentence end before the limit, else the last clause mark, else the last space, else at the limit."""
    max_chars = max(1, max_chars)
    spans, start = [], 0
    while len(text) - start > max_chars:
        end = _cut(text, start, start + max_chars)
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _cut(text: str, start: int, limit: int) -> int:
    """The end of the part that starts at `start`: the best cut in (start, limit]."""
    window = text[start:limit]
    # Search only the window's last half for a sentence or clause end, so no part is tiny.
    floor = len(window) // 2
    for pattern in (SENTENCE_CUT, CLAUSE_CUT, SPACE_CUT):
        last = None
        for match in pattern.finditer(window, floor):
            last = match
        if last is not None and last.end() > 0:
            return start + last.end()
    return limit


def word_count(text: str) -> int:
    """Words as spaCy will roughly see them: runs separated by white space."""
    return len(text.split())


def truncation_warning(parsed_words: int, skipped_words: int, paragraph: int, offset: int) -> str:
    """The warning put on an article whose words were not all parsed (code first, like normalize's)."""
    return (f"{EVENTS_TRUNCATED}: {parsed_words} words parsed, then the word limit; {skipped_words} words "
            f"from paragraph {paragraph} character {offset} on were not searched for events")
