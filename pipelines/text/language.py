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


@functools.lru_cache(maxsize=1)
def language_identifier() -> LanguageIdentifier:
    """The process-wide py3langid model, with probabilities normalized so confidence is meaningful.

    Restricted to the languages that have an ISO 639-1 code, the code the article schema promises:
    the model's other classes are mostly low-resource varieties (Nigerian Pidgin, Central Bikol, ...)
    that pull plain English or French news with foreign names away from its language."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code for code in identifier.nb_classes if len(code) == 2])
    return identifier


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
        """ISO 639-1 code, or None when the text is too short or unclear."""
        sample = self._prefix(paragraphs)
        if len(NON_LETTER.sub("", sample)) < MIN_LETTERS:
            return None
        language, confidence = language_identifier().classify(sample)
        if confidence < self.min_confidence:
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
