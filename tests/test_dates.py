"""Publication dates read in the article's zone: warnings for missing offsets and ambiguous forms, the
source's zone or the dateline city's, epoch numbers only at 10 or 13 digits, IANA names, DD.MM.YYYY."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pipelines.records import RawArticle
from pipelines.text.dates import parse_published_at
from pipelines.text.normalize import Normalizer, NormalizeSettings, warning_code

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)


def utc(value: str, zone: str | None = None) -> tuple[str | None, tuple[str, ...]]:
    parsed = parse_published_at(value, NOW, timedelta(hours=48), ZoneInfo(zone) if zone else None)
    shown = None if parsed.millis is None else datetime.fromtimestamp(parsed.millis / 1000, timezone.utc).isoformat()
    return shown, parsed.warnings


@pytest.mark.parametrize("value, zone, expected, warnings", [
    # no offset: the article's zone, else UTC with a warning (a Seoul time read as UTC is 9 h off)
    ("2019-07-31 09:00", None, "2019-07-31T09:00:00+00:00", ("published_at_no_offset",)),
    ("2019-07-31 09:00", "Asia/Seoul", "2019-07-31T00:00:00+00:00", ()),
    ("2019-07-31", None, "2019-07-31T00:00:00+00:00", ()),
    # abbreviations naming several zones
    ("Wed, 31 Jul 2019 10:15:00 CST", "Asia/Shanghai", "2019-07-31T02:15:00+00:00", ()),
    ("Wed, 31 Jul 2019 10:15:00 CST", None, "2019-07-31T16:15:00+00:00", ("published_at_ambiguous_timezone",)),
    ("31 Jul 2019 10:15 IST", "Asia/Jerusalem", "2019-07-31T08:15:00+00:00", ()),
    ("31 Jul 2019 10:15 IST", None, "2019-07-31T04:45:00+00:00", ("published_at_ambiguous_timezone",)),
    ("31 Jul 2019 10:15 KST", None, "2019-07-31T01:15:00+00:00", ()),
    # day and month
    ("07/08/2019", None, "2019-07-08T00:00:00+00:00", ("published_at_ambiguous_date",)),
    ("07/08/2019", "Europe/Paris", "2019-08-06T22:00:00+00:00", ()),
    ("07/08/2019", "America/Chicago", "2019-07-08T05:00:00+00:00", ()),
    ("13/08/2019", None, "2019-08-13T00:00:00+00:00", ()),
    ("01.02.2019", None, "2019-02-01T00:00:00+00:00", ()),
    # numbers: epoch only at 10 or 13 digits
    ("201907310900", "Asia/Seoul", "2019-07-31T00:00:00+00:00", ()),
    ("201907310900", None, "2019-07-31T09:00:00+00:00", ("published_at_no_offset",)),
    ("20190731", None, "2019-07-31T00:00:00+00:00", ()),
    ("1564531200", None, "2019-07-31T00:00:00+00:00", ()),
    ("1564531200000", None, "2019-07-31T00:00:00+00:00", ()),
    ("123456789", None, None, ("published_at_unparseable",)),
    ("15645312000", None, None, ("published_at_unparseable",)),
    # IANA names
    ("2019-07-31 09:00 Asia/Seoul", None, "2019-07-31T00:00:00+00:00", ()),
    ("July 31, 2019 18:00 (America/New_York)", None, "2019-07-31T22:00:00+00:00", ()),
])
def test_dates_in_the_articles_zone(value, zone, expected, warnings):
    assert utc(value, zone) == (expected, warnings)


def article(published_at: str, source: str = "wire", first_paragraph: str = "The talks went on.") -> RawArticle:
    return RawArticle(fields={"id": "a1", "source": source, "published_at": published_at,
                              "text": f"{first_paragraph}\nA second paragraph follows."}, original=b"{}")


def test_the_dateline_city_gives_the_zone():
    normalize = Normalizer(NormalizeSettings(detect_language=False), clock=lambda: NOW)
    record = normalize(article("2019-07-31 09:00", first_paragraph="SEOUL, July 31 (Yonhap) -- The talks went on."))
    assert record["dateline"].startswith("SEOUL")
    assert record["published_at"] == int(datetime(2019, 7, 31, 0, tzinfo=timezone.utc).timestamp() * 1000)
    assert record["warnings"] == []
    record = normalize(article("2019-07-31 09:00"))
    assert record["published_at"] == int(datetime(2019, 7, 31, 9, tzinfo=timezone.utc).timestamp() * 1000)
    assert [warning_code(w) for w in record["warnings"]] == ["published_at_no_offset"]


def test_the_sources_zone_wins_and_resolves_cst():
    settings = NormalizeSettings(detect_language=False, source_zones=(("xinhua", "Asia/Shanghai"),))
    record = Normalizer(settings, clock=lambda: NOW)(article("2019-07-31 10:15 CST", source="xinhua"))
    assert record["published_at"] == int(datetime(2019, 7, 31, 2, 15, tzinfo=timezone.utc).timestamp() * 1000)
    assert record["warnings"] == []
    with pytest.raises(ValueError, match="Asia/Seoul"):
        NormalizeSettings(source_zones=(("yonhap", "Korea Standard Time"),))
