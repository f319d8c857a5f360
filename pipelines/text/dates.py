"""Publication times from ISO 8601, RFC 2822 and common news formats, to epoch milliseconds in UTC.

A time without an offset is read in the article's zone when it is known (the source's zone from
--source-timezones, else the zone of its dateline city), else as UTC with a `published_at_no_offset`
warning. Zone abbreviations that name several zones (CST, IST, BST, ...) and day/month orders that could be
either (07/08/2019) are resolved by that zone too, else read the common way with a warning. IANA zone names
("Asia/Seoul") are accepted after the time. All-digit values are epoch seconds at 10 digits and epoch
milliseconds at 13; 8, 12 and 14 digits are compact YYYYMMDD[HHMM[SS]]. DD.MM.YYYY is always day first.
An unparseable, incomplete (no day) or absurd date (before 1900, or further ahead of the clock than a wire
could be) yields no time and a warning code instead.
"""
from __future__ import annotations

import email.utils
import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser
from dateutil.tz import UTC

H = 3600
# Zone abbreviations news sites print that name one zone; dateutil knows none of them beyond UTC/GMT.
ZONE_OFFSETS = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "CET": 1 * H, "CEST": 2 * H,
    "WEST": 1 * H, "EET": 2 * H, "EEST": 3 * H, "MSK": 3 * H, "GST": 4 * H, "PKT": 5 * H, "ICT": 7 * H,
    "WIB": 7 * H, "HKT": 8 * H, "SGT": 8 * H, "AWST": 8 * H, "PHT": 8 * H, "JST": 9 * H, "KST": 9 * H,
    "ACST": int(9.5 * H), "AEST": 10 * H, "AEDT": 11 * H, "NZST": 12 * H, "NZDT": 13 * H,
    "EST": -5 * H, "EDT": -4 * H, "CDT": -5 * H, "MST": -7 * H, "MDT": -6 * H,
    "PST": -8 * H, "PDT": -7 * H, "AKST": -9 * H, "AKDT": -8 * H, "HST": -10 * H, "BRT": -3 * H, "ART": -3 * H,
}
# Abbreviations that name several zones: (zone, the offset the abbreviation stands for there), the one
# assumed when the article's zone is not one of them first.
AMBIGUOUS_ZONES = {
    "CST": (("America/Chicago", -6 * H), ("Asia/Shanghai", 8 * H), ("Asia/Taipei", 8 * H),
            ("America/Havana", -5 * H)),
    "IST": (("Asia/Kolkata", int(5.5 * H)), ("Asia/Jerusalem", 2 * H), ("Europe/Dublin", 1 * H)),
    "BST": (("Europe/London", 1 * H), ("Asia/Dhaka", 6 * H)),
    "AST": (("America/Halifax", -4 * H), ("Asia/Riyadh", 3 * H)),
}
# Zones whose news writes numeric dates month first (the United States).
MONTH_FIRST_ZONES = frozenset({
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix",
    "America/Anchorage", "America/Detroit", "America/Boise", "America/Indiana/Indianapolis", "Pacific/Honolulu",
})
# RFC 2822 as feeds write it: "Wed, 31 Jul 2019 10:15:00 +0900" (the zone is a numeric offset or a US/UT name).
RFC2822 = re.compile(
    r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s+"
    r"(?:[+-]\d{4}|UT|UTC|GMT|[ECMP][SD]T|Z)"
)
EPOCH_SECONDS = re.compile(r"[0-9]{10}(?:\.[0-9]+)?")
EPOCH_MILLIS = re.compile(r"[0-9]{13}")
COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?")
IANA_SUFFIX = re.compile(r"\s*\(?\b([A-Z][A-Za-z_]+(?:/[A-Za-z_+\-0-9]+)+)\)?\s*$")
DAY_FIRST_DOTS = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}\b")
SLASHED = re.compile(r"\b(\d{1,2})[/-](\d{1,2})[/-]\d{2,4}\b")
WORD = re.compile(r"[A-Za-z]+")
MIN_YEAR = 1900
# Two different fill-ins for missing parts: a component that differs between the two parses was not given.
PROBE_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))
MAX_DATE_CHARS = 200
# Dateline cities -> their zone, for articles whose source has no zone set.
DATELINE_ZONES = {
    "SEOUL": "Asia/Seoul", "PYONGYANG": "Asia/Pyongyang", "TOKYO": "Asia/Tokyo", "BEIJING": "Asia/Shanghai",
    "SHANGHAI": "Asia/Shanghai", "HONG KONG": "Asia/Hong_Kong", "TAIPEI": "Asia/Taipei",
    "SINGAPORE": "Asia/Singapore", "BANGKOK": "Asia/Bangkok", "JAKARTA": "Asia/Jakarta", "MANILA": "Asia/Manila",
    "HANOI": "Asia/Bangkok", "KUALA LUMPUR": "Asia/Kuala_Lumpur", "NEW DELHI": "Asia/Kolkata",
    "MUMBAI": "Asia/Kolkata", "KARACHI": "Asia/Karachi", "ISLAMABAD": "Asia/Karachi", "DHAKA": "Asia/Dhaka",
    "KABUL": "Asia/Kabul", "TEHRAN": "Asia/Tehran", "DUBAI": "Asia/Dubai", "RIYADH": "Asia/Riyadh",
    "DOHA": "Asia/Qatar", "JERUSALEM": "Asia/Jerusalem", "TEL AVIV": "Asia/Jerusalem", "BEIRUT": "Asia/Beirut",
    "BAGHDAD": "Asia/Baghdad", "ANKARA": "Europe/Istanbul", "ISTANBUL": "Europe/Istanbul", "CAIRO": "Africa/Cairo",
    "MOSCOW": "Europe/Moscow", "KYIV": "Europe/Kyiv", "KIEV": "Europe/Kyiv", "WARSAW": "Europe/Warsaw",
    "BERLIN": "Europe/Berlin", "PARIS": "Europe/Paris", "LONDON": "Europe/London", "DUBLIN": "Europe/Dublin",
    "MADRID": "Europe/Madrid", "ROME": "Europe/Rome", "BRUSSELS": "Europe/Brussels",
    "AMSTERDAM": "Europe/Amsterdam", "GENEVA": "Europe/Zurich", "VIENNA": "Europe/Vienna",
    "ATHENS": "Europe/Athens", "STOCKHOLM": "Europe/Stockholm", "LAGOS": "Africa/Lagos",
    "NAIROBI": "Africa/Nairobi", "JOHANNESBURG": "Africa/Johannesburg", "WASHINGTON": "America/New_York",
    "NEW YORK": "America/New_York", "CHICAGO": "America/Chicago", "LOS ANGELES": "America/Los_Angeles",
    "SAN FRANCISCO": "America/Los_Angeles", "HOUSTON": "America/Chicago", "MEXICO CITY": "America/Mexico_City",
    "SAO PAULO": "America/Sao_Paulo", "BRASILIA": "America/Sao_Paulo", "BUENOS AIRES": "America/Argentina/Buenos_Aires",
    "BOGOTA": "America/Bogota", "LIMA": "America/Lima", "SANTIAGO": "America/Santiago", "OTTAWA": "America/Toronto",
    "TORONTO": "America/Toronto", "SYDNEY": "Australia/Sydney", "MELBOURNE": "Australia/Melbourne",
    "CANBERRA": "Australia/Sydney", "WELLINGTON": "Pacific/Auckland", "AUCKLAND": "Pacific/Auckland",
}


