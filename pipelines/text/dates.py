"""Publication times from ISO 8601, RFC 2822 and common news formats, to epoch milliseconds in UTC.

Times without an offset are taken as UTC. An unparseable, incomplete (no day) or absurd date (before
1900, or further ahead of the clock than a wire could be) yields no time and a warning code instead.
"""
from __future__ import annotations

import email.utils
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from dateutil import parser as dateutil_parser
from dateutil.tz import UTC

H = 3600
# Zone abbreviations news sites print; dateutil knows none of them beyond UTC/GMT without help.
ZONE_OFFSETS = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1 * H, "IST": int(5.5 * H), "CET": 1 * H, "CEST": 2 * H,
    "WEST": 1 * H, "EET": 2 * H, "EEST": 3 * H, "MSK": 3 * H, "GST": 4 * H, "PKT": 5 * H, "ICT": 7 * H,
    "WIB": 7 * H, "HKT": 8 * H, "SGT": 8 * H, "AWST": 8 * H, "PHT": 8 * H, "JST": 9 * H, "KST": 9 * H,
    "ACST": int(9.5 * H), "AEST": 10 * H, "AEDT": 11 * H, "NZST": 12 * H, "NZDT": 13 * H,
    "EST": -5 * H, "EDT": -4 * H, "CST": -6 * H, "CDT": -5 * H, "MST": -7 * H, "MDT": -6 * H,
    "PST": -8 * H, "PDT": -7 * H, "AKST": -9 * H, "AKDT": -8 * H, "HST": -10 * H, "BRT": -3 * H, "ART": -3 * H,
}
# RFC 2822 as feeds write it: "Wed, 31 Jul 2019 10:15:00 +0900" (the zone is a numeric offset or a US/UT name).
RFC2822 = re.compile(
    r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+"
    r"(?:[+-]\d{4}|UT|UTC|GMT|[ECMP][SD]T|Z)"
)
EPOCH_NUMBER = re.compile(r"[0-9]{9,13}(?:\.[0-9]+)?")
MIN_YEAR = 1900
# Two different fill-ins for missing parts: a component that differs between the two parses was not given.
PROBE_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))
MAX_DATE_CHARS = 200


@dataclass(frozen=True)
class ParsedDate:
    """Epoch milliseconds (None when not usable) and the warning code explaining why, if any."""

    millis: int | None
    warning: str | None = None


def parse_published_at(value: str | None, now: datetime, max_future: timedelta) -> ParsedDate:
    """The publication time of `value` in UTC milliseconds, checked against `now` (aware) and MIN_YEAR."""
    if value is None or not value.strip():
        return ParsedDate(None)
    parsed, warning = _parse(value.strip())
    if parsed is None:
        return ParsedDate(None, warning)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    if parsed.year < MIN_YEAR or parsed - now > max_future:
        return ParsedDate(None, "published_at_out_of_range")
    return ParsedDate(int(parsed.timestamp() * 1000), warning)


def _parse(value: str) -> tuple[datetime | None, str | None]:
    if len(value) > MAX_DATE_CHARS:
        return None, "published_at_unparseable"
    if EPOCH_NUMBER.fullmatch(value):
        number = float(value)
        return datetime.fromtimestamp(number / 1000 if len(value.split(".")[0]) > 11 else number, UTC), None
    try:
        return datetime.fromisoformat(value), None
    except ValueError:
        pass
    if RFC2822.fullmatch(value):
        try:
            return email.utils.parsedate_to_datetime(value), None
        except (TypeError, ValueError, IndexError, OverflowError):
            return None, "published_at_unparseable"
    return _parse_loosely(value)


def _parse_loosely(value: str) -> tuple[datetime | None, str | None]:
    """dateutil for "July 31, 2019 09:00 KST" and friends; a date missing its year, month or day is refused."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            first, second = (dateutil_parser.parse(value, default=d, tzinfos=ZONE_OFFSETS) for d in PROBE_DEFAULTS)
        except (ValueError, OverflowError, TypeError, LookupError):
            return None, "published_at_unparseable"
    if first.date() != second.date():
        return None, "published_at_unparseable"
    unknown_zone = any(issubclass(w.category, dateutil_parser.UnknownTimezoneWarning) for w in caught)
    return first, "published_at_unknown_timezone" if unknown_zone else None
