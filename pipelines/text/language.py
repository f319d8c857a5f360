"""Language of an article: the given code tidied to ISO 639-1, else detected with py3langid on a text prefix.

The model takes about half a second to load, so it is loaded once per process (lazily, on first use) and
never pickled with a transform. Detection runs on a bounded prefix: its cost grows with the text length and
a few hundred characters are enough for a confident answer on news prose.
"""
from __future__ import annotations

import functools
import re

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
NON_LETTER = re.compile(r"[\W\d_]+")
MIN_LETTERS = 12
NO_LANGUAGE = "zxx"  # the model's label for text with no linguistic content


@functools.lru_cache(maxsize=1)
def language_identifier() -> LanguageIdentifier:
    """The process-wide py3langid model, with probabilities normalized so confidence is meaningful."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def tidy_language_tag(tag: str | None) -> str | None:
    """'EN', 'en-US', 'en_GB' -> 'en'; None when the value is not a language tag at all."""
    if tag is None:
        return None
    match = LANGUAGE_TAG.fullmatch(tag.strip())
    return match.group(1).lower() if match else None


class LanguageDetector:
    """Guesses the language of paragraphs from their first `prefix_chars` characters."""

    def __init__(self, prefix_chars: int = 200, min_confidence: float = 0.5):
        self.prefix_chars = prefix_chars
        self.min_confidence = min_confidence

    def detect(self, paragraphs: list[str]) -> str | None:
        """ISO 639-1 code (639-3 for languages without one), or None when the text is too short or unclear."""
        sample = self._prefix(paragraphs)
        if len(NON_LETTER.sub("", sample)) < MIN_LETTERS:
            return None
        language, confidence = language_identifier().classify(sample)
        if language == NO_LANGUAGE or confidence < self.min_confidence:
            return None
        return language

    def _prefix(self, paragraphs: list[str]) -> str:
        parts, size = [], 0
        for paragraph in paragraphs:
            parts.append(paragraph)
            size += len(paragraph) + 1
            if size >= self.prefix_chars:
                break
        return "\n".join(parts)[: self.prefix_chars]
