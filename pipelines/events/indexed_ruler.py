"""The model's attribute ruler (tag -> part of speech and morphology, lemma and pronoun exceptions) with its
patterns found by a lookup per token instead of spaCy's Matcher, which tries all ~180 patterns at every token
and costs about a tenth of the whole pipeline. The attributes set are the same: the same patterns, matched
by the same rules, applied in the same order by the stock component's own code. Patterns this lookup does
not handle (other attributes or operators) leave the component to the stock Matcher."""
from __future__ import annotations

import re
from collections.abc import Callable

from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token

INDEXED_RULER = "indexed_attribute_ruler"
# Matcher attribute -> the Token attribute it compares (strings; IS_SPACE a bool).
TOKEN_ATTRIBUTES = {"TAG": "tag_", "LOWER": "lower_", "DEP": "dep_", "IS_SPACE": "is_space"}
MAX_CACHED_TOKENS = 200_000


def value_test(value) -> Callable[[object], bool] | None:
    """A test of one token attribute as the Matcher reads a pattern value, or None when not handled."""
    if isinstance(value, (str, bool)):
        return lambda found: found == value
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (operator, argument), = value.items()
    if operator == "IN" and isinstance(argument, list):
        allowed = set(argument)
        return lambda found: found in allowed
    if operator == "NOT_IN" and isinstance(argument, list):
        excluded = set(argument)
        return lambda found: found not in excluded
    if operator == "REGEX" and isinstance(argument, str):
        expression = re.compile(argument)
        return lambda found: bool(expression.search(found))
    return None


def token_test(spec: dict) -> Callable[[dict], bool] | None:
    """A test of one token (its attributes by Matcher name) for one token of a pattern, or None."""
    tests = []
    for attribute, value in spec.items():
        test = value_test(value) if attribute in TOKEN_ATTRIBUTES else None
        if test is None:
            return None
        tests.append((attribute, test))
    return lambda values: all(test(values[attribute]) for attribute, test in tests)


class IndexedAttributeRuler(AttributeRuler):
    """AttributeRuler whose `match` looks each token up by its tag, lower form, dependency and space flag."""

    def __init__(self, vocab, name: str = "attribute_ruler", **kwargs):
        self._stale = True
        super().__init__(vocab, name, **kwargs)
        self._tests: list[Callable[[dict], bool]] | None = None
        self._by_value: dict[tuple[str, str], list[int]] = {}  # (TAG or LOWER, value) -> tests that require it
        self._unindexed: list[int] = []  # tests that require no exact tag nor lower form
        self._single: list[tuple[int, int]] = []  # (attrs index, token test) of one-token patterns
        self._sequences: list[tuple[int, tuple[int, ...]]] = []  # (attrs index, token tests) of longer ones
        self._match_ids: list[int] = []
        self._cache: dict[tuple, tuple[frozenset[int], tuple[int, ...], tuple[int, ...]]] = {}

    def add(self, patterns, attrs: dict, index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._stale = True

    def clear(self) -> None:
        super().clear()
        self._stale = True

    def _compile(self) -> None:
        """Token tests for every pattern, or `_tests` None when one of them is not handled."""
        self._stale, self._cache = False, {}
        self._tests, self._by_value, self._unindexed, self._single, self._sequences = [], {}, [], [], []
        self._match_ids = [self.vocab.strings[str(index)] for index in range(len(self.attrs))]
        for index, entry in enumerate(self.patterns):
            for pattern in entry["patterns"]:
                tests = [token_test(spec) for spec in pattern]
                if not tests or None in tests:
                    self._tests = None
                    return
                ids = tuple(range(len(self._tests), len(self._tests) + len(tests)))
                self._tests.extend(tests)
                for test_id, spec in zip(ids, pattern, strict=True):
                    exact = [(name, spec[name]) for name in ("TAG", "LOWER") if isinstance(spec.get(name), str)]
                    if exact:
                        self._by_value.setdefault(exact[0], []).append(test_id)
                    else:
                        self._unindexed.append(test_id)
                if len(ids) == 1:
                    self._single.append((index, ids[0]))
                else:
                    self._sequences.append((index, ids))

    def _passed(self, token: Token) -> tuple[frozenset[int], tuple[int, ...], tuple[int, ...]]:
        """(token tests passed, attrs indices of the one-token patterns matched, longer patterns whose first
        token test passed) for a token, cached by the attributes the tests read."""
        key = (token.tag, token.lower, token.dep, token.is_space)
        found = self._cache.get(key)
        if found is None:
            values = {attribute: getattr(token, name) for attribute, name in TOKEN_ATTRIBUTES.items()}
            candidates = [*self._by_value.get(("TAG", values["TAG"]), ()),
                          *self._by_value.get(("LOWER", values["LOWER"]), ()), *self._unindexed]
            passed = frozenset(i for i in candidates if self._tests[i](values))
            found = (passed, tuple(sorted({index for index, test_id in self._single if test_id in passed})),
                     tuple(n for n, (_, ids) in enumerate(self._sequences) if ids[0] in passed))
            if len(self._cache) >= MAX_CACHED_TOKENS:
                self._cache.clear()
            self._cache[key] = found
        return found

    def match(self, doc: Doc):
        if self._stale:
            self._compile()
        if self._tests is None:
            return super().match(doc)
        passed = [self._passed(token) for token in doc]
        spans = []
        for start, (_, singles, sequences) in enumerate(passed):
            spans.extend((index, start, start + 1) for index in singles)
            for number in sequences:
                index, ids = self._sequences[number]
                end = start + len(ids)
                if end <= len(doc) and all(ids[k] in passed[start + k][0] for k in range(1, len(ids))):
                    spans.append((index, start, end))
        # as the stock component: ordered by attrs index, so that later rules take precedence
        return [(index, self._match_ids[index], start, end) for index, start, end in sorted(set(spans))]


@Language.factory(INDEXED_RULER)
def make_indexed_attribute_ruler(nlp: Language, name: str) -> IndexedAttributeRuler:
    return IndexedAttributeRuler(nlp.vocab, name)


def index_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> None:
    """Replace the pipeline's stock attribute ruler by the indexed one, with the same patterns."""
    if name not in nlp.pipe_names or type(nlp.get_pipe(name)) is not AttributeRuler:
        return
    patterns = nlp.get_pipe(name).patterns
    nlp.replace_pipe(name, INDEXED_RULER).add_patterns(patterns)
