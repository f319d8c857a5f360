"""Time expressions: find them in a sentence and resolve them against the publication date into a
start and end date with a granularity (day | week | month | year | range)."""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import NamedTuple

MONTHS = {name: i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
MONTHS["sept"] = 9
MONTHS = {k.lower(): v for k, v in MONTHS.items()}
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple": 2, "a couple of": 2,
                "a few": 3, "few": 3, "several": 3}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_COUNT = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|a few|several)"
_UNIT = r"(?:day|week|month|year)s?"

# Order matters: longer, more specific patterns first; matches do not overlap.
PATTERNS = [
    ("iso", r"\b\d{4}-\d{2}-\d{2}\b"),
    ("month_day_year", rf"\b(?:mid-|early |late )?{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}\b"),
    ("day_month_year", rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH},? \d{{4}}\b"),
    ("month_day", rf"\b{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?\b(?!:)"),
    ("day_month", rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{_MONTH}(?![a-z])"),
    ("month_year", rf"\b(?:mid-|early |late )?{_MONTH},? \d{{4}}\b"),
    ("ago", rf"\b{_COUNT} {_UNIT} ago\b"),
    ("span_ahead", rf"\b(?:in|within|over) (?:the next |the coming )?{_COUNT} {_UNIT}\b"),
    ("span_past", rf"\b(?:in|over|during) the (?:past|last) (?:{_COUNT} )?{_UNIT}\b"),
    ("relative_unit", r"\b(?:(?:late|early) )?(?:last|this|next|past|coming) (?:week(?:end)?|month|year)\b"),
    ("weekday", rf"\b(?:(?:last|this|next) )?{_WEEKDAY}(?: (?:morning|afternoon|evening|night))?\b"),
    ("deictic", r"\b(?:today|tonight|yesterday|tomorrow|overnight|(?:last|this) (?:morning|afternoon|evening|night)|"
                r"(?:the|this) weekend)\b"),
    ("month", rf"\b(?:mid-|early |late )?{_MONTH}(?![a-z])"),
    ("year", r"\b(?:in|since|by|during|of) ((?:1[89]|20)\d{2})\b"),
]
# Every pattern needs a digit or one of these words: sentences without any are skipped quickly.
_ANY_TIME_WORD = re.compile(
    rf"\d|\b(?:{_MONTH}|{_WEEKDAY})|\b(?:last|this|next|past|coming|ago|today|tonight|yesterday|tomorrow|overnight|"
    r"weekend|(?:day|week|month|year)s?)\b", re.IGNORECASE)
_COMPILED = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in PATTERNS]
# Words that look like months but usually are not in news text.
_AMBIGUOUS_MONTHS = {"may", "march"}
_MONTH_PREPOSITIONS = {"in", "since", "by", "during", "until", "till", "from", "of", "early", "late", "last", "next",
                       "this", "before", "after"}


class TimeMention(NamedTuple):
    """A time expression: its kind (see PATTERNS), text and character span in the sentence."""

    kind: str
    text: str
    start: int
    end: int


class ResolvedTime(NamedTuple):
    start: date | None
    end: date | None
    granularity: str | None


def find_times(sentence: str) -> list[TimeMention]:
    """Non-overlapping time expressions in the sentence, in order."""
    if not _ANY_TIME_WORD.search(sentence):
        return []
    taken: list[tuple[int, int]] = []
    found = []
    for kind, pattern in _COMPILED:
        for m in pattern.finditer(sentence):
            start, end = m.span(1) if kind == "year" else m.span()
            if any(start < b and a < end for a, b in taken):
                continue
            text = sentence[start:end]
            if kind in ("month", "month_year") and _is_ambiguous_month(sentence, start, text):
                continue
            taken.append((start, end))
            found.append(TimeMention(kind, text, start, end))
    return sorted(found, key=lambda t: t.start)


def _is_ambiguous_month(sentence: str, start: int, text: str) -> bool:
    """A bare month name must be capitalized; "May" and "March" also need a preposition before them."""
    if not text[:1].isupper():
        return True
    word = re.sub(r"^(mid-|early |late )", "", text.lower()).split()[0].rstrip(".,")
    if word in _AMBIGUOUS_MONTHS and len(text.split()) == 1:
        before = sentence[:start].split()[-1:] or [""]
        return before[0].lower() not in _MONTH_PREPOSITIONS
    return False


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _count(text: str) -> int:
    m = re.search(r"\d+", text)
    if m:
        return int(m.group())
    for phrase in sorted(NUMBER_WORDS, key=len, reverse=True):
        if re.search(rf"\b{phrase}\b", text):
            return NUMBER_WORDS[phrase]
    return 1


def _unit(text: str) -> str:
    return re.search(r"(day|week|month|year)", text).group(1)


def _month_of(text: str) -> int:
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in MONTHS:
            return MONTHS[word]
    raise ValueError(text)


