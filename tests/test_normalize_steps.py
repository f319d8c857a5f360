"""The Normalize stage's steps one by one: URLs, text repair, wire markers, dates, language, HTML."""
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipelines.text.cleaning import repair_text
from pipelines.text.dates import parse_published_at
from pipelines.text.html import HtmlExtractor, html_blocks, parse_html
from pipelines.text.language import LanguageDetector, tidy_language_tag
from pipelines.text.normalize import NormalizeSettings
from pipelines.text.urls import canonical_url
from pipelines.text.wire import strip_credits, strip_dateline

PAGES = Path(__file__).parent / "normalize_corpus" / "pages"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("url, canonical", [
    ("https://Wire.Example.COM/a/b?utm_source=x&utm_campaign=y", "https://wire.example.com/a/b"),
    ("http://example.com:80", "http://example.com/"),
    ("https://example.com:8443/x#frag", "https://example.com:8443/x"),
    ("https://example.com/x?b=2&gclid=z&a=1&MSCLKID=q", "https://example.com/x?b=2&a=1"),
    ("https://example.com/x?q=a%20b&next=%2Fhome", "https://example.com/x?q=a%20b&next=%2Fhome"),
    ("https://reader:secret@example.com/x", "https://example.com/x"),
    ("https://[2001:db8::1]:443/x?fbclid=1", "https://[2001:db8::1]/x"),
])
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical


@pytest.mark.parametrize("url", [None, "", "/relative/path", "ftp://example.com/x", "https://exa mple.com/",
                                 "https://[::1/x", "https://example.com:99999/", "mailto:desk@example.com"])
def test_unusable_urls_have_no_canonical_form(url):
    assert canonical_url(url) is None


@pytest.mark.parametrize("raw, clean", [
    ("it\u00e2\u20ac\u2122s", "it's"),
    ("na\u00c3\u00afve caf\u00c3\u00a9", "na\u00efve caf\u00e9"),
    ("Barnes&notice R&D AT&T", "Barnes&notice R&D AT&T"),
    ("&amp;amp;lt;", "<"),
    ("a\u200bb\u2060c\ufeffd\u200ee", "abcde"),
    ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
    ("word\u200c ", "word"),
    ("\u2018single\u2019 \u201cdouble\u201d \u201elow\u201c", "'single' \"double\" \"low\""),
    ("\ufb02ight of \uff11\uff12 steps", "flight of 12 steps"),
    ("tab\there\r\x0bnew\u2028line\u00a0and\u3000more", "tab here new line and more"),
    ("bell\x07 and null\x00", "bell and null"),
    ("e\u0301t\u00e9", "\u00e9t\u00e9"),
    ("Keep CASE, accents (\u00e0 la) and punctuation!", "Keep CASE, accents (\u00e0 la) and punctuation!"),
])
def test_repair_text(raw, clean):
    assert repair_text(raw) == clean
    assert repair_text(clean) == clean


@pytest.mark.parametrize("text, dateline, rest", [
    ("WASHINGTON (AP) \u2014 The Senate voted.", "WASHINGTON (AP)", "The Senate voted."),
    ("LONDON, July 30 (Reuters) - Shares fell.", "LONDON, July 30 (Reuters)", "Shares fell."),
    ("PORTO, Portugal (Iberia Wire) -- Floods.", "PORTO, Portugal (Iberia Wire)", "Floods."),
    ("S\u00c3O PAULO (Example Wire) - Rain.", "S\u00c3O PAULO (Example Wire)", "Rain."),
    ("NEW YORK -- Stocks rose.", "NEW YORK", "Stocks rose."),
    ("LONDON (Reuters) - SEOUL (Yonhap) -- Talks.", "LONDON (Reuters)", "Talks."),
    ("BEIJING, Nov. 5 (Xinhua)", "BEIJING, Nov. 5 (Xinhua)", ""),
])
def test_dateline_is_moved(text, dateline, rest):
    assert strip_dateline(text) == (dateline, rest)


@pytest.mark.parametrize("text", [
    "US - China talks resume.", "NATO allies met on Monday.", "UPDATE 2-Oil rises.", "Talks (AP) -- went on.",
    "The US (AP) said.", "AB(1) - 2",
])
def test_text_that_is_not_a_dateline_stays(text):
    assert strip_dateline(text) == (None, text)


@pytest.mark.parametrize("text, credits, rest", [
    ("He left. (Yonhap)", ["Yonhap"], "He left."),
    ("He left. (AP) (Reuters)", ["AP", "Reuters"], "He left."),
    ('"We will," he said. (dpa)', ["dpa"], '"We will," he said.'),
    ("(Kyodo News)", ["Kyodo News"], ""),
    ("Done. (Additional reporting by Ana Lima)", ["Additional reporting by Ana Lima"], "Done."),
])
def test_credits_are_moved(text, credits, rest):
    assert strip_credits(text) == (credits, rest)


@pytest.mark.parametrize("text", [
    "Profits rose to $1bn (\u00a3600m).", "It rose 3% (pictured).", "He spoke. (See also)", "Sales (Q3) rose",
    "Growth slowed. (The figures are provisional and may be revised.)",
])
def test_asides_are_not_credits(text):
    assert strip_credits(text) == ([], text)


