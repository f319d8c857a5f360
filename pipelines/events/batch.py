"""Batching articles through spaCy: paragraphs of many articles go through one nlp.pipe call, and a text
spaCy cannot parse is isolated so only its own article fails. Only the sentences the trigger screen passes
are parsed (runs of them together, so that they keep their neighbours); the rest can hold no event. Runs
whose only candidates are reporting verbs are parsed without the entity recognizer: a STATEMENT needs its
speaker from the parse, and the speaker's country and sector come from our tables, not from entities.
What one article may cost is bounded (pipelines.events.bounds): no text longer than `max_piece_chars`
(nor spaCy's own max_length) is parsed, and past `max_words` words the article's remaining paragraphs
are skipped, with a warning on the article."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipelines.events.bounds import EventBounds, segments, truncation_warning, word_count
from pipelines.events.coreference import code_article_actors
from pipelines.events.extract import PARAGRAPH_OFFSET, EventExtractor
from pipelines.events.nlp import TITLE_COMPONENT
from pipelines.events.screen import EVENT, NOTHING, TriggerScreen, sentence_spans

# What only the pieces with a candidate trigger of another type than STATEMENT go through.
ENTITY_COMPONENTS = ("ner", TITLE_COMPONENT)
NLP_ERROR = "nlp_error"
EXTRACTION_ERROR = "extraction_error"


@dataclass
class ArticleResult:
    """The events of one article, or why it failed; `context` is whatever the caller attached."""

    article: dict
    context: Any
    events: list[dict] = field(default_factory=list)
    error: tuple[str, str] | None = None
    skipped_words: int = 0


@dataclass
class _Pending:
    article: dict
    context: Any
    pieces: list[tuple[int, int, str, bool]]  # paragraph, offset, text, entities?
    skipped_words: int = 0


class EventBatcher:
    """Collects articles until `batch_size` pieces of paragraphs are waiting, then parses them in one
    nlp.pipe call.

    Only the article's `paragraphs` (the kept ones) are parsed."""

    def __init__(self, nlp: Language, batch_size: int = 64, extractor: EventExtractor | None = None,
                 screen: bool = True, bounds: EventBounds | None = None):
        self.nlp = nlp
        self.bounds = bounds or EventBounds()
        self.batch_size = max(1, batch_size)
        self.extractor = extractor or EventExtractor()
        self.screen = TriggerScreen(nlp) if screen else None
        self._pending: list[_Pending] = []
        self._waiting = 0

    def add(self, article: dict, context: Any = None) -> list[ArticleResult]:
        """Queue an article; returns the finished results when this filled a batch, else []."""
        paragraphs = [(p["index"], p["text"]) for p in article.get("paragraphs") or () if p.get("text")]
        pieces, parsed_words = [], 0
        for position, (index, whole) in enumerate(paragraphs):
            for offset, text, entities in self._pieces(whole):
                words = word_count(text)
                if parsed_words + words > self.bounds.max_words:
                    later = paragraphs[position + 1:]
                    skipped = word_count(whole[offset:]) + sum(word_count(rest) for _, rest in later)
                    warned = {**article, "warnings": [*(article.get("warnings") or ()), truncation_warning(
                        parsed_words, skipped, index, offset)]}
                    return self._queue(_Pending(warned, context, pieces, skipped))
                parsed_words += words
                pieces.append((index, offset, text, entities))
        return self._queue(_Pending(article, context, pieces))

    def _queue(self, item: _Pending) -> list[ArticleResult]:
        self._pending.append(item)
        self._waiting += len(item.pieces)
        return self.flush() if self._waiting >= self.batch_size else []

    def flush(self) -> list[ArticleResult]:
        """Parse everything queued and return one result per queued article, in order."""
        pending, self._pending, self._waiting = self._pending, [], 0
        if not pending:
            return []
        pieces = [piece for item in pending for piece in item.pieces]
        docs = self._parse_pieces(pieces)
        results = []
        for item in pending:
            parsed = [(index, _with_offset(next(docs), offset)) for index, offset, _, _ in item.pieces]
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
            results.append(ArticleResult(item.article, item.context, events=events, skipped_words=item.skipped_words))
        return results

    def _pieces(self, paragraph: str) -> list[tuple[int, str, bool]]:
        """(offset, text, needs entities) of the runs of consecutive sentences that the screen passes,
        within the parts of the paragraph no longer than a piece may be."""
        limit = min(self.bounds.max_piece_chars, self.nlp.max_length)
        if len(paragraph) <= limit:
            return self._screened(paragraph)
        return [(start + offset, text, entities) for start, end in segments(paragraph, limit)
                for offset, text, entities in self._screened(paragraph[start:end])]

    def _screened(self, paragraph: str) -> list[tuple[int, str, bool]]:
        if self.screen is None:
            return [(0, paragraph, True)]
        runs: list[list[int]] = []
        previous_kept = False
        for start, end in sentence_spans(paragraph):
            kind = self.screen(paragraph[start:end])
            if kind != NOTHING and previous_kept:
                runs[-1][1] = end
                runs[-1][2] = max(runs[-1][2], kind)
            elif kind != NOTHING:
                runs.append([start, end, kind])
            previous_kept = kind != NOTHING
        return [(start, paragraph[start:end], kind == EVENT) for start, end, kind in runs]

    def _parse_pieces(self, pieces: list[tuple[int, int, str, bool]]) -> Iterator[Any]:
        """Docs in the order of the pieces: every piece through the pipeline without the entity recognizer
        (and the rule that corrects its labels) in one pass, then those that need entities through these two.
        The entity recognizer reads the tokens and the parser's sentence starts only, so a Doc is as if it
        had gone through the whole pipeline at once."""
        entity_names = [name for name in ENTITY_COMPONENTS if name in self.nlp.pipe_names]
        docs = list(self._parse([text for _, _, text, _ in pieces], entity_names))
        chosen = [i for i, piece in enumerate(pieces) if piece[3] and not isinstance(docs[i], Exception)]
        if entity_names and chosen:
            others = [name for name in self.nlp.pipe_names if name not in entity_names]
            for i, doc in zip(chosen, self._parse([docs[i] for i in chosen], others), strict=True):
                docs[i] = doc
        return iter(docs)

    def _parse(self, texts: list[str | Doc], disable: list[str]) -> Iterator[Any]:
        """Docs for the texts (or Docs to complete) in one nlp.pipe call; if spaCy fails on the batch, one
        by one, with the exception in place of each Doc it could not make."""
        if not texts:
            return iter([])
        try:
            return iter(list(self.nlp.pipe(texts, batch_size=self.batch_size, disable=disable)))
        except Exception:  # noqa: BLE001 - retried one by one below to find the text at fault
            return iter([self._parse_one(text, disable) for text in texts])

    def _parse_one(self, text: str | Doc, disable: list[str]) -> Any:
        try:
            return self.nlp(text, disable=disable)
        except Exception as e:  # noqa: BLE001 - returned in place of the Doc and reported as a dead letter
            return e


def _with_offset(doc: Any, offset: int) -> Any:
    """Marks a parsed piece with where it starts in its paragraph (event ids count from the paragraph)."""
    if not isinstance(doc, Exception):
        doc.user_data[PARAGRAPH_OFFSET] = offset
    return doc