@dataclass(frozen=True)
class ParsedDate:
    """Epoch milliseconds (None when not usable) and the warning codes explaining what is doubtful, if any."""

    millis: int | None
    warnings: tuple[str, ...] = ()

    @property
    def warning(self) -> str | None:
        return self.warnings[0] if self.warnings else None


def zone_named(name: str | None) -> tzinfo | None:
    """The IANA zone of that name, or None (unknown or not given)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def dateline_zone(dateline: str | None) -> tzinfo | None:
    """The zone of a wire dateline's city ("SEOUL, July 31" -> Asia/Seoul), or None."""
    if not dateline:
        return None
    return zone_named(DATELINE_ZONES.get(dateline.split(",")[0].strip().upper()))


def parse_published_at(value: str | None, now: datetime, max_future: timedelta,
                       zone: tzinfo | None = None) -> ParsedDate:
    """The publication time of `value` in UTC milliseconds, checked against `now` (aware) and MIN_YEAR;
    `zone` is the article's zone, when known (see the module docstring)."""
    if value is None or not value.strip():
        return ParsedDate(None)
    found: list[str] = []
    parsed = _parse(value.strip(), zone, found)
    if parsed is None:
        return ParsedDate(None, tuple(found))
    if parsed.tzinfo is None:
        # a date alone (or at exactly midnight, as metadata writes dates) is taken as UTC without a warning
        midnight = (parsed.hour, parsed.minute, parsed.second) == (0, 0, 0)
        if zone is None and not midnight and "published_at_unknown_timezone" not in found:
            found.append("published_at_no_offset")
        parsed = parsed.replace(tzinfo=zone or timezone.utc)
    if parsed.year < MIN_YEAR or parsed - now > max_future:
        return ParsedDate(None, ("published_at_out_of_range",))
    return ParsedDate(int(parsed.timestamp() * 1000), tuple(found))


