"""RawArticle -> clean article record (schemas/article.avsc): the Normalize stage's work, without Beam.

Each job has its own module: html (body extraction), cleaning (text repair), wire (datelines, credits),
dates, language, urls, ids. This module runs them in order and decides what becomes a field, a warning
or a rejection.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pipelines.records import RawArticle, RejectedInput
from pipelines.text.cleaning import repair_text
from pipelines.text.dates import dateline_zone, parse_published_at, zone_named
from pipelines.text.html import HtmlExtractor
from pipelines.text.ids import article_id_for
from pipelines.text.language import LanguageDetector, tidy_language_tag
from pipelines.text.urls import canonical_url
from pipelines.text.wire import strip_credits, strip_dateline

HTML_EXTRACTORS = ("trafilatura", "blocks")
WARNING_DETAIL_CHARS = 80


@dataclass(frozen=True)
class NormalizeSettings:
    """The stage's knobs (see the `normalize` group of pipelines/options.py)."""

    detect_language: bool = True
    language_prefix_chars: int = 200
    max_future_hours: float = 48.0
    html_extractor: str = "trafilatura"
    # (source, IANA zone) pairs: the zone of times the source writes without an offset
    source_zones: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        unknown = [zone for _, zone in self.source_zones if zone_named(zone) is None]
        if unknown:
            raise ValueError(f"unknown time zone(s) {', '.join(unknown)}: use IANA names such as Asia/Seoul")
        if self.html_extractor not in HTML_EXTRACTORS:
            raise ValueError(f"html_extractor must be one of {HTML_EXTRACTORS}, not {self.html_extractor!r}")
        if self.language_prefix_chars < 1 or self.max_future_hours < 0:
            raise ValueError("language_prefix_chars must be positive and max_future_hours not negative")


def utc_now() -> datetime:
    """The wall clock in UTC: how far in the future a publication date may be is judged against it."""
    return datetime.now(timezone.utc)


def warning(code: str, value: str) -> str:
    """A warning as stored on the article: its code (also the metric name), then the offending value."""
    return f"{code}: {value[:WARNING_DETAIL_CHARS]!r}"


def warning_code(text: str) -> str:
    """The code of a warning made by `warning`."""
    return text.split(":", 1)[0]


class Normalizer:
    """Callable RawArticle -> article dict; raises RejectedInput("empty_text") when no text survives."""

    def __init__(self, settings: NormalizeSettings | None = None, clock: Callable[[], datetime] = utc_now):
        self.settings = settings or NormalizeSettings()
        self.clock = clock
        self.html = HtmlExtractor(use_trafilatura=self.settings.html_extractor == "trafilatura")
        self.languages = LanguageDetector(prefix_chars=self.settings.language_prefix_chars)

    def __call__(self, raw: RawArticle) -> dict:
        fields = raw.fields
        warnings: list[str] = []
        title = _clean_optional(fields.get("title"))
        published_at = fields.get("published_at")
        if fields.get("text") is not None:
            lines = [line for line in fields["text"].splitlines() if line.strip()]
        else:
            page = self.html.extract(fields["html"], with_metadata=title is None or published_at is None,
                                     url=fields.get("url"))
            warnings.extend(warning(code, detail) for code, detail in page.warnings)
            title = title or _clean_optional(page.title)
            published_at = published_at or page.published_at
            lines = _without_leading_title(page.paragraphs, title)

        texts = [repair_text(line) for line in lines]
        dateline, credits = _move_wire_markers(texts)
        paragraphs = [{"index": index, "text": text} for index, text in enumerate(texts) if text]
        if not paragraphs:
            raise RejectedInput(
                "empty_text", f"no text left after normalization ({len(lines)} non-empty input paragraphs)")

        zone = zone_named(dict(self.settings.source_zones).get(fields.get("source"))) or dateline_zone(dateline)
        published_millis = self._published_at(published_at, zone, warnings)
        language = self._language(fields.get("language"), texts, warnings)
        url = self._url(fields.get("url"), warnings)
        given_id = fields.get("id")
        return {
            "article_id": article_id_for(
                str(given_id) if given_id is not None else None,
                canonical_url(url),
                "\n".join(p["text"] for p in paragraphs),
            ),
            "url": url,
            "source": fields.get("source"),
            "title": title,
            "published_at": published_millis,
            "language": language,
            "dateline": dateline,
            "credits": credits,
            "warnings": warnings,
            "paragraphs": paragraphs,
            "removed_paragraphs": [],
            "kafka": raw.kafka,
        }

    def _published_at(self, value: str | None, zone, warnings: list[str]) -> int | None:
        if value is None or not value.strip():
            return None
        parsed = parse_published_at(value, self.clock(), timedelta(hours=self.settings.max_future_hours), zone)
        warnings.extend(warning(code, value) for code in parsed.warnings)
        return parsed.millis

    def _language(self, given: str | None, texts: list[str], warnings: list[str]) -> str | None:
        language = tidy_language_tag(given)
        if given is not None and given.strip() and language is None:
            warnings.append(warning("language_unrecognized", given))
        if language is None and self.settings.detect_language:
            language = self.languages.detect([t for t in texts if t])
        return language

    @staticmethod
    def _url(given: str | None, warnings: list[str]) -> str | None:
        if given is None or not given.strip():
            return None
        canonical = canonical_url(given)
        if canonical is None:
            warnings.append(warning("url_unusable", given))
            return given.strip()
        return canonical


def normalize_article(raw: RawArticle, settings: NormalizeSettings | None = None) -> dict:
    """Build the article record from a parsed message with a one-off Normalizer, or raise RejectedInput."""
    return Normalizer(settings)(raw)


def _clean_optional(value: str | None) -> str | None:
    cleaned = repair_text(value) if value else ""
    return cleaned or None


def _without_leading_title(blocks: list[str], title: str | None) -> list[str]:
    """Pages repeat the headline as their first heading; it is the title, not a paragraph."""
    if blocks and title and repair_text(blocks[0]).casefold() == title.casefold():
        return blocks[1:]
    return blocks


def _move_wire_markers(texts: list[str]) -> tuple[str | None, list[str]]:
    """Strips credits off paragraph ends and the dateline off the opening paragraph, in place.

    Repeated until nothing moves: stripping one can expose the other (a credit-only first paragraph hides
    the dateline behind it), and a second normalization must find nothing left to strip.
    """
    dateline = None
    credits: list[str] = []
    moved = True
    while moved:
        moved = False
        for i, text in enumerate(texts):
            found, texts[i] = strip_credits(text)
            credits.extend(c for c in found if c not in credits)
            moved = moved or bool(found)
        for i, text in enumerate(texts):
            if not text:
                continue
            found, texts[i] = strip_dateline(text)
            dateline = dateline or found
            moved = moved or found is not None
            if found is None or texts[i]:
                break
    return dateline, credits