def iso(millis: int | None) -> str | None:
    return None if millis is None else datetime.fromtimestamp(millis / 1000, timezone.utc).isoformat()


@pytest.mark.parametrize("value, expected, warning", [
    ("2019-07-31T09:00:00+09:00", "2019-07-31T00:00:00+00:00", None),
    ("2019-07-31T00:00:00Z", "2019-07-31T00:00:00+00:00", None),
    ("2019-07-31 12:30", "2019-07-31T12:30:00+00:00", "published_at_no_offset"),
    ("Wed, 31 Jul 2019 10:15:00 GMT", "2019-07-31T10:15:00+00:00", None),
    ("31 Jul 2019 10:15 EDT", "2019-07-31T14:15:00+00:00", None),
    ("Wednesday, July 31, 2019 at 9:00 a.m. EDT", "2019-07-31T13:00:00+00:00", None),
    ("31.07.2019 14:00", "2019-07-31T14:00:00+00:00", "published_at_no_offset"),
    ("2019/07/31", "2019-07-31T00:00:00+00:00", None),
    ("1564531200000", "2019-07-31T00:00:00+00:00", None),
    ("Wed, 31 Jul 2019 25:15:00 GMT", None, "published_at_unparseable"),
    ("2019-02-30", None, "published_at_unparseable"),
    ("12", None, "published_at_unparseable"),
    ("July 31", None, "published_at_unparseable"),
    ("x" * 500, None, "published_at_unparseable"),
    ("0001-01-01T00:00:00Z", None, "published_at_out_of_range"),
    ("2026-12-01T00:00:00Z", None, "published_at_out_of_range"),
])
def test_published_at(value, expected, warning):
    parsed = parse_published_at(value, NOW, timedelta(hours=48))
    assert (iso(parsed.millis), parsed.warning) == (expected, warning)


def test_future_tolerance_is_a_setting():
    assert parse_published_at("2026-11-30T00:00:00Z", NOW, timedelta(hours=48)).millis is None
    assert parse_published_at("2026-11-30T00:00:00Z", NOW, timedelta(days=7)).millis is not None


@pytest.mark.parametrize("tag, code", [("en", "en"), ("EN", "en"), ("en-US", "en"), ("pt_BR", "pt"),
                                       ("zh-Hant-TW", "zh"), (" de ", "de"), ("English", None), ("", None),
                                       ("e", None), (None, None)])
def test_language_tags_are_tidied(tag, code):
    assert tidy_language_tag(tag) == code


def test_language_detection_reads_a_bounded_prefix():
    detector = LanguageDetector(prefix_chars=120)
    italian = "Il consiglio comunale ha approvato ieri sera il nuovo piano per le piste ciclabili della citt\u00e0."
    assert detector.detect([italian, "The rest of this article is in English " * 50]) == "it"
    assert detector.detect(["12:30", "-- 4"]) is None


def test_html_blocks_split_at_blocks_and_line_breaks_and_skip_boilerplate():
    tree = parse_html("<div>intro<p>one <b>bold</b> line<br>two</p>tail<script>x()</script>"
                      "<table><tr><td>a</td><td>b</td></tr></table><nav>menu</nav><!-- note -->end</div>")
    assert html_blocks(tree).blocks == ["intro", "one bold line", "two", "tail", "a b", "end"]


def test_trafilatura_drops_page_furniture_that_plain_blocks_keep():
    page = (PAGES / "full_page.html").read_text(encoding="utf-8")
    body = HtmlExtractor(use_trafilatura=True).extract(page).paragraphs
    every_block = HtmlExtractor(use_trafilatura=False).extract(page).paragraphs
    share_bar = "Share this article: Facebook Twitter Email"
    assert share_bar in every_block and share_bar not in body
    assert set(body) < set(every_block)
    assert not any("Related stories" in line or "All rights reserved" in line for line in every_block)


def test_page_metadata_only_when_asked():
    page = (PAGES / "full_page.html").read_text(encoding="utf-8")
    assert HtmlExtractor().extract(page).title is None
    found = HtmlExtractor().extract(page, with_metadata=True)
    assert found.title == "Harbour bridge reopens after two-year repair"
    assert found.published_at.startswith("2024-05-14T08:30:00")


def test_settings_are_validated():
    with pytest.raises(ValueError):
        NormalizeSettings(html_extractor="readability")
    with pytest.raises(ValueError):
        NormalizeSettings(language_prefix_chars=0)


def test_html_extraction_never_reaches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("HTML extraction tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    page = (PAGES / "full_page.html").read_text(encoding="utf-8")
    found = HtmlExtractor().extract(page, with_metadata=True)
    assert found.paragraphs and found.title


@pytest.mark.parametrize("text, expected", [
    ("The mayor&rsquo;s plan &bogus; goes on.", "The mayor's plan goes on."),
    ("<p>Caf&eacute; &notanentity; open</p>", "<p>Café open</p>"),
    ("A &amp;amp; B", "A & B"),
    ("AT&T; R&D; Q&A stay", "AT&T; R&D; Q&A stay"),
])
def test_undeclared_entities_do_not_stay_as_literal_text(text, expected):
    assert repair_text(text) == expected