def _parse(value: str, zone: tzinfo | None, found: list[str]) -> datetime | None:
    if len(value) > MAX_DATE_CHARS:
        found.append("published_at_unparseable")
        return None
    if value.isdigit() or EPOCH_SECONDS.fullmatch(value):
        return _parse_number(value, found)
    iana = IANA_SUFFIX.search(value)
    if iana and zone_named(iana.group(1)):
        parsed = _parse(value[:iana.start()].strip(), None, found)
        if parsed is not None and parsed.tzinfo is None:
            return parsed.replace(tzinfo=zone_named(iana.group(1)))
        return parsed
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    ambiguous = [w for w in WORD.findall(value) if w.upper() in AMBIGUOUS_ZONES]
    if RFC2822.fullmatch(value) and not ambiguous:
        try:
            return email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            found.append("published_at_unparseable")
            return None
    return _parse_loosely(value, zone, ambiguous, found)


def _parse_number(value: str, found: list[str]) -> datetime | None:
    """Epoch seconds (10 digits), epoch milliseconds (13), or compact YYYYMMDD[HHMM[SS]] (8, 12, 14)."""
    if EPOCH_SECONDS.fullmatch(value):
        return datetime.fromtimestamp(float(value), UTC)
    if EPOCH_MILLIS.fullmatch(value):
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    compact = COMPACT.fullmatch(value)
    if compact and len(value) in (8, 12, 14):
        try:
            return datetime(*(int(part) for part in compact.groups() if part is not None))
        except ValueError:
            pass
    found.append("published_at_unparseable")
    return None


def _offset_for_abbreviation(name: str, zone: tzinfo | None, found: list[str]) -> int:
    """The offset an ambiguous abbreviation stands for: in the article's zone when it is one of its zones,
    else in the first (with a warning)."""
    candidates = AMBIGUOUS_ZONES[name]
    for candidate, offset in candidates:
        if zone is not None and str(zone) == candidate:
            return offset
    found.append("published_at_ambiguous_timezone")
    return candidates[0][1]


def _parse_loosely(value: str, zone: tzinfo | None, ambiguous: list[str], found: list[str]) -> datetime | None:
    """dateutil for "July 31, 2019 09:00 KST" and friends; a date missing its year, month or day is refused."""
    zones: dict[str, object] = dict(ZONE_OFFSETS)
    for name in ambiguous:
        zones[name] = zones[name.upper()] = _offset_for_abbreviation(name.upper(), zone, found)
    day_first = bool(DAY_FIRST_DOTS.search(value))
    slashed = SLASHED.search(value)
    if slashed and not day_first and max(int(slashed.group(1)), int(slashed.group(2))) <= 12 \
            and slashed.group(1) != slashed.group(2):
        if zone is None:
            found.append("published_at_ambiguous_date")
        else:
            day_first = str(zone) not in MONTH_FIRST_ZONES
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            first, second = (dateutil_parser.parse(value, default=d, tzinfos=zones, dayfirst=day_first)
                             for d in PROBE_DEFAULTS)
        except (ValueError, OverflowError, TypeError, LookupError):
            found.append("published_at_unparseable")
            return None
    if first.date() != second.date():
        found.append("published_at_unparseable")
        return None
    if any(issubclass(w.category, dateutil_parser.UnknownTimezoneWarning) for w in caught):
        found.append("published_at_unknown_timezone")
    return first
