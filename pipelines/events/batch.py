"""Batching articles through spaCy: paragraphs of many articles go through one nlp.pipe call, and a text
spaCy cannot parse is isolated so only its own article fails."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language

from pipelines.events.coreference import code_article_actors
from pipelines.events.extract import EventExtractor

NLP_ERROR = "nlp_error"
EXTRACTION_ERROR = "extraction_error"


@dataclass
class ArticleResult:
    """The events of one article, or why it failed; `context` is whatever the caller attached."""

    article: dict
    context: Any
    events: list[dict] = field(default_factory=list)
    error: tuple[str, str] | None = None


@dataclass
class _Pending:
    article: dict
    context: Any
    paragraphs: list[tuple[int, str]]


class EventBatcher:
    """Collects articles until `batch_size` paragraphs are waiting, then parses them in one nlp.pipe call.

    Only the article's `paragraphs` (the kept ones) are parsed."""

    def __init__(self, nlp: Language, batch_size: int = 64, extractor: EventExtractor | None = None):
        self.nlp = nlp
        self.batch_size = max(1, batch_size)
        self.extractor = extractor or EventExtractor()
        self._pending: list[_Pending] = []
        self._waiting = 0

    def add(self, article: dict, context: Any = None) -> list[ArticleResult]:
        """Queue an article; returns the finished results when this filled a batch, else []."""
        paragraphs = [(p["index"], p["text"]) for p in article.get("paragraphs") or () if p.get("text")]
        self._pending.append(_Pending(article, context, paragraphs))
        self._waiting += len(paragraphs)
        return self.flush() if self._waiting >= self.batch_size else []

    def flush(self) -> list[ArticleResult]:
        """Parse everything queued and return one result per queued article, in order."""
        pending, self._pending, self._waiting = self._pending, [], 0
        if not pending:
            return []
        texts = [text for item in pending for _, text in item.paragraphs]
        docs = iter(self._parse(texts))
        results = []
        for item in pending:
            parsed = [(index, next(docs)) for index, _ in item.paragraphs]
            failed = [(index, doc) for index, doc in parsed if isinstance(doc, Exception)]
            if failed:
                index, error = failed[0]
                results.append(ArticleResult(item.article, item.context, error=(
                    NLP_ERROR, f"spaCy could not parse paragraph {index}: {type(error).__name__}: {error}")))
                continue
            try:
                events = code_article_actors(self.extractor.article_events(item.article, parsed), parsed)
            except Exception as e:  # noqa: BLE001 - one odd parse must not stop the worker; the reason is kept
                results.append(ArticleResult(item.article, item.context, error=(
                    EXTRACTION_ERROR, f"{type(e).__name__}: {e}")))
                continue
            results.append(ArticleResult(item.article, item.context, events=events))
        return results

    def _parse(self, texts: list[str]) -> Iterator[Any]:
        """Docs for the texts in one nlp.pipe call; if spaCy fails on the batch, text by text, with the
        exception in place of each Doc it could not make."""
        try:
            return iter(list(self.nlp.pipe(texts, batch_size=self.batch_size)))
        except Exception:  # noqa: BLE001 - retried one by one below to find the text at fault
            return iter([self._parse_one(text) for text in texts])

    def _parse_one(self, text: str) -> Any:
        try:
            return self.nlp(text)
        except Exception as e:  # noqa: BLE001 - returned in place of the Doc and reported as a dead letter
            return e