def _pick_year(published: date, month: int, day: int | None, future: bool) -> int:
    """The year that puts the date on the right side of publication: past events before it, future after."""
    year = published.year
    start = date(year, month, day or 1)
    end = date(year, month, day or calendar.monthrange(year, month)[1])
    if not future and start > published:
        return year - 1
    if future and end < published:
        return year + 1
    return year


def resolve(mention: TimeMention, published: date | None, future: bool = False) -> ResolvedTime:
    """Start, end and granularity of a time mention, relative to the publication date.

    `future` says whether the event lies ahead of publication (intended or planned), which decides
    "Tuesday" (the last one or the next one) and the year of a bare "June 30"."""
    text = mention.text.lower()
    kind = mention.kind
    if kind == "iso":
        day = date.fromisoformat(text)
        return ResolvedTime(day, day, "day")
    if kind in ("month_day_year", "day_month_year"):
        year = int(re.search(r"\d{4}", text).group())
        day_number = int(re.search(r"\b\d{1,2}(?=\D|$)", text).group())
        day = date(year, _month_of(text), day_number)
        return ResolvedTime(day, day, "day")
    if kind == "month_year":
        year = int(re.search(r"\d{4}", text).group())
        return ResolvedTime(*_month_range(year, _month_of(text)), "month")
    if kind == "year":
        year = int(text)
        return ResolvedTime(date(year, 1, 1), date(year, 12, 31), "year")
    if published is None:
        return ResolvedTime(None, None, None)
    if kind in ("month_day", "day_month"):
        month = _month_of(text)
        day_number = int(re.search(r"\d{1,2}", text).group())
        day = date(_pick_year(published, month, day_number, future), month, day_number)
        return ResolvedTime(day, day, "day")
    if kind == "month":
        month = _month_of(text)
        return ResolvedTime(*_month_range(_pick_year(published, month, None, future), month), "month")
    if kind == "weekday":
        return _resolve_weekday(text, published, future)
    if kind == "deictic":
        return _resolve_deictic(text, published, future)
    if kind == "relative_unit":
        return _resolve_relative_unit(text, published)
    if kind == "ago":
        unit = _unit(text)
        day = published - timedelta(days=_count(text) * UNIT_DAYS[unit])
        if unit == "week":
            monday = day - timedelta(days=day.weekday())
            return ResolvedTime(monday, monday + timedelta(days=6), "week")
        if unit == "month":
            return ResolvedTime(*_month_range(day.year, day.month), "month")
        if unit == "year":
            return ResolvedTime(date(day.year, 1, 1), date(day.year, 12, 31), "year")
        return ResolvedTime(day, day, "day")
    if kind == "span_ahead":
        return ResolvedTime(published, published + timedelta(days=_count(text) * UNIT_DAYS[_unit(text)]), "range")
    if kind == "span_past":
        return ResolvedTime(published - timedelta(days=_count(text) * UNIT_DAYS[_unit(text)]), published, "range")
    return ResolvedTime(None, None, None)


def _resolve_weekday(text: str, published: date, future: bool) -> ResolvedTime:
    weekday = WEEKDAYS[next(w for w in re.findall(r"[a-z]+", text) if w in WEEKDAYS)]
    if text.startswith("next"):
        future = True
    if text.startswith("last"):
        future = False
    if future:
        day = published + timedelta(days=(weekday - published.weekday()) % 7)
    else:
        day = published - timedelta(days=(published.weekday() - weekday) % 7)
    return ResolvedTime(day, day, "day")


def _resolve_deictic(text: str, published: date, future: bool) -> ResolvedTime:
    if text in ("yesterday", "last night", "overnight"):
        day = published - timedelta(days=1)
        return ResolvedTime(day, published if text == "overnight" else day, "day" if text != "overnight" else "range")
    if text == "tomorrow":
        day = published + timedelta(days=1)
        return ResolvedTime(day, day, "day")
    if text.endswith("weekend"):
        saturday = published + timedelta(days=(5 - published.weekday()) % 7)
        if not future and saturday > published:
            saturday -= timedelta(days=7)
        return ResolvedTime(saturday, saturday + timedelta(days=1), "range")
    return ResolvedTime(published, published, "day")


def _resolve_relative_unit(text: str, published: date) -> ResolvedTime:
    step = {"last": -1, "past": -1, "this": 0, "next": 1, "coming": 1}[re.search(
        r"(last|past|this|next|coming)", text).group(1)]
    if text.endswith("weekend"):
        saturday = published + timedelta(days=(5 - published.weekday()) % 7) + timedelta(days=7 * step)
        if step == -1 and saturday + timedelta(days=7) <= published:
            saturday += timedelta(days=7)
        return ResolvedTime(saturday, saturday + timedelta(days=1), "range")
    if text.endswith("week"):
        monday = published - timedelta(days=published.weekday()) + timedelta(days=7 * step)
        return ResolvedTime(monday, monday + timedelta(days=6), "week")
    if text.endswith("month"):
        first = _shift_months(published, step)
        return ResolvedTime(*_month_range(first.year, first.month), "month")
    year = published.year + step
    return ResolvedTime(date(year, 1, 1), date(year, 12, 31), "year")
